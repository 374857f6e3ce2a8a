"""Giving, withdrawing and re-confirming consent, and the check every sender makes: `may_contact`."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.core.events import record_event
from sotong.people.actions._common import CITIZEN, SYSTEM, refuse_anonymised, require
from sotong.people.errors import PeopleError
from sotong.people.models import (
    EVIDENCE_KEYS,
    RECONFIRM_YEARS,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ContactChannel,
    Person,
)

# A consent "given" a little in the future is a clock skew between machines, not a forgery.
CLOCK_SKEW = timedelta(minutes=5)
CONSENT_LABELS = frozenset({CITIZEN, SYSTEM})


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months, the day clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def consent_clock(purpose: ConsentPurpose, start: datetime) -> tuple[datetime, datetime]:
    """(expires_at, reconfirm_due_at) of a consent given or re-confirmed at `start`."""
    return add_months(start, purpose.retention_months), add_months(start, 12 * RECONFIRM_YEARS)


def check_evidence(method: str, evidence: dict[str, Any]) -> dict[str, Any]:
    """The proof of how the consent was given must name what its method needs (IP and browser of a web
    form, the scan of a paper form, the file and row of an import, the SMS verification)."""
    try:
        method = ConsentMethod(method)
    except ValueError:
        raise PeopleError(
            _("알 수 없는 동의 방법입니다: %(value)s") % {"value": method}, field="method"
        ) from None
    missing = [key for key in EVIDENCE_KEYS[method] if key not in ("user_agent",) and not evidence.get(key)]
    if missing:
        raise PeopleError(
            _("동의 증빙이 부족합니다 (%(method)s: %(keys)s).")
            % {"method": method.label, "keys": ", ".join(missing)},
            code="evidence_required",
            field="evidence",
        )
    return {"method": str(method), **{k: v for k, v in evidence.items() if v not in (None, "")}}


def _check_channels(person: Person, sms: bool, email: bool) -> None:
    if not sms and not email:
        raise PeopleError(_("수신 방법(문자 또는 전자우편)을 하나 이상 선택해 주세요."), field="channels")
    if sms and not person.mobile:
        raise PeopleError(_("휴대전화 번호가 없어 문자 수신에 동의할 수 없습니다."), field="sms")
    if email and not person.email:
        raise PeopleError(_("전자우편 주소가 없어 전자우편 수신에 동의할 수 없습니다."), field="email")


@transaction.atomic
def give_consent(
    actor: Any,
    person: Person,
    purpose: ConsentPurpose,
    *,
    sms: bool,
    email: bool,
    method: str,
    evidence: dict[str, Any],
    given_at: datetime | None = None,
) -> Consent:
    """동의 기록: the person agrees to `purpose` for the chosen channels, with proof of how.

    The items are those of the purpose at that moment; an open consent for the same purpose is replaced
    (superseded) by this one. A consent whose retention period is already over is refused."""
    require(actor, "people.manage_consent", labels=CONSENT_LABELS)
    refuse_anonymised(person)
    if not purpose.is_active:
        raise PeopleError(
            _("사용하지 않는 동의 목적입니다: %(name)s") % {"name": purpose.name}, field="purpose"
        )
    _check_channels(person, sms, email)
    proof = check_evidence(method, evidence)
    now = timezone.now()
    given_at = given_at or now
    if given_at > now + CLOCK_SKEW:
        raise PeopleError(_("동의 시각이 미래입니다."), field="given_at")
    expires_at, reconfirm_due_at = consent_clock(purpose, given_at)
    if expires_at <= now:
        raise PeopleError(
            _("보유 기간(%(months)d개월)이 이미 지난 동의는 등록할 수 없습니다.")
            % {"months": purpose.retention_months},
            code="expired",
            field="given_at",
        )
    previous = Consent.objects.select_for_update().open().filter(person=person, purpose=purpose).first()
    if previous is not None:
        Consent.objects.filter(pk=previous.pk).update(superseded_at=now)
    consent = Consent.objects.create(
        person=person,
        purpose=purpose,
        items=purpose.items,
        sms=sms,
        email=email,
        method=proof["method"],
        evidence=proof,
        given_at=given_at,
        expires_at=expires_at,
        reconfirm_due_at=reconfirm_due_at,
    )
    record_event(
        actor,
        "people.consent_given",
        person,
        before={"consent": previous.pk} if previous else {},
        after=_consent_summary(consent),
        ip_address=proof.get("ip"),
    )
    return consent


@transaction.atomic
def withdraw_consent(actor: Any, consent: Consent, *, channel: str | None = None) -> Consent:
    """동의 철회, in one step: the whole consent, or only one channel (the consent ends when none is left)."""
    require(actor, "people.manage_consent", labels=CONSENT_LABELS)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None or consent.superseded_at is not None:
        return consent
    before = _consent_summary(consent)
    if channel is not None:
        field = ContactChannel(channel).value
        setattr(consent, field, False)
        if consent.sms or consent.email:
            consent.save(update_fields=[field])
            record_event(
                actor,
                "people.consent_channel_withdrawn",
                consent.person,
                before=before,
                after=_consent_summary(consent),
            )
            return consent
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["sms", "email", "withdrawn_at"])
    record_event(
        actor, "people.consent_withdrawn", consent.person, before=before, after=_consent_summary(consent)
    )
    return consent


@transaction.atomic
def reconfirm_consent(actor: Any, consent: Consent, *, method: str, evidence: dict[str, Any]) -> Consent:
    """동의 재확인: the person says again that they wish to hear; the retention period and the 2-year
    re-confirmation clock start again from now."""
    require(actor, "people.manage_consent", labels=CONSENT_LABELS)
    consent = Consent.objects.select_for_update().select_related("purpose", "person").get(pk=consent.pk)
    refuse_anonymised(consent.person)
    now = timezone.now()
    if not consent.is_live(now):
        raise PeopleError(
            _("철회되었거나 만료된 동의는 재확인할 수 없습니다. 새로 동의해 주세요."), code="not_live"
        )
    proof = check_evidence(method, evidence)
    before = _consent_summary(consent)
    consent.expires_at, consent.reconfirm_due_at = consent_clock(consent.purpose, now)
    consent.reconfirmed_at = now
    consent.evidence = {
        **consent.evidence,
        "reconfirmations": [*consent.evidence.get("reconfirmations", []), {**proof, "at": now.isoformat()}],
    }
    consent.save(update_fields=["expires_at", "reconfirm_due_at", "reconfirmed_at", "evidence"])
    record_event(
        actor, "people.consent_reconfirmed", consent.person, before=before, after=_consent_summary(consent)
    )
    return consent


def may_contact(
    person: Person, purpose: ConsentPurpose | str, channel: str, *, now: datetime | None = None
) -> bool:
    """Whether `person` may be sent a message for `purpose` (object or code) by `channel` ("sms"/"email")
    now: a live consent for that purpose and channel, and a contact for that channel. The campaigns call
    this before every send; `Person.objects.with_live_consent` is the same rule for a whole audience."""
    channel = ContactChannel(channel)
    if person.anonymised_at is not None or person.pk is None:
        return False
    if not (person.mobile if channel == ContactChannel.SMS else person.email):
        return False
    return Consent.objects.live(now).for_purpose(purpose).for_channel(channel).filter(person=person).exists()


def _consent_summary(consent: Consent) -> dict[str, Any]:
    return {
        "consent": consent.pk,
        "purpose": consent.purpose.code,
        "channels": consent.channels,
        "method": consent.method,
        "given_at": consent.given_at,
        "expires_at": consent.expires_at,
        "reconfirm_due_at": consent.reconfirm_due_at,
        "withdrawn_at": consent.withdrawn_at,
    }
