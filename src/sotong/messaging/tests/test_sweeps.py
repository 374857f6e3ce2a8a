"""The sweep that hands messages lost by workers back to them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sotong.core.scheduler import registered_sweeps, run_due
from sotong.messaging.actions import claim_message, queue_sms, stuck_after
from sotong.messaging.models import DeliveryAttempt, Outcome, Status
from sotong.messaging.sweeps import recover_stalled

pytestmark = pytest.mark.django_db


def ready_tasks() -> int:
    return DBTaskResult.objects.filter(status="READY").count()


def crashed_mid_send(text: str):
    """A message a worker claimed and then never finished (the process died after the claim)."""
    message = queue_sms("010-1234-5678", text)
    DBTaskResult.objects.all().delete()  # the dead worker had taken its task off the queue
    claimed = claim_message(str(message.pk))
    assert claimed is not None
    return claimed


@pytest.fixture
def stuck_limit_passed(settings):
    """Every claim already counts as too old (instead of waiting SOTONG_OUTBOX_STUCK_SECONDS)."""
    settings.SOTONG_OUTBOX_STUCK_SECONDS = 0


def test_sweep_is_registered_with_the_scheduler():
    assert "messaging.recover_stalled" in registered_sweeps()


def test_message_stuck_in_sending_is_requeued_and_delivered(sms_outbox, run_worker, stuck_limit_passed):
    # given a message a worker took longer ago than the limit and lost
    message = crashed_mid_send("멈춘 안내")

    # when
    summary = recover_stalled(timezone.now())
    run_worker()

    # then
    assert "retrying=1" in summary
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 2
    assert [item["customFields"]["messageId"] for item in sms_outbox] == [str(message.pk)]
    outcomes = list(DeliveryAttempt.objects.filter(message=message).values_list("outcome", flat=True))
    assert outcomes == [Outcome.LOST, Outcome.SENT]


def test_message_being_sent_right_now_is_left_alone(sms_outbox):
    # given a claim younger than the stuck limit (the default, minutes)
    message = crashed_mid_send("보내는 중")
    assert stuck_after() >= timedelta(minutes=5)

    # when
    recover_stalled(timezone.now())

    # then
    message.refresh_from_db()
    assert message.status == Status.SENDING
    assert ready_tasks() == 0


def test_sweep_twice_changes_nothing_the_second_time(stuck_limit_passed):
    crashed_mid_send("멈춘 안내")
    now = timezone.now()

    recover_stalled(now)
    tasks_after_first = ready_tasks()
    second = recover_stalled(now)

    assert tasks_after_first == 1
    assert ready_tasks() == 1
    assert second == "retrying=0, dead=0, enqueued=0"


def test_stuck_message_out_of_attempts_is_dead(settings, stuck_limit_passed):
    settings.SOTONG_OUTBOX_MAX_ATTEMPTS = 1
    message = crashed_mid_send("마지막 시도")

    recover_stalled(timezone.now())

    message.refresh_from_db()
    assert message.status == Status.DEAD
    assert ready_tasks() == 0


def test_due_message_whose_task_vanished_gets_a_new_one(sms_outbox, run_worker, stuck_limit_passed):
    # given a queued message whose task was lost (e.g. the task table was purged) and is overdue
    message = queue_sms("010-1234-5678", "잃어버린 작업")
    DBTaskResult.objects.all().delete()

    # when the scheduler runs its due sweeps and then the worker runs
    results = run_due(timezone.now() + timedelta(seconds=1), only=["messaging.recover_stalled"], force=True)
    run_worker()

    # then
    assert "enqueued=1" in results["messaging.recover_stalled"]
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(sms_outbox) == 1


def test_message_waiting_for_its_retry_time_is_not_enqueued_again(
    sms_gateway, run_worker, settings, stuck_limit_passed
):
    # given a message that failed once and waits a minute for its next try, with its deferred task
    settings.SOTONG_OUTBOX_BACKOFF_SECONDS = 60
    sms_gateway.answers = [(503, {"errorCode": "Unavailable"})]
    message = queue_sms("010-1234-5678", "대기 안내")
    run_worker()
    message.refresh_from_db()
    assert message.status == Status.RETRYING
    assert ready_tasks() == 1

    # when
    summary = recover_stalled(timezone.now())

    # then
    assert summary == "retrying=0, dead=0, enqueued=0"
    assert ready_tasks() == 1
