"""Delivery backends: e-mail through Django's e-mail backends, SMS/LMS through one of ours.

A backend never raises for an expected failure: it returns a `SendResult` that says whether the message
went out, and if not, whether trying again later may help (timeouts, 5xx) or not (4xx, refused address).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sotong.messaging.backends.base import SendResult, SmsBackend
from sotong.messaging.backends.email import EmailSender
from sotong.messaging.backends.sms import get_sms_backend

if TYPE_CHECKING:
    from sotong.messaging.models import Message

__all__ = ["EmailSender", "SendResult", "SmsBackend", "get_sms_backend", "send"]


def send(message: Message) -> SendResult:
    """Hand one message to the backend its channel uses under the current settings."""
    if message.is_sms:
        return get_sms_backend().send(message)
    return EmailSender().send(message)
