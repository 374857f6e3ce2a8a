"""E-mail through Django's e-mail backend (console, file, smtp or locmem, as EMAIL_BACKEND says),
DKIM-signed (`sotong.core.dkim`) when a key is configured."""

from __future__ import annotations

import smtplib
from email.message import Message as MimeMessage
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.utils import DNS_NAME

from sotong.core import dkim
from sotong.messaging.backends.base import SendResult

if TYPE_CHECKING:
    from sotong.messaging.models import Message


def message_id_header(message: Message) -> str:
    """RFC 5322 Message-ID made from the message UUID, so a bounce names the message it is about."""
    domain = parseaddr(message.sender)[1].rpartition("@")[2] or str(DNS_NAME)
    return f"<{message.pk}@{domain}>"


class SignedBytes:
    """A MIME message fixed as the bytes its DKIM signature covers.

    Django's backends serialise `EmailMessage.message()` themselves (smtp with CRLF, console and file with
    LF); serialising again would pick a new multipart boundary and break the signature, so `as_bytes` hands
    out the signed bytes, and everything else (the charset the console backend asks for) comes from the
    original message.
    """

    def __init__(self, signed: bytes, original: MimeMessage) -> None:
        self.signed = signed
        self.original = original

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        if linesep == "\r\n":
            return self.signed
        return self.signed.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(unixfrom, linesep).decode("utf-8", "replace")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.original, name)


class SignedEmail(EmailMultiAlternatives):
    """An e-mail whose wire form carries a DKIM-Signature when SOTONG_DKIM_* configure a key.

    Signed once: `EmailSender` signs before it connects (a broken key never opens a connection), and the
    backend's own call gets the same bytes.
    """

    _signed: SignedBytes | None = None

    def message(self, **kwargs: Any) -> Any:
        if self._signed is not None:
            return self._signed
        # Django's SafeMIME classes take `linesep`, which the stubs' `email.message.Message` does not show.
        mime: Any = super().message(**kwargs)
        if not dkim.is_configured():
            return mime
        self._signed = SignedBytes(dkim.sign(mime.as_bytes(linesep="\r\n")), mime)
        return self._signed


def build_email(message: Message) -> EmailMultiAlternatives:
    headers = {
        **(message.headers or {}),
        "Message-ID": message_id_header(message),
        "X-Sotong-Message-Id": str(message.pk),
    }
    email = SignedEmail(
        subject=message.subject,
        body=message.body_text,
        from_email=message.sender or settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers=headers,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


class EmailSender:
    """Sends one outbox e-mail and sorts failures into retryable (4xx, network) and permanent (5xx)."""

    def send(self, message: Message) -> SendResult:
        email = build_email(message)
        try:
            email.message()
        except Exception as exc:  # dkimpy raises its own errors, or ValueError, for a key it cannot use
            if not dkim.is_configured():
                raise
            # Like a wrong SMTP password: the operator's to fix, and the message is fine; keep it for later.
            return SendResult.retry(f"DKIM signing failed ({type(exc).__name__}: {exc})")
        try:
            with get_connection(fail_silently=False) as connection:
                sent = connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            error = f"recipient refused: {exc.recipients}"
            return SendResult.failed(error) if codes and min(codes) >= 500 else SendResult.retry(error)
        except smtplib.SMTPAuthenticationError as exc:
            # A wrong password is the operator's to fix; the message itself is fine, so keep it for later.
            return SendResult.retry(f"SMTP authentication failed: {exc.smtp_code} {exc.smtp_error!r}")
        except smtplib.SMTPResponseException as exc:
            error = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            return SendResult.failed(error) if exc.smtp_code >= 500 else SendResult.retry(error)
        except (smtplib.SMTPException, OSError) as exc:
            return SendResult.retry(f"{type(exc).__name__}: {exc}")
        if not sent:
            return SendResult.retry("the e-mail backend accepted no message")
        return SendResult.sent(message_id_header(message))
