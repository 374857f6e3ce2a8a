"""What every delivery backend returns, and the SMS backend interface."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from sotong.messaging.models import Message


@dataclass(frozen=True)
class SendResult:
    """Outcome of handing one message to a provider."""

    ok: bool
    provider_message_id: str = ""
    error: str = ""
    retryable: bool = False

    @classmethod
    def sent(cls, provider_message_id: str = "") -> SendResult:
        return cls(ok=True, provider_message_id=provider_message_id)

    @classmethod
    def retry(cls, error: str) -> SendResult:
        return cls(ok=False, error=error, retryable=True)

    @classmethod
    def failed(cls, error: str) -> SendResult:
        return cls(ok=False, error=error, retryable=False)


class SmsBackend:
    """Sends SMS/LMS messages; subclasses implement `send_many`."""

    def send_many(self, messages: Sequence[Message]) -> list[SendResult]:
        raise NotImplementedError

    def send(self, message: Message) -> SendResult:
        return self.send_many([message])[0]

    @staticmethod
    def payload(message: Message) -> dict[str, object]:
        """The message in the gateway's shape (Solapi v4): to, from, text, type, subject, customFields."""
        item: dict[str, object] = {
            "to": message.recipient,
            "from": message.sender or settings.SOTONG_SMS_SENDER,
            "text": message.body_text,
            "type": message.channel.upper(),
            "customFields": {"messageId": str(message.pk)},
        }
        if message.channel == "lms" and message.subject:
            item["subject"] = message.subject
        return item
