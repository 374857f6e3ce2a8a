"""The one DKIM implementation: which headers it signs, and that it leaves mail alone without a key."""

from __future__ import annotations

import dkim as dkimpy

from sotong.core import dkim

RAW = (
    b"From: =?utf-8?b?7ISx64+Z6rWs?= <news@sotong.example.kr>\r\n"
    b"To: reader@example.com\r\n"
    b"Subject: =?utf-8?b?7JWI64K0?=\r\n"
    b" =?utf-8?b?7JWI64K0?=\r\n"
    b"Date: Sun, 22 Nov 2026 10:00:00 +0900\r\n"
    b"Message-ID: <c1r2@sotong.example.kr>\r\n"
    b"List-Unsubscribe: <https://sotong.example.kr/campaigns/u/x/>\r\n"
    b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Reply-To: not-a-header@example.com\r\n"
)


def test_headers_to_sign_include_both_unsubscribe_headers_when_present():
    names = dkim.headers_to_sign(RAW)

    assert names == [
        b"from",
        b"to",
        b"subject",
        b"date",
        b"message-id",
        b"mime-version",
        b"content-type",
        b"list-unsubscribe",
        b"list-unsubscribe-post",
    ]


def test_header_names_read_the_header_block_only():
    # a folded continuation and a body line that looks like a header are not header fields
    assert b"reply-to" not in dkim.header_names(RAW)
    assert b" =?utf-8?b?7jwi64k0?=" not in dkim.header_names(RAW)
    without = RAW.replace(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", b"")
    assert b"list-unsubscribe-post" not in dkim.headers_to_sign(without)


def test_without_domain_or_key_the_message_is_returned_unchanged(settings):
    settings.SOTONG_DKIM_DOMAIN = "sotong.example.kr"
    settings.SOTONG_DKIM_PRIVATE_KEY_FILE = ""

    assert not dkim.is_configured()
    assert dkim.sign(RAW) is RAW


def test_signed_message_verifies_and_covers_the_unsubscribe_headers(dkim_key):
    signed = dkim.sign(RAW)

    assert signed.endswith(RAW)
    assert dkimpy.verify(signed, dnsfunc=dkim_key.dnsfunc)
    header = signed[: len(signed) - len(RAW)].decode().replace("\r\n", "").replace(" ", "").replace("\t", "")
    assert (
        "h=from:to:subject:date:message-id:mime-version:content-type:list-unsubscribe:list-unsubscribe-post;"
        in header
    )
    tampered = signed.replace(b"List-Unsubscribe=One-Click", b"List-Unsubscribe=Later")
    assert not dkimpy.verify(tampered, dnsfunc=dkim_key.dnsfunc)
