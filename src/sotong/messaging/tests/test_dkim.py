"""Outbox e-mails DKIM-signed when a key is configured, verified as a receiving server would."""

from __future__ import annotations

import io
import re

import dkim
import pytest
from django.core.mail.backends.console import EmailBackend as ConsoleBackend

from sotong.messaging.actions import queue_email
from sotong.messaging.backends.email import build_email
from sotong.messaging.models import Status

pytestmark = pytest.mark.django_db

UNSUBSCRIBE = {
    "List-Unsubscribe": "<https://sotong.example.kr/campaigns/p/abc/>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def _signed_names(raw: bytes) -> list[str]:
    head = re.split(rb"\r\n\r\n", raw, maxsplit=1)[0].decode()
    tag = re.search(r"\bh=([^;]+);", re.sub(r"\s+", "", head.split("DKIM-Signature:", 1)[1]))
    assert tag is not None
    return tag.group(1).lower().split(":")


def test_outbox_email_reaches_smtp_signed_and_verifies(smtp_server, run_worker, dkim_key):
    # given a Korean e-mail with HTML and the one-click unsubscribe headers of a people message
    message = queue_email(
        "citizen@example.kr",
        "[성동구] 정보 수신 동의 사실 안내",
        "홍길동님, 2024년 11월 22일에 성동 소식 수신에 동의하셨습니다.\n철회: https://sotong.example.kr/",
        html="<p>홍길동님, <b>동의 사실</b>을 알려 드립니다.</p>",
        sender="성동구 소통 <no-reply@sotong.example.kr>",
        headers=UNSUBSCRIBE,
    )

    # when the real worker delivers it to the real SMTP server
    run_worker()

    # then the bytes the server received carry a signature that verifies against the published key
    message.refresh_from_db()
    assert message.status == Status.SENT
    [mail] = smtp_server.received
    assert mail.raw.startswith(b"DKIM-Signature:")
    assert dkim.verify(mail.raw, dnsfunc=dkim_key.dnsfunc)
    names = _signed_names(mail.raw)
    for header in (
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "list-unsubscribe",
        "list-unsubscribe-post",
    ):
        assert header in names
    assert "d=sotong.example.kr" in mail.message["DKIM-Signature"].replace(" ", "")
    assert mail.message.get_body(("html",)).get_content().strip().endswith("알려 드립니다.</p>")
    # and a changed unsubscribe header or body no longer verifies
    tampered = mail.raw.replace(b"List-Unsubscribe=One-Click", b"List-Unsubscribe=Never")
    assert tampered != mail.raw
    assert not dkim.verify(tampered, dnsfunc=dkim_key.dnsfunc)
    assert not dkim.verify(
        mail.raw.replace(b"citizen@example.kr", b"someone@example.kr"), dnsfunc=dkim_key.dnsfunc
    )


def test_plain_email_without_unsubscribe_headers_signs_only_what_it_has(smtp_server, run_worker, dkim_key):
    queue_email("citizen@example.kr", "민원 처리 결과 안내", "처리 결과를 알려 드립니다.")

    run_worker()

    [mail] = smtp_server.received
    assert dkim.verify(mail.raw, dnsfunc=dkim_key.dnsfunc)
    names = _signed_names(mail.raw)
    assert "list-unsubscribe" not in names
    assert {"from", "to", "subject", "message-id"} <= set(names)


def test_without_a_key_outbox_email_is_sent_unsigned(smtp_server, run_worker, settings):
    settings.SOTONG_DKIM_DOMAIN = ""
    settings.SOTONG_DKIM_PRIVATE_KEY_FILE = ""
    queue_email("citizen@example.kr", "안내", "본문", headers=UNSUBSCRIBE)

    run_worker()

    [mail] = smtp_server.received
    assert b"DKIM-Signature" not in mail.raw
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_console_backend_prints_the_signed_message(dkim_key):
    # given a message built as the worker builds it
    message = queue_email("citizen@example.kr", "안내", "본문입니다", headers=UNSUBSCRIBE)
    stream = io.StringIO()

    # when the console backend (LF line ends) writes it
    ConsoleBackend(stream=stream).send_messages([build_email(message)])

    # then the same signed bytes come out, and turned back to CRLF they still verify
    printed = stream.getvalue()
    assert printed.startswith("DKIM-Signature:")
    raw = printed.rstrip("\n").split("\n" + "-" * 79)[0].encode().replace(b"\n", b"\r\n")
    assert dkim.verify(raw, dnsfunc=dkim_key.dnsfunc)


def test_a_key_that_cannot_sign_keeps_the_message_for_a_retry(
    smtp_server, run_worker, dkim_key, settings, tmp_path
):
    # given a key file that is not a key
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    settings.SOTONG_DKIM_PRIVATE_KEY_FILE = str(broken)
    message = queue_email("citizen@example.kr", "안내", "본문")

    # when the worker tries it
    run_worker()

    # then nothing unsigned went out, and the message waits for the operator to fix the key
    assert smtp_server.received == []
    message.refresh_from_db()
    assert message.status == Status.RETRYING
    assert "DKIM signing failed" in message.last_error
