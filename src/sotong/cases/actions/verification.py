"""휴대전화 인증: SMS codes proving that an anonymous citizen holds the phone, and the look-up limit.

A code is six digits, stored only as a keyed hash, valid for `SOTONG_PHONE_CODE_TTL_SECONDS` (3 minutes)
and good for `SOTONG_PHONE_CODE_MAX_ATTEMPTS` (5) tries. Sending is rate-limited per phone (one a minute,
five an hour) and per IP address (twenty an hour); the limits are counted from the rows themselves, so
every web process sees the same numbers. Events carry no phone number: the blind index is enough.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from sotong.cases.errors import CasesError
from sotong.cases.models import PhoneVerification
from sotong.core.crypto import phone_index_for
from sotong.core.events import record_event
from sotong.core.models import Event
from sotong.messaging.actions import queue_sms
from sotong.messaging.text import normalize_mobile

__all__ = [
    "check_lookup_allowed",
    "normalize_citizen_phone",
    "phone_verified_since",
    "purge_phone_verifications",
    "record_failed_lookup",
    "send_phone_code",
    "verify_phone_code",
]

PURPOSE_CASE = "case"
LOOKUP_FAILED_VERB = "cases.citizen_lookup_failed"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def code_ttl() -> timedelta:
    return timedelta(seconds=_setting("SOTONG_PHONE_CODE_TTL_SECONDS", 180))


def normalize_citizen_phone(phone: str) -> str:
    """The mobile number as digits (hyphens, spaces and +82 accepted), or CasesError on the `phone` field."""
    digits = normalize_mobile(phone or "")
    if digits is None:
        raise CasesError(
            _("휴대전화 번호를 확인해 주세요. 예: 010-1234-5678"), code="invalid_phone", field="phone"
        )
    return digits


def _code_hash(phone_index: str, code: str) -> str:
    return salted_hmac("sotong.cases.phone_code", f"{phone_index}:{code}", algorithm="sha256").hexdigest()


def send_phone_code(phone: str, *, ip: str | None, purpose: str = PURPOSE_CASE) -> PhoneVerification:
    """인증번호 발송: write a new six-digit code (hashed) and queue its SMS in the same transaction.

    Raises CasesError (field `phone`) for a number that is not a Korean mobile number or when a rate
    limit is reached; nothing is written then.
    """
    digits = normalize_citizen_phone(phone)
    index = phone_index_for(digits)
    now = timezone.now()
    with transaction.atomic():
        _check_send_limits(index, ip, now)
        code = f"{secrets.randbelow(1_000_000):06d}"
        verification = PhoneVerification.objects.create(
            phone_index=index,
            code_hash=_code_hash(index, code),
            purpose=purpose,
            ip_address=ip,
            sent_at=now,
            expires_at=now + code_ttl(),
        )
        minutes = max(1, int(code_ttl().total_seconds() // 60))
        text = _("[%(site)s] 인증번호 %(code)s (%(minutes)d분 안에 입력)") % {
            "site": settings.SITE_NAME,
            "code": code,
            "minutes": minutes,
        }
        queue_sms(
            digits,
            text,
            purpose="cases.phone_verification",
            about=verification,
            idempotency_key=f"cases.phone_code:{verification.pk}",
            actor="citizen",
        )
        record_event(
            "citizen",
            "cases.phone_code_sent",
            verification,
            after={"expires_at": verification.expires_at, "purpose": purpose},
            ip_address=ip,
        )
    return verification


def _check_send_limits(index: str, ip: str | None, now: datetime) -> None:
    sent = PhoneVerification.objects.filter(phone_index=index)
    interval = _setting("SOTONG_PHONE_CODE_INTERVAL_SECONDS", 60)
    last = sent.order_by("-sent_at").values_list("sent_at", flat=True).first()
    if last is not None and now - last < timedelta(seconds=interval):
        wait = interval - int((now - last).total_seconds())
        raise CasesError(
            _("인증번호를 방금 보냈습니다. %(seconds)d초 뒤에 다시 요청해 주세요.")
            % {"seconds": max(wait, 1)},
            code="code_too_soon",
            field="phone",
        )
    hour_ago = now - timedelta(hours=1)
    per_phone = _setting("SOTONG_PHONE_CODE_PER_PHONE_HOUR", 5)
    if sent.filter(sent_at__gte=hour_ago).count() >= per_phone:
        raise CasesError(
            _("이 번호로 1시간에 %(limit)d번까지 인증번호를 받을 수 있습니다. 잠시 후 다시 시도해 주세요.")
            % {"limit": per_phone},
            code="code_phone_limit",
            field="phone",
        )
    per_ip = _setting("SOTONG_PHONE_CODE_PER_IP_HOUR", 20)
    if ip and PhoneVerification.objects.filter(ip_address=ip, sent_at__gte=hour_ago).count() >= per_ip:
        raise CasesError(
            _("인증번호 요청이 너무 많습니다. 1시간 뒤에 다시 시도해 주세요."),
            code="code_ip_limit",
            field="phone",
        )


def verify_phone_code(phone: str, code: str, *, purpose: str = PURPOSE_CASE) -> datetime:
    """인증번호 확인: the time the phone was verified, or CasesError (field `code`).

    Only the latest code for the phone counts. Every try is counted, right or wrong, and a wrong try is
    kept even though the error is raised (the count is committed first).
    """
    digits = normalize_citizen_phone(phone)
    index = phone_index_for(digits)
    entered = "".join(ch for ch in (code or "") if not ch.isspace())
    max_attempts = _setting("SOTONG_PHONE_CODE_MAX_ATTEMPTS", 5)
    error: CasesError | None = None
    now = timezone.now()
    with transaction.atomic():
        verification = (
            PhoneVerification.objects.select_for_update()
            .filter(phone_index=index, purpose=purpose)
            .order_by("-sent_at", "-id")
            .first()
        )
        if verification is None or verification.verified_at is not None:
            raise CasesError(_("먼저 인증번호를 받아 주세요."), code="code_not_sent", field="code")
        if verification.expires_at <= now:
            raise CasesError(
                _("인증번호의 입력 시간이 지났습니다. 인증번호를 다시 받아 주세요."),
                code="code_expired",
                field="code",
            )
        if verification.attempts >= max_attempts:
            raise CasesError(
                _("인증번호를 %(limit)d번 잘못 입력했습니다. 인증번호를 다시 받아 주세요.")
                % {"limit": max_attempts},
                code="code_attempts",
                field="code",
            )
        verification.attempts += 1
        matches = (
            len(entered) == 6
            and entered.isdigit()
            and hmac.compare_digest(verification.code_hash, _code_hash(index, entered))
        )
        if matches:
            verification.verified_at = now
            verification.save(update_fields=["attempts", "verified_at"])
            record_event(
                "citizen", "cases.phone_verified", verification, after={"attempts": verification.attempts}
            )
        else:
            verification.save(update_fields=["attempts"])
            record_event(
                "citizen",
                "cases.phone_code_rejected",
                verification,
                after={"attempts": verification.attempts},
            )
            left = max_attempts - verification.attempts
            if left > 0:
                error = CasesError(
                    _("인증번호가 맞지 않습니다. %(left)d번 더 입력할 수 있습니다.") % {"left": left},
                    code="code_mismatch",
                    field="code",
                )
            else:
                error = CasesError(
                    _("인증번호를 %(limit)d번 잘못 입력했습니다. 인증번호를 다시 받아 주세요.")
                    % {"limit": max_attempts},
                    code="code_attempts",
                    field="code",
                )
    if error is not None:
        raise error
    assert verification.verified_at is not None
    return verification.verified_at


def phone_verified_since(phone: str, since: datetime, *, purpose: str = PURPOSE_CASE) -> datetime | None:
    """When the phone was last verified at or after `since`, or None (the submit step checks this)."""
    digits = normalize_mobile(phone or "")
    if digits is None:
        return None
    return (
        PhoneVerification.objects.filter(
            phone_index=phone_index_for(digits), purpose=purpose, verified_at__gte=since
        )
        .order_by("-verified_at")
        .values_list("verified_at", flat=True)
        .first()
    )


def purge_phone_verifications(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete codes sent more than `older_than` ago (their only use is the next few minutes); idempotent.

    For the scheduler. The rate limits look back one hour, so a day keeps them intact.
    """
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        deleted, _rows = PhoneVerification.objects.filter(sent_at__lt=cutoff).delete()
        if deleted:
            record_event(
                "scheduler", "cases.phone_codes_purged", None, after={"count": deleted, "before": cutoff}
            )
    return deleted


# --- citizen look-up (접수번호 + 휴대전화) -----------------------------------------------------------


def check_lookup_allowed(ip: str | None) -> None:
    """Refuse a look-up from an address that failed too often in the last hour (CasesError, no hint)."""
    if not ip:
        return
    limit = _setting("SOTONG_CASE_LOOKUP_FAILURES_PER_HOUR", 10)
    since = timezone.now() - timedelta(hours=1)
    if Event.objects.filter(verb=LOOKUP_FAILED_VERB, ip_address=ip, created_at__gte=since).count() >= limit:
        raise CasesError(
            _("조회에 여러 번 실패했습니다. 1시간 뒤에 다시 시도해 주세요."), code="lookup_limit", field=None
        )


def record_failed_lookup(ip: str | None) -> None:
    """Count one failed look-up from `ip`; nothing the citizen typed is stored."""
    with transaction.atomic():
        record_event("citizen", LOOKUP_FAILED_VERB, None, ip_address=ip)
