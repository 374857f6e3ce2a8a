"""SMS/LMS delivered end to end by the real worker to an HTTP gateway on loopback that checks signatures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sotong.messaging.actions import queue_sms, retry_delay, retry_message
from sotong.messaging.backends.http import HttpSmsBackend
from sotong.messaging.models import DeliveryAttempt, Message, Outcome, Status
from sotong.messaging.tasks import deliver_message

pytestmark = pytest.mark.django_db

SERVER_ERROR = (500, {"errorCode": "InternalError", "errorMessage": "잠시 후 다시 시도"})


def attempts_of(message: Message) -> list[str]:
    return list(DeliveryAttempt.objects.filter(message=message).values_list("outcome", flat=True))


def test_worker_delivers_sms_and_lms_to_the_gateway_with_a_valid_signature(sms_gateway, run_worker, settings):
    # given one short and one long message
    short = queue_sms("010-1234-5678", "[성동구] 민원이 접수되었습니다.")
    long = queue_sms("010 9876 5432", "[성동구] 처리 결과 안내 " + "내용 " * 40, subject="처리 결과")
    assert sms_gateway.requests == []

    # when
    run_worker()

    # then both went out, signed, in the gateway's message format
    assert sms_gateway.rejected == []
    by_id = {item["customFields"]["messageId"]: item for item in sms_gateway.messages}
    assert set(by_id) == {str(short.pk), str(long.pk)}
    assert by_id[str(short.pk)] == {
        "to": "01012345678",
        "from": settings.SOTONG_SMS_SENDER,
        "text": short.body_text,
        "type": "SMS",
        "customFields": {"messageId": str(short.pk)},
    }
    assert by_id[str(long.pk)]["type"] == "LMS"
    assert by_id[str(long.pk)]["subject"] == "처리 결과"
    assert by_id[str(long.pk)]["to"] == "01098765432"
    for message in (short, long):
        message.refresh_from_db()
        assert message.status == Status.SENT
        assert message.provider_message_id
        assert attempts_of(message) == [Outcome.SENT]


def test_server_error_is_retried_then_sent(sms_gateway, run_worker, settings):
    # given a gateway that fails twice, and no wait between tries
    settings.SOTONG_OUTBOX_BACKOFF_SECONDS = 0
    sms_gateway.answers = [SERVER_ERROR, SERVER_ERROR]
    message = queue_sms("010-1234-5678", "재시도 안내")

    # when
    run_worker()

    # then
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 3
    assert len(sms_gateway.requests) == 3
    assert attempts_of(message) == [Outcome.RETRY, Outcome.RETRY, Outcome.SENT]
    assert message.last_error == ""


def test_first_retry_waits_the_backoff_and_the_task_is_deferred_to_then(sms_gateway, run_worker, settings):
    # given retries that wait a minute, doubling
    settings.SOTONG_OUTBOX_BACKOFF_SECONDS = 60
    sms_gateway.answers = [SERVER_ERROR]
    message = queue_sms("010-1234-5678", "재시도 안내")
    before = timezone.now()

    # when
    run_worker()

    # then the message waits, and so does its next task
    message.refresh_from_db()
    assert message.status == Status.RETRYING
    assert message.next_attempt_at >= before + timedelta(seconds=60)
    assert message.next_attempt_at <= timezone.now() + timedelta(seconds=60)
    waiting = DBTaskResult.objects.filter(status="READY")
    assert [t.run_after for t in waiting] == [message.next_attempt_at]
    assert len(sms_gateway.requests) == 1
    assert "500" in message.last_error

    # and running the worker now sends nothing more
    run_worker()
    assert len(sms_gateway.requests) == 1


def test_backoff_doubles_per_attempt_up_to_a_ceiling():
    delays = [retry_delay(n, base_seconds=60) for n in range(1, 6)]
    assert all(later == 2 * earlier for earlier, later in zip(delays, delays[1:], strict=False))
    assert delays[0] == timedelta(seconds=60)
    assert retry_delay(40, base_seconds=60) == retry_delay(41, base_seconds=60)
    assert retry_delay(10_000, base_seconds=60) == retry_delay(40, base_seconds=60)


def test_message_is_dead_after_max_attempts(sms_gateway, run_worker, settings):
    # given a gateway that always fails
    settings.SOTONG_OUTBOX_BACKOFF_SECONDS = 0
    settings.SOTONG_OUTBOX_MAX_ATTEMPTS = 3
    sms_gateway.answers = [SERVER_ERROR] * 10
    message = queue_sms("010-1234-5678", "실패할 안내")

    # when
    run_worker()

    # then
    message.refresh_from_db()
    assert message.status == Status.DEAD
    assert message.attempts == message.max_attempts == 3
    assert len(sms_gateway.requests) == 3
    assert attempts_of(message) == [Outcome.RETRY] * 3
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_client_error_is_dead_at_once(sms_gateway, run_worker):
    # given a gateway that rejects the request as malformed
    sms_gateway.answers = [(400, {"errorCode": "ValidationError", "errorMessage": "수신번호 형식 오류"})]
    message = queue_sms("010-1234-5678", "안내")

    # when
    run_worker()

    # then
    message.refresh_from_db()
    assert message.status == Status.DEAD
    assert message.attempts == 1
    assert "400" in message.last_error
    assert "ValidationError" in message.last_error
    assert attempts_of(message) == [Outcome.FAILED]


def test_wrong_api_secret_is_refused_by_the_gateway(sms_gateway, run_worker, settings):
    settings.SOTONG_SMS_API_SECRET = "not-the-secret"
    message = queue_sms("010-1234-5678", "안내")

    run_worker()

    message.refresh_from_db()
    assert sms_gateway.rejected == ["signature"]
    assert message.status == Status.DEAD
    assert "401" in message.last_error


def test_gateway_timeout_is_retryable(sms_gateway, run_worker, settings):
    # given a gateway slower than the client waits
    settings.SOTONG_SMS_TIMEOUT = 0.3
    settings.SOTONG_OUTBOX_BACKOFF_SECONDS = 60
    sms_gateway.delay = 1.0
    message = queue_sms("010-1234-5678", "안내")

    # when
    run_worker()

    # then
    message.refresh_from_db()
    assert message.status == Status.RETRYING
    assert "timed out" in message.last_error.lower()


def test_dead_message_retried_by_staff_is_delivered(sms_gateway, run_worker, django_user_model):
    # given a message that died on a rejected request
    sms_gateway.answers = [(400, {"errorCode": "ValidationError"})]
    message = queue_sms("010-1234-5678", "안내")
    run_worker()
    message.refresh_from_db()
    assert message.status == Status.DEAD
    staff = django_user_model.objects.create_user("staff1", "s@example.kr", "pw-long-enough-123", name="직원")

    # when
    retry_message(message, actor=staff)
    run_worker()

    # then
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 2
    assert attempts_of(message) == [Outcome.FAILED, Outcome.SENT]


def test_running_the_task_twice_sends_once(sms_gateway):
    message = queue_sms("010-1234-5678", "한 번만")

    first = deliver_message.call(str(message.pk))
    second = deliver_message.call(str(message.pk))

    assert (first, second) == (Status.SENT, "skipped")
    assert len(sms_gateway.messages) == 1


def test_send_many_posts_one_batch_and_reads_per_message_failures(sms_gateway):
    # given three messages and a gateway that accepts two of them
    messages = [queue_sms(f"010-1234-567{n}", f"안내 {n}") for n in range(3)]
    refused = str(messages[1].pk)
    sms_gateway.answers = [
        (
            200,
            {
                "groupInfo": {"groupId": "G1"},
                "failedMessageList": [
                    {
                        "statusCode": "1062",
                        "statusMessage": "수신거부",
                        "customFields": {"messageId": refused},
                    }
                ],
                "messageList": [],
            },
        )
    ]

    # when
    results = HttpSmsBackend().send_many(messages)

    # then
    assert len(sms_gateway.requests) == 1
    assert [r.ok for r in results] == [True, False, True]
    assert not results[1].retryable
    assert "1062" in results[1].error
