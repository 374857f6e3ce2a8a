"""E-mail through Django's e-mail backend (console, file, smtp or locmem, as EMAIL_BACKEND says)."""

from __future__ import annotations

import smtplib
from email.utils import parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.utils import DNS_NAME

from sotong.messaging.backends.base import SendResult

if TYPE_CHECKING:
    from sotong.messaging.models import Message


def message_id_header(message: Message) -> str:
    """RFC 5322 Message-ID made from the message UUID, so a bounce names the message it is about."""
    domain = parseaddr(message.sender)[1].rpartition("@")[2] or str(DNS_NAME)
    return f"<{message.pk}@{domain}>"


def build_email(message: Message) -> EmailMultiAlternatives:
    headers = {
        **(message.headers or {}),
        "Message-ID": message_id_header(message),
        "X-Sotong-Message-Id": str(message.pk),
    }
    email = EmailMultiAlternatives(
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
