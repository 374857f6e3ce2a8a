"""Queueing, cancelling and retrying messages: what is written, what is refused, and the transaction."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from sotong.core.models import Event
from sotong.messaging.actions import cancel_message, queue_email, queue_sms, retry_message
from sotong.messaging.exceptions import IllegalTransition, OutboxError
from sotong.messaging.models import TRANSITIONS, Channel, Message, Status, check_transition
from sotong.messaging.tasks import deliver_message

pytestmark = pytest.mark.django_db


def tasks_for(message: Message) -> list[DBTaskResult]:
    return [t for t in DBTaskResult.objects.all() if t.args_kwargs["args"] == [str(message.pk)]]


def nothing_written() -> bool:
    return not Message.objects.exists() and not DBTaskResult.objects.exists() and not Event.objects.exists()


def test_queue_sms_writes_message_event_and_delivery_task():
    # when
    message = queue_sms("010-1234-5678", "민원이 접수되었습니다.", purpose="case.received")

    # then
    message.refresh_from_db()
    assert message.channel == Channel.SMS
    assert message.recipient == "01012345678"
    assert message.status == Status.QUEUED
    assert message.attempts == 0
    assert [t.task_path for t in tasks_for(message)] == [deliver_message.module_path]
    assert tasks_for(message)[0].queue_name == "messages"
    event = Event.objects.for_target(message).get()
    assert event.verb == "messaging.queued"
    assert "01012345678" not in str(event.after)


def test_queue_sms_chooses_lms_for_long_text_and_keeps_its_subject():
    # given text over 90 EUC-KR bytes
    text = "안내 " * 40

    # when
    message = queue_sms("01098765432", text, subject="구정 소식")

    # then
    assert message.channel == Channel.LMS
    assert message.subject == "구정 소식"


def test_queue_sms_refuses_emoji_naming_it_in_korean_and_writes_nothing():
    # when
    with pytest.raises(OutboxError) as excinfo:
        queue_sms("010-1234-5678", "접수되었습니다 😀 감사합니다")

    # then
    assert excinfo.value.code == "unencodable_text"
    assert "😀" in excinfo.value.message
    assert "보낼 수 없는 글자" in excinfo.value.message
    assert nothing_written()


def test_queue_sms_refuses_hangul_outside_ks_x_1001():
    with pytest.raises(OutboxError) as excinfo:
        queue_sms("010-1234-5678", "똠방각하 공연 안내")

    assert excinfo.value.params["characters"] == ["똠"]
    assert "똠" in excinfo.value.message
    assert nothing_written()


def test_queue_sms_refuses_text_longer_than_an_lms():
    with pytest.raises(OutboxError) as excinfo:
        queue_sms("010-1234-5678", "가" * 1001)

    assert excinfo.value.code == "text_too_long"
    assert excinfo.value.params["length"] == 2002
    assert nothing_written()


@pytest.mark.parametrize("number", ["02-2286-5678", "010-12-34", "전화번호"])
def test_queue_sms_refuses_what_is_not_a_mobile_number(number):
    with pytest.raises(OutboxError) as excinfo:
        queue_sms(number, "안내")

    assert excinfo.value.code == "invalid_phone"
    assert nothing_written()


@pytest.mark.parametrize("address", ["hong", "hong@", "hong@@example.kr", "a b@example.kr", ""])
def test_queue_email_refuses_bad_addresses(address):
    with pytest.raises(OutboxError) as excinfo:
        queue_email(address, "제목", "본문")

    assert excinfo.value.code == "invalid_email"
    assert nothing_written()


def test_queue_email_refuses_header_injection_and_reserved_headers():
    with pytest.raises(OutboxError):
        queue_email("hong@example.kr", "제목\nBcc: x@example.kr", "본문")
    with pytest.raises(OutboxError):
        queue_email("hong@example.kr", "제목", "본문", headers={"Message-ID": "<x@y>"})
    assert nothing_written()


@pytest.mark.django_db(transaction=True)
def test_rolled_back_caller_leaves_no_message_and_no_task():
    # given a caller whose own change fails after queueing its notice
    class CallerFailed(Exception):
        pass

    def submit_case_and_fail() -> None:
        with transaction.atomic():
            queue_email("hong@example.kr", "접수 안내", "민원이 접수되었습니다.")
            queue_sms("010-1234-5678", "민원이 접수되었습니다.")
            raise CallerFailed

    # when
    with pytest.raises(CallerFailed):
        submit_case_and_fail()

    # then
    assert nothing_written()


def test_committed_caller_leaves_message_and_task_together():
    with transaction.atomic():
        message = queue_email("hong@example.kr", "접수 안내", "민원이 접수되었습니다.")

    assert Message.objects.filter(pk=message.pk).exists()
    assert len(tasks_for(message)) == 1


def test_same_idempotency_key_writes_once():
    # given a notice written once
    first = queue_sms("010-1234-5678", "접수 안내", idempotency_key="case:17:received")

    # when the same notice is written again (a retried request, a replayed import)
    second = queue_sms("01012345678", "접수 안내", idempotency_key="case:17:received")

    # then
    assert second.pk == first.pk
    assert Message.objects.count() == 1
    assert len(tasks_for(first)) == 1
    assert Event.objects.filter(verb="messaging.queued").count() == 1


def test_idempotency_key_for_another_recipient_is_refused():
    queue_sms("010-1234-5678", "접수 안내", idempotency_key="case:17:received")

    with pytest.raises(OutboxError) as excinfo:
        queue_sms("010-9999-8888", "접수 안내", idempotency_key="case:17:received")

    assert excinfo.value.code == "idempotency_key_conflict"
    assert Message.objects.count() == 1


def test_messages_can_be_found_by_the_object_that_caused_them(django_user_model):
    # given two messages about one object and one about nothing
    cause = django_user_model.objects.create_user(
        "handler1", "h@example.kr", "pw-long-enough-123", name="담당"
    )
    about_it = queue_email("hong@example.kr", "답변 안내", "답변이 등록되었습니다.", about=cause)
    queue_sms("010-1234-5678", "답변이 등록되었습니다.", about=cause)
    queue_sms("010-1234-5678", "다른 안내")

    # then
    found = Message.objects.about(cause)
    assert found.count() == 2
    assert about_it in found


def test_cancelled_message_is_not_delivered(sms_outbox):
    # given
    message = queue_sms("010-1234-5678", "취소될 안내")

    # when
    cancel_message(message, actor="tester", reason="잘못 보냄")
    outcome = deliver_message.call(str(message.pk))

    # then
    message.refresh_from_db()
    assert message.status == Status.CANCELLED
    assert outcome == "skipped"
    assert sms_outbox == []
    assert Event.objects.for_target(message).filter(verb="messaging.cancelled").exists()


def test_sent_message_cannot_be_cancelled_or_retried(sms_outbox):
    message = queue_sms("010-1234-5678", "보낸 안내")
    deliver_message.call(str(message.pk))

    with pytest.raises(IllegalTransition):
        cancel_message(message)
    with pytest.raises(IllegalTransition):
        retry_message(message, actor="tester")

    message.refresh_from_db()
    assert message.status == Status.SENT


def test_queued_message_cannot_be_retried():
    message = queue_sms("010-1234-5678", "대기 중 안내")

    with pytest.raises(IllegalTransition) as excinfo:
        retry_message(message, actor="tester")

    assert excinfo.value.status_code == 409
    message.refresh_from_db()
    assert message.status == Status.QUEUED


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("new", list(Status))
def test_transition_check_follows_the_table(current, new):
    if new in TRANSITIONS[current]:
        check_transition(current, new)
    else:
        with pytest.raises(IllegalTransition):
            check_transition(current, new)


def test_sent_and_cancelled_are_final_and_every_other_status_can_end():
    assert not TRANSITIONS[Status.SENT]
    assert not TRANSITIONS[Status.CANCELLED]
    # every status reaches a final one
    for start in Status:
        seen, frontier = {start}, [start]
        while frontier:
            for nxt in TRANSITIONS[frontier.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        assert seen & {Status.SENT, Status.CANCELLED}


def test_with_a_backend_outside_the_database_delivery_waits_for_the_callers_commit(
    settings, sms_outbox, django_capture_on_commit_callbacks
):
    # given the immediate task backend, which runs a task the moment it is enqueued
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}
    }

    # when the caller's transaction is still open nothing is sent; on commit it is
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        message = queue_sms("010-1234-5678", "커밋 후 발송")
        assert sms_outbox == []

    # then
    assert len(callbacks) == 1
    assert [item["customFields"]["messageId"] for item in sms_outbox] == [str(message.pk)]
    message.refresh_from_db()
    assert message.status == Status.SENT
