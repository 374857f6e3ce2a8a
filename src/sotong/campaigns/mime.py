"""Campaign e-mails as raw bytes, built by string joining (the `email` package costs more than the rest of
the pipeline together), with RFC 8058 one-click unsubscribe headers and optional DKIM signing.

The parts are UTF-8 in base64; the headers that do not change from one recipient to the next are built
once per campaign (`EmailShape`).
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from email.utils import formataddr, formatdate
from functools import lru_cache
from typing import Any

from sotong.core import dkim as core_dkim

# Signed by DKIM when a key is set: RFC 8058 §4 asks that both unsubscribe headers be covered.
DKIM_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"mime-version",
    b"content-type",
)


def encode_word(value: str) -> str:
    """RFC 2047 encoded words for a header value (ASCII passes through); 10 characters per word."""
    if value.isascii():
        return value
    words = [
        "=?utf-8?b?" + base64.b64encode(value[i : i + 10].encode()).decode() + "?="
        for i in range(0, len(value), 10)
    ]
    return "\r\n ".join(words)


def _b64(text: str) -> bytes:
    """Base64 in lines of 76 characters ending in CRLF (RFC 2045 §6.8): one encode of the whole text,
    then the lines cut from it, instead of `encodebytes`' loop of 57-byte pieces and a replace."""
    encoded = binascii.b2a_base64(text.encode(), newline=False)
    return b"".join(encoded[i : i + 76] + b"\r\n" for i in range(0, len(encoded), 76))


@dataclass(frozen=True)
class EmailShape:
    """What every e-mail of one campaign shares: sender, domain of the Message-ID, boundary."""

    sender_name: str
    sender_email: str

    @property
    def domain(self) -> str:
        return self.sender_email.rpartition("@")[2] or "sotong.localhost"

    def from_header(self) -> str:
        return _from_header(self.sender_name, self.sender_email)


@lru_cache(maxsize=16)
def _from_header(name: str, address: str) -> str:
    return formataddr((name, address), charset="utf-8")


def build_email(
    shape: EmailShape,
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    reference: str,
    unsubscribe_url: str,
    date: str | None = None,
) -> bytes:
    """One message: List-Unsubscribe (https) + List-Unsubscribe-Post one-click, the reference as
    Message-ID and X-Sotong-Ref (bounces name it), multipart/alternative when there is HTML."""
    boundary = f"=_sotong_{reference}"
    head = [
        f"From: {shape.from_header()}",
        f"To: {to}",
        f"Subject: {encode_word(subject)}",
        f"Date: {date or _date()}",
        f"Message-ID: <{reference}@{shape.domain}>",
        f"X-Sotong-Ref: {reference}",
        f"List-Unsubscribe: <{unsubscribe_url}>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "MIME-Version: 1.0",
    ]
    if not html:
        head += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + _b64(text)
    else:
        head.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        part = "Content-Type: text/{kind}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        raw = b"".join(
            [
                ("\r\n".join(head) + "\r\n\r\n").encode(),
                f"--{boundary}\r\n{part.format(kind='plain')}".encode(),
                _b64(text),
                f"--{boundary}\r\n{part.format(kind='html')}".encode(),
                _b64(html),
                f"--{boundary}--\r\n".encode(),
            ]
        )
    return dkim_sign(raw)


_last_date: list[Any] = [0, ""]


def _date() -> str:
    """RFC 5322 date of this second (formatted once a second, not once a message)."""
    now = int(time.time())
    if _last_date[0] != now:
        _last_date[:] = [now, formatdate(now, localtime=True)]
    return str(_last_date[1])


def _dkim_key(path: str) -> bytes:
    return core_dkim.private_key(path)


def dkim_sign(raw: bytes) -> bytes:
    """Prepend a DKIM-Signature when SOTONG_DKIM_DOMAIN and SOTONG_DKIM_PRIVATE_KEY_FILE are set (the one
    implementation in `sotong.core.dkim`, with this module's header list: both unsubscribe headers)."""
    return core_dkim.sign(raw, include_headers=DKIM_HEADERS)
