"""E-mail delivered end to end by the real worker to a real aiosmtpd server on loopback."""

from __future__ import annotations

import re

import pytest

from sotong.messaging.actions import queue_email
from sotong.messaging.models import DeliveryAttempt, Outcome, Status
from sotong.messaging.tasks import deliver_message
from sotong.messaging.tests.fixtures import free_port

pytestmark = pytest.mark.django_db


def test_worker_delivers_email_to_smtp_server_with_message_id_headers(smtp_server, run_worker):
    # given a Korean e-mail with an HTML part, queued by some app
    message = queue_email(
        "citizen@example.kr",
        "[성동구] 민원 처리 결과 안내",
        "홍길동님, 신청하신 민원의 처리 결과를 알려 드립니다.",
        html="<p>홍길동님, 처리 결과를 <b>알려 드립니다</b>.</p>",
        sender="성동구 소통 <no-reply@sotong.example.kr>",
        headers={"List-Unsubscribe": "<https://sotong.example.kr/u/abc>"},
    )
    assert smtp_server.received == []  # nothing is sent while the caller runs

    # when
    run_worker()

    # then
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["citizen@example.kr"]
    assert mail.mail_from == "no-reply@sotong.example.kr"
    received = mail.message
    assert received["Message-ID"] == f"<{message.pk}@sotong.example.kr>"
    assert received["X-Sotong-Message-Id"] == str(message.pk)
    assert message.provider_message_id == received["Message-ID"]
    # Korean travels MIME-encoded on the wire and decodes back to the same text
    raw_headers = re.split(rb"\r?\n\r?\n", mail.raw, maxsplit=1)[0]
    assert b"X-Sotong-Message-Id" in raw_headers
    assert b"Subject: =?utf-8?" in raw_headers
    assert "성동구".encode() not in raw_headers
    assert str(received["Subject"]) == "[성동구] 민원 처리 결과 안내"
    assert received["From"].addresses[0].display_name == "성동구 소통"
    assert received["List-Unsubscribe"] == "<https://sotong.example.kr/u/abc>"
    assert received.get_body(("plain",)).get_content().strip() == message.body_text
    assert "<b>알려 드립니다</b>" in received.get_body(("html",)).get_content()
    [attempt] = DeliveryAttempt.objects.filter(message=message)
    assert attempt.outcome == Outcome.SENT


def test_running_the_worker_again_does_not_send_twice(smtp_server, run_worker):
    message = queue_email("citizen@example.kr", "안내", "본문")
    run_worker()

    # when a duplicate task for the same message turns up and the worker runs again
    deliver_message.enqueue(str(message.pk))
    run_worker()

    # then
    assert len(smtp_server.received) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_address_refused_with_5xx_is_dead_at_once(smtp_server, run_worker):
    # given a server that does not know the recipient
    smtp_server.refuse.add("nobody@example.kr")
    message = queue_email("nobody@example.kr", "안내", "본문")

    # when
    run_worker()

    # then
    message.refresh_from_db()
    assert message.status == Status.DEAD
    assert message.attempts == 1
    assert "550" in message.last_error
    assert smtp_server.received == []


def test_unreachable_smtp_server_is_retried_later(smtp_server, run_worker, settings):
    # given the server is not there (a closed port) and retries wait a minute
    settings.SOTONG_OUTBOX_BACKOFF_SECONDS = 60
    settings.EMAIL_PORT = free_port()
    message = queue_email("citizen@example.kr", "안내", "본문")

    # when
    run_worker()

    # then
    message.refresh_from_db()
    assert message.status == Status.RETRYING
    assert message.attempts == 1
    assert message.last_error
    assert message.next_attempt_at > message.claimed_at
