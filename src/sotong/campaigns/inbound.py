"""What comes back: one-click unsubscribes, e-mail bounces (webhook and mailbox), SMS delivery reports.

Hard bounce or spam complaint → the address is suppressed at once; a third soft bounce → suppressed.
Each is a `DeliveryEvent`, moves the recipient's state and adds to the campaign's hourly figures.
"""

from __future__ import annotations

import mailbox
import re
from dataclasses import dataclass
from email.message import Message as EmailMessage
from typing import Any

from django.db import transaction
from django.utils import timezone

from sotong.campaigns.actions import SYSTEM, add_suppression
from sotong.campaigns.audience import contact_index_field
from sotong.campaigns.models import (
    Channel,
    DeliveryEvent,
    EventKind,
    Newsletter,
    Recipient,
    RecipientStatus,
    SuppressionReason,
)
from sotong.campaigns.sender import bump_hour
from sotong.campaigns.tokens import read_purpose_token, read_unsubscribe_token
from sotong.core.events import record_event
from sotong.people.actions import CITIZEN, withdraw_consent
from sotong.people.models import Consent, ConsentPurpose, Person

SOFT_BOUNCE_LIMIT = 3
_REFERENCE = re.compile(r"\bc(\d+)r(\d+)\b")


def parse_reference(value: str) -> tuple[int, int] | None:
    match = _REFERENCE.search(value or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def find_recipient(reference: str) -> Recipient | None:
    parsed = parse_reference(reference)
    if parsed is None:
        return None
    return Recipient.objects.select_related("campaign").filter(campaign_id=parsed[0], pk=parsed[1]).first()


# --- unsubscribe -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unsubscribed:
    newsletter: Newsletter
    person_id: int
    channel: str
    withdrawn: bool


def unsubscribe(token: str, *, only_channel: bool = False, source: str = "one-click") -> Unsubscribed | None:
    """수신 거부 by a signed token, without a login: the consent for the newsletter's purpose is withdrawn
    (or only the channel the message came by). None for a token that does not verify."""
    read = read_unsubscribe_token(token)
    if read is None:
        return None
    newsletter_id, person_id, channel = read
    newsletter = Newsletter.objects.filter(pk=newsletter_id).first()
    if newsletter is None:
        return None
    with transaction.atomic():
        consent = Consent.objects.open().filter(person_id=person_id, purpose_id=newsletter.purpose_id).first()
        withdrawn = False
        if consent is not None:
            withdraw_consent(CITIZEN, consent, channel=channel if only_channel else None)
            withdrawn = True
            recipient = (
                Recipient.objects.filter(person_id=person_id, campaign__newsletter_id=newsletter_id)
                .exclude(status=RecipientStatus.PENDING)
                .order_by("-id")
                .first()
            )
            person = (
                Person.objects.filter(pk=person_id)
                .values_list(contact_index_field(channel), flat=True)
                .first()
            )
            DeliveryEvent.objects.create(
                campaign_id=recipient.campaign_id if recipient else None,
                recipient=recipient,
                channel=channel,
                address_index=person or "",
                kind=EventKind.UNSUBSCRIBED,
                source=source,
            )
            if recipient is not None:
                bump_hour(recipient.campaign_id, timezone.now(), unsubscribed=1)
    return Unsubscribed(newsletter, person_id, channel, withdrawn)


def unsubscribe_purpose(token: str, *, only_channel: bool = False) -> tuple[ConsentPurpose, bool] | None:
    """수신 거부 by a purpose token (the registry's message screen): the person's open consent for that
    purpose is withdrawn (or only the channel). (purpose, withdrawn now); None for a bad token. A second
    call finds no open consent and changes nothing."""
    read = read_purpose_token(token)
    purpose = ConsentPurpose.objects.filter(pk=read[0]).first() if read else None
    if read is None or purpose is None:
        return None
    _purpose_id, person_id, channel = read
    with transaction.atomic():
        consent = Consent.objects.open().filter(person_id=person_id, purpose_id=purpose.pk).first()
        if consent is None or (only_channel and not getattr(consent, channel)):
            return purpose, False
        withdraw_consent(CITIZEN, consent, channel=channel if only_channel else None)
    return purpose, True


# --- bounces and reports ---------------------------------------------------------------------------


def record_bounce(
    reference: str, *, kind: str, detail: str = "", source: str = "webhook"
) -> DeliveryEvent | None:
    """반송 기록 for the message named by `reference` (c<campaign>r<recipient>): hard/complaint suppress at
    once, soft suppresses at the third. None when the reference names no message."""
    recipient = find_recipient(reference)
    if recipient is None:
        return None
    if kind not in (EventKind.HARD_BOUNCE, EventKind.SOFT_BOUNCE, EventKind.COMPLAINT):
        raise ValueError(kind)
    channel = recipient.campaign.channel
    with transaction.atomic():
        index = (
            Person.objects.filter(pk=recipient.person_id)
            .values_list(contact_index_field(channel), flat=True)
            .first()
            or ""
        )
        event = DeliveryEvent.objects.create(
            campaign_id=recipient.campaign_id,
            recipient=recipient,
            channel=channel,
            address_index=index,
            kind=kind,
            detail=detail[:500],
            source=source,
        )
        if (
            Recipient.objects.filter(pk=recipient.pk)
            .exclude(status=RecipientStatus.BOUNCED)
            .update(status=RecipientStatus.BOUNCED)
        ):
            bump_hour(recipient.campaign_id, timezone.now(), bounced=1)
        _suppress_if_due(channel, index, kind)
    return event


def _suppress_if_due(channel: str, index: str, kind: str) -> None:
    if not index:
        return
    if kind == EventKind.HARD_BOUNCE:
        add_suppression(SYSTEM, channel, index, reason=SuppressionReason.HARD_BOUNCE)
    elif kind == EventKind.COMPLAINT:
        add_suppression(SYSTEM, channel, index, reason=SuppressionReason.COMPLAINT)
    else:
        soft = DeliveryEvent.objects.filter(channel=channel, address_index=index, kind=EventKind.SOFT_BOUNCE)
        if soft.count() >= SOFT_BOUNCE_LIMIT:
            add_suppression(SYSTEM, channel, index, reason=SuppressionReason.SOFT_BOUNCE)


# Gateway result codes that mean the number itself is wrong (no such subscriber, number changed):
# treated as a hard bounce. Others (handset off, full inbox) are soft.
HARD_SMS_CODES = frozenset({"3008", "3014", "3019", "3022", "3040"})


def record_delivery_report(reference: str, *, status_code: str, detail: str = "") -> DeliveryEvent | None:
    """도달 보고 from the SMS gateway: "2000"/"4000" delivered, a hard code suppresses, others soft-bounce."""
    recipient = find_recipient(reference)
    if recipient is None:
        return None
    if status_code in ("2000", "4000"):
        with transaction.atomic():
            event = DeliveryEvent.objects.create(
                campaign_id=recipient.campaign_id,
                recipient=recipient,
                channel=Channel.SMS,
                kind=EventKind.DELIVERED,
                detail=detail[:500],
                source="gateway",
            )
            if Recipient.objects.filter(pk=recipient.pk, status=RecipientStatus.SENT).update(
                status=RecipientStatus.DELIVERED
            ):
                bump_hour(recipient.campaign_id, timezone.now(), delivered=1)
        return event
    kind = EventKind.HARD_BOUNCE if status_code in HARD_SMS_CODES else EventKind.SOFT_BOUNCE
    return record_bounce(reference, kind=kind, detail=f"{status_code} {detail}".strip(), source="gateway")


# --- mailbox ---------------------------------------------------------------------------------------

_STATUS = re.compile(r"^Status:\s*([245])\.\d{1,3}\.\d{1,3}", re.MULTILINE | re.IGNORECASE)


def classify_bounce(message: EmailMessage) -> tuple[str, str] | None:
    """(reference, kind) of a DSN (RFC 3464) or feedback report (RFC 5965) in a mailbox, else None.

    The reference is read from the VERP address it was sent back to (local+c1r2@…), or else from the
    returned message's X-Sotong-Ref or Message-ID."""
    text = _flatten(message)
    reference = ""
    for header in ("Delivered-To", "X-Original-To", "To"):
        parsed = parse_reference(str(message.get(header, "")))
        if parsed:
            reference = f"c{parsed[0]}r{parsed[1]}"
            break
    if not reference:
        found = re.search(r"(?:X-Sotong-Ref:\s*|Message-ID:\s*<)(c\d+r\d+)", text, re.IGNORECASE)
        if not found:
            return None
        reference = found.group(1)
    content_type = message.get_content_type()
    report_type = str(message.get_param("report-type") or "")
    if report_type == "feedback-report" or "Feedback-Type:" in text:
        return reference, EventKind.COMPLAINT
    status = _STATUS.search(text)
    if status is None:
        return (reference, EventKind.SOFT_BOUNCE) if content_type == "multipart/report" else None
    return reference, (EventKind.HARD_BOUNCE if status.group(1) == "5" else EventKind.SOFT_BOUNCE)


def _flatten(message: EmailMessage) -> str:
    """The whole message as text: headers and delivery-status blocks as they are, base64 parts decoded."""
    parts: list[str] = [message.as_string()]
    for part in message.walk():
        if part.get("Content-Transfer-Encoding", "").lower() in ("base64", "quoted-printable"):
            payload: Any = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                parts.append(payload.decode("utf-8", "replace"))
    return "\n".join(parts)


def read_mbox(path: str) -> dict[str, int]:
    """Read every bounce and complaint in an mbox file; counts of what was recorded and skipped."""
    counts = {"hard_bounce": 0, "soft_bounce": 0, "complaint": 0, "unmatched": 0}
    box = mailbox.mbox(path, create=False)
    try:
        for message in box:
            found = classify_bounce(message)
            if found is None or record_bounce(found[0], kind=found[1], source="mbox") is None:
                counts["unmatched"] += 1
                continue
            counts[found[1]] += 1
    finally:
        box.close()
    record_event(SYSTEM, "campaigns.mbox_read", None, after=counts, note=str(path)[:200])
    return counts
