"""Outbox use cases: queue, cancel and retry messages, and the worker's own steps of delivery.

Every function here runs in `transaction.atomic` and writes an Event. Queueing enqueues the delivery
task in the caller's transaction (the database task backend writes its row there too), so a caller
that rolls back leaves neither the message nor the task behind, and one that commits leaves both.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.core.db.inserts import insert_row
from sotong.core.events import record_event
from sotong.core.tasks import enqueue_with_row
from sotong.messaging.backends.base import SendResult
from sotong.messaging.exceptions import OutboxError
from sotong.messaging.models import (
    CLAIMABLE,
    Channel,
    DeliveryAttempt,
    Message,
    Outcome,
    Status,
    check_transition,
)
from sotong.messaging.text import (
    LMS_MAX_BYTES,
    LMS_SUBJECT_MAX_BYTES,
    TextTooLong,
    UnencodableText,
    classify_sms,
    describe_character,
    euc_kr_length,
    normalize_mobile,
    normalize_sender_number,
)

if TYPE_CHECKING:
    from django_tasks.base import Task

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "outbox"
MAX_RETRY_DELAY = timedelta(hours=6)
# Headers the outbox sets itself; callers may add others (List-Unsubscribe...), not these.
RESERVED_HEADERS = {"message-id", "x-sotong-message-id", "from", "to", "cc", "bcc", "subject", "reply-to"}


# --- queueing -----------------------------------------------------------------------------------------


def queue_email(
    to: str,
    subject: str,
    text: str,
    *,
    html: str = "",
    sender: str = "",
    purpose: str = "",
    about: models.Model | None = None,
    idempotency_key: str | None = None,
    headers: dict[str, str] | None = None,
    actor: Any = None,
) -> Message:
    """전자우편 발송 예약: write an e-mail to the outbox and enqueue its delivery.

    `about` is the object that caused the message (a case...); `idempotency_key`, when given, makes a
    second call with the same key return the first message instead of writing another.
    Raises `OutboxError` (Korean message) for a bad address, an empty subject or body, or bad headers.
    """
    recipient = _clean_email(to)
    sender = sender.strip() if sender else settings.DEFAULT_FROM_EMAIL
    _clean_sender_email(sender)
    subject = (subject or "").strip()
    if not subject:
        raise OutboxError(_("전자우편 제목을 입력해 주세요."), code="subject_required")
    if "\n" in subject or "\r" in subject or len(subject) > 255:
        raise OutboxError(_("전자우편 제목은 한 줄, 255자 이내여야 합니다."), code="subject_invalid")
    if not (text or "").strip():
        raise OutboxError(_("본문을 입력해 주세요."), code="body_required")
    return _queue(
        channel=Channel.EMAIL,
        recipient=recipient,
        sender=sender,
        subject=subject,
        body_text=text,
        body_html=html or "",
        headers=_clean_headers(headers or {}),
        purpose=purpose,
        about=about,
        idempotency_key=idempotency_key,
        actor=actor,
    )


def queue_sms(
    to: str,
    text: str,
    *,
    subject: str = "",
    sender: str = "",
    purpose: str = "",
    about: models.Model | None = None,
    idempotency_key: str | None = None,
    actor: Any = None,
) -> Message:
    """문자 발송 예약: write an SMS or LMS to the outbox and enqueue its delivery.

    The channel follows the EUC-KR length of `text`: up to 90 bytes SMS, up to 2,000 bytes LMS.
    `subject` is sent only with an LMS (SMS has no subject line). Raises `OutboxError` for a number that
    is not a Korean mobile number, text too long for an LMS, or characters EUC-KR cannot carry.
    """
    recipient = normalize_mobile(to)
    if recipient is None:
        raise OutboxError(
            _("휴대전화 번호가 올바르지 않습니다: %(value)s (예: 010-1234-5678)") % {"value": to},
            code="invalid_phone",
            params={"value": to},
        )
    sender_number = normalize_sender_number(sender or settings.SOTONG_SMS_SENDER)
    if sender_number is None:
        raise OutboxError(
            _("발신번호가 올바르지 않습니다: %(value)s") % {"value": sender},
            code="invalid_sender",
            params={"value": sender},
        )
    text = (text or "").replace("\r\n", "\n")
    if not text.strip():
        raise OutboxError(_("문자 내용을 입력해 주세요."), code="body_required")
    try:
        channel = Channel(classify_sms(text))
    except UnencodableText as exc:
        raise _unencodable_error(exc, field=_("문자 내용")) from exc
    except TextTooLong as exc:
        raise OutboxError(
            _(
                "문자 내용이 %(length)d바이트로 장문 문자 한도(%(limit)d바이트)를 넘습니다. 내용을 줄여 주세요."
            )
            % {"length": exc.length, "limit": LMS_MAX_BYTES},
            code="text_too_long",
            params={"length": exc.length, "limit": LMS_MAX_BYTES},
        ) from exc
    subject = (subject or "").strip()
    if subject:
        try:
            subject_length = euc_kr_length(subject)
        except UnencodableText as exc:
            raise _unencodable_error(exc, field=_("문자 제목")) from exc
        if subject_length > LMS_SUBJECT_MAX_BYTES or "\n" in subject:
            raise OutboxError(
                _("문자 제목은 한 줄, %(limit)d바이트 이내여야 합니다.") % {"limit": LMS_SUBJECT_MAX_BYTES},
                code="subject_invalid",
            )
    return _queue(
        channel=channel,
        recipient=recipient,
        sender=sender_number,
        subject=subject,
        body_text=text,
        body_html="",
        headers={},
        purpose=purpose,
        about=about,
        idempotency_key=idempotency_key,
        actor=actor,
    )


def _queue(
    *,
    channel: str,
    recipient: str,
    sender: str,
    subject: str,
    body_text: str,
    body_html: str,
    headers: dict[str, str],
    purpose: str,
    about: models.Model | None,
    idempotency_key: str | None,
    actor: Any,
) -> Message:
    key = (idempotency_key or "").strip() or None
    if key and len(key) > 200:
        raise OutboxError(_("중복 방지 키는 200자 이내여야 합니다."), code="idempotency_key_invalid")
    fields = {
        "channel": channel,
        "recipient": recipient,
        "sender": sender,
        "subject": subject,
        "body_text": body_text,
        "body_html": body_html,
        "headers": headers,
        "purpose": (purpose or "")[:60],
        "about_type": about._meta.label_lower if about is not None else "",
        "about_id": str(about.pk) if about is not None else "",
        "idempotency_key": key,
    }
    message = Message(**fields)
    # No savepoint: nothing below is expected to fail and be caught by the caller, whose transaction
    # this joins (a database error aborts it anyway). The duplicate case writes nothing and returns.
    with transaction.atomic(savepoint=False):
        written = insert_row(message, on_conflict="idempotency_key" if key else None)
        if written:
            record_event(actor, "messaging.queued", message, after=_summary(message))
            _enqueue_delivery(message)
    if not written:
        # The key was used before, or by a concurrent transaction that has committed since. Raising
        # outside the block leaves the caller's transaction usable.
        return _same_message(Message.objects.get(idempotency_key=key), recipient)
    return message


def _same_message(existing: Message, recipient: str) -> Message:
    if existing.recipient != recipient:
        raise OutboxError(
            _("같은 중복 방지 키로 다른 수신자에게 보낼 수 없습니다."),
            code="idempotency_key_conflict",
            params={"idempotency_key": existing.idempotency_key},
        )
    return existing


# --- staff actions ------------------------------------------------------------------------------------


def cancel_message(message: Message, *, actor: Any = None, reason: str = "") -> Message:
    """발송 취소: stop a message that has not gone out (queued, retrying or dead).

    Raises `IllegalTransition` when it is being sent, already sent or already cancelled.
    """
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        before = locked.status
        check_transition(before, Status.CANCELLED)
        locked.status = Status.CANCELLED
        locked.save(update_fields=["status"])
        record_event(
            actor,
            "messaging.cancelled",
            locked,
            before={"status": before},
            after={"status": locked.status},
            note=reason,
        )
    return locked


def retry_message(message: Message, *, actor: Any) -> Message:
    """재발송: put a dead message back in the queue with a fresh allowance of attempts (staff only).

    Raises `IllegalTransition` unless the message is dead.
    """
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        check_transition(locked.status, Status.QUEUED)
        now = timezone.now()
        locked.status = Status.QUEUED
        locked.max_attempts = locked.attempts + int(settings.SOTONG_OUTBOX_MAX_ATTEMPTS)
        locked.next_attempt_at = now
        locked.enqueued_at = now
        locked.save(update_fields=["status", "max_attempts", "next_attempt_at", "enqueued_at"])
        record_event(
            actor,
            "messaging.requeued",
            locked,
            before={"status": Status.DEAD, "last_error": locked.last_error[:500]},
            after={"status": locked.status, "max_attempts": locked.max_attempts},
        )
        _enqueue_delivery(locked)
    return locked


# --- the worker's steps -------------------------------------------------------------------------------


def claim_message(message_id: str, *, now: datetime | None = None) -> Message | None:
    """Take a due message for sending with one conditional UPDATE; None when it is not claimable.

    The claim increments `attempts`, which then identifies this attempt: the result is recorded only if
    the message is still in that attempt, so a late worker never overwrites a newer one. No Event is
    written here; the outcome writes it.
    """
    now = now or timezone.now()
    for status in CLAIMABLE:
        check_transition(status, Status.SENDING)
    claimed = Message.objects.filter(pk=message_id, status__in=CLAIMABLE, next_attempt_at__lte=now).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if claimed != 1:
        return None
    return Message.objects.get(pk=message_id)


def record_delivery(message: Message, result: SendResult) -> Message:
    """Record the outcome of the attempt `message` was claimed for: sent, retrying (with backoff) or dead."""
    now = timezone.now()
    if result.ok:
        new_status, outcome = Status.SENT, Outcome.SENT
    elif result.retryable:
        outcome = Outcome.RETRY
        new_status = Status.RETRYING if message.attempts < message.max_attempts else Status.DEAD
    else:
        new_status, outcome = Status.DEAD, Outcome.FAILED
    check_transition(Status.SENDING, new_status)
    changes: dict[str, Any] = {"status": new_status}
    if result.ok:
        changes.update(sent_at=now, provider_message_id=result.provider_message_id[:200], last_error="")
    else:
        changes["last_error"] = result.error[:4000]
    if new_status == Status.RETRYING:
        changes.update(next_attempt_at=now + retry_delay(message.attempts), enqueued_at=now)

    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message_id=message.pk,
            number=message.attempts,
            started_at=message.claimed_at or now,
            finished_at=now,
            outcome=outcome,
            error=result.error[:4000],
            provider_message_id=result.provider_message_id[:200],
        )
        current = Message.objects.filter(pk=message.pk, status=Status.SENDING, attempts=message.attempts)
        if current.update(**changes) != 1:
            logger.warning(
                "message %s: attempt %s finished after it was taken over", message.pk, message.attempts
            )
            return Message.objects.get(pk=message.pk)
        for field, value in changes.items():
            setattr(message, field, value)
        record_event(
            SYSTEM_ACTOR,
            f"messaging.{new_status}",
            message,
            before={"status": Status.SENDING},
            after={"status": new_status, "attempt": message.attempts, "error": result.error[:500]},
        )
        if new_status == Status.RETRYING:
            _enqueue_delivery(message, run_after=message.next_attempt_at)
    return message


def retry_delay(attempt: int, base_seconds: int | None = None) -> timedelta:
    """Wait before the next try after attempt number `attempt`: base, 2×base, 4×base..., at most 6 hours."""
    base = settings.SOTONG_OUTBOX_BACKOFF_SECONDS if base_seconds is None else base_seconds
    # The exponent is bounded so a long-lived message cannot overflow timedelta.
    seconds = base * 2 ** min(max(attempt - 1, 0), 32)
    return min(timedelta(seconds=seconds), MAX_RETRY_DELAY)


def stuck_after() -> timedelta:
    """How long a message may stay `sending`, or due without being taken, before the sweep steps in."""
    return timedelta(seconds=getattr(settings, "SOTONG_OUTBOX_STUCK_SECONDS", 15 * 60))


def recover_stalled_messages(now: datetime, *, limit: int = 500) -> dict[str, int]:
    """미발송 복구: hand messages the workers lost back to them (at-least-once delivery).

    A message `sending` for longer than `stuck_after()` lost its worker mid-send: it goes back to
    `retrying` (or `dead` when out of attempts) and may be sent twice. A queued or retrying message due
    that long ago whose task never ran gets a new task. Running it again changes nothing.
    """
    before = now - stuck_after()
    counts = {"retrying": 0, "dead": 0, "enqueued": 0}
    with transaction.atomic():
        for message in Message.objects.stuck_sending(before).order_by("claimed_at")[:limit]:
            new_status = Status.RETRYING if message.attempts < message.max_attempts else Status.DEAD
            check_transition(Status.SENDING, new_status)
            error = _("발송 중 작업자가 멈췄습니다 (%(since)s 시작).") % {"since": message.claimed_at}
            updated = Message.objects.filter(
                pk=message.pk, status=Status.SENDING, attempts=message.attempts, claimed_at=message.claimed_at
            ).update(status=new_status, next_attempt_at=now, enqueued_at=now, last_error=error)
            if updated != 1:
                continue
            DeliveryAttempt.objects.create(
                message_id=message.pk,
                number=message.attempts,
                started_at=message.claimed_at or now,
                finished_at=now,
                outcome=Outcome.LOST,
                error=error,
            )
            message.status = new_status
            record_event(
                "scheduler",
                f"messaging.{new_status}",
                message,
                before={"status": Status.SENDING},
                after={"status": new_status, "attempt": message.attempts},
                note=error,
            )
            if new_status == Status.RETRYING:
                _enqueue_delivery(message)
            counts[new_status] += 1
        for message in Message.objects.overdue(before).order_by("next_attempt_at")[:limit]:
            updated = Message.objects.filter(
                pk=message.pk, status=message.status, enqueued_at=message.enqueued_at
            ).update(enqueued_at=now)
            if updated == 1:
                _enqueue_delivery(message)
                counts["enqueued"] += 1
    return counts


# --- helpers ------------------------------------------------------------------------------------------


def _enqueue_delivery(message: Message, run_after: datetime | None = None) -> None:
    """Enqueue `deliver_message` for `message`, in the current transaction when the backend allows it."""
    from django_tasks_db.backend import DatabaseBackend

    # tasks.py imports this module; importing it here keeps the dependency one way at import time.
    from sotong.messaging.tasks import deliver_message

    task: Task[[str], str] = deliver_message
    backend = task.get_backend()
    if run_after is not None:
        if not backend.supports_defer:
            return  # the sweep enqueues it once it is due
        task = task.using(run_after=run_after)
    if run_after is None:
        enqueue_with_row(task, str(message.pk))
    elif isinstance(backend, DatabaseBackend):
        task.enqueue(str(message.pk))
    else:
        # A backend outside the database cannot roll back with the caller: enqueue only after commit.
        transaction.on_commit(partial(task.enqueue, str(message.pk)))


def _summary(message: Message) -> dict[str, Any]:
    """What the timeline keeps about a message: no full address, no body (they are personal data)."""
    return {
        "channel": message.channel,
        "recipient": message.masked_recipient,
        "purpose": message.purpose,
        "status": message.status,
    }


def _clean_email(value: str) -> str:
    address = (value or "").strip()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise OutboxError(
            _("전자우편 주소가 올바르지 않습니다: %(value)s") % {"value": value},
            code="invalid_email",
            params={"value": value},
        ) from exc
    return address


def _clean_sender_email(value: str) -> None:
    from email.utils import parseaddr

    if "\n" in value or "\r" in value:
        raise OutboxError(_("보내는 사람 주소가 올바르지 않습니다."), code="invalid_sender")
    _name, address = parseaddr(value)
    try:
        validate_email(address)
    except ValidationError as exc:
        raise OutboxError(
            _("보내는 사람 주소가 올바르지 않습니다: %(value)s") % {"value": value},
            code="invalid_sender",
            params={"value": value},
        ) from exc


def _clean_headers(headers: dict[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for name, value in headers.items():
        name, value = str(name).strip(), str(value)
        if not name or name.lower() in RESERVED_HEADERS or any(c in name + value for c in "\r\n"):
            raise OutboxError(
                _("사용할 수 없는 전자우편 헤더입니다: %(name)s") % {"name": name},
                code="invalid_header",
                params={"name": name},
            )
        cleaned[name] = value
    return cleaned


def _unencodable_error(exc: UnencodableText, *, field: str) -> OutboxError:
    shown = ", ".join(describe_character(c) for c in exc.characters)
    return OutboxError(
        _(
            "%(field)s에 문자로 보낼 수 없는 글자가 있습니다: %(characters)s. "
            "이모지나 완성형(KS X 1001)에 없는 한글(예: 똠, 뷁)은 빼거나 다른 글자로 바꿔 주세요."
        )
        % {"field": field, "characters": shown},
        code="unencodable_text",
        params={"characters": list(exc.characters)},
    )
