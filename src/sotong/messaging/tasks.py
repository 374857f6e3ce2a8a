"""Delivery task: the worker sends one outbox message, never the web request."""

from __future__ import annotations

import logging

from django_tasks import task

from sotong.messaging import actions, backends
from sotong.messaging.backends import SendResult

logger = logging.getLogger(__name__)


@task(queue_name="messages")
def deliver_message(message_id: str) -> str:
    """Send message `message_id` once: claim it, hand it to its backend, record the outcome.

    Idempotent: when the claim fails (already sent, being sent, cancelled, not yet due) it does nothing,
    so a duplicate task or a second run is harmless. Returns the status it left the message in.
    """
    message = actions.claim_message(message_id)
    if message is None:
        return "skipped"
    try:
        result = backends.send(message)
    except Exception as exc:
        # A backend fault (bad configuration, a bug) is kept for another try rather than lost.
        logger.exception("message %s: backend raised", message_id)
        result = SendResult.retry(f"{type(exc).__name__}: {exc}")
    return actions.record_delivery(message, result).status
