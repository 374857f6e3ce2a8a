"""휴대전화 인증: codes, expiry, attempts, rate limits, and the SMS really delivered by the worker."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from sotong.cases.actions import (
    check_lookup_allowed,
    phone_verified_since,
    purge_phone_verifications,
    record_failed_lookup,
    send_phone_code,
    verify_phone_code,
)
from sotong.cases.errors import CasesError
from sotong.cases.models import PhoneVerification
from sotong.core.models import Event
from sotong.messaging.models import Message

pytestmark = pytest.mark.django_db

PHONE = "010-1234-5678"


def code_from(sms_outbox: list[dict[str, Any]], to: str = "01012345678") -> str:
    texts = [item["text"] for item in sms_outbox if item["to"] == to]
    assert texts, f"no SMS to {to}"
    match = re.search(r"\b(\d{6})\b", texts[-1])
    assert match
    return match.group(1)


def age(verification: PhoneVerification, seconds: int) -> None:
    """Move a code's clock back, as if it had been sent `seconds` ago."""
    PhoneVerification.objects.filter(pk=verification.pk).update(
        sent_at=verification.sent_at - timedelta(seconds=seconds),
        expires_at=verification.expires_at - timedelta(seconds=seconds),
    )


def test_code_is_queued_and_delivered_by_the_real_worker(run_worker, sms_outbox):
    verification = send_phone_code("010 1234 5678", ip="203.0.113.5")

    message = Message.objects.get(about_id=str(verification.pk))
    assert message.recipient == "01012345678"
    assert message.purpose == "cases.phone_verification"
    run_worker()
    code = code_from(sms_outbox)
    assert "3분" in sms_outbox[-1]["text"]
    assert sms_outbox[-1]["type"] == "SMS"
    assert code not in verification.code_hash
    assert len(verification.code_hash) == 64
    assert verification.expires_at - verification.sent_at == timedelta(minutes=3)
    assert Event.objects.filter(verb="cases.phone_code_sent").count() == 1


def test_right_code_verifies_once(run_worker, sms_outbox):
    send_phone_code(PHONE, ip="203.0.113.5")
    run_worker()

    verified_at = verify_phone_code("01012345678", code_from(sms_outbox))

    assert abs(verified_at - timezone.now()) < timedelta(seconds=5)
    assert phone_verified_since(PHONE, timezone.now() - timedelta(minutes=1)) == verified_at
    with pytest.raises(CasesError) as again:
        verify_phone_code(PHONE, code_from(sms_outbox))
    assert again.value.field == "code"


def test_wrong_code_counts_attempts_and_locks_after_five(run_worker, sms_outbox):
    verification = send_phone_code(PHONE, ip="203.0.113.5")
    run_worker()
    right = code_from(sms_outbox)
    wrong = "000000" if right != "000000" else "111111"

    for left in (4, 3, 2, 1):
        with pytest.raises(CasesError) as error:
            verify_phone_code(PHONE, wrong)
        assert f"{left}번 더" in error.value.message
    with pytest.raises(CasesError) as fifth:
        verify_phone_code(PHONE, wrong)
    assert "다시 받아" in fifth.value.message
    with pytest.raises(CasesError):
        verify_phone_code(PHONE, right)  # even the right code, after five tries

    verification.refresh_from_db()
    assert verification.attempts == 5
    assert verification.verified_at is None
    assert Event.objects.filter(verb="cases.phone_code_rejected").count() == 5


def test_expired_code_is_refused(run_worker, sms_outbox):
    verification = send_phone_code(PHONE, ip="203.0.113.5")
    run_worker()
    age(verification, 181)

    with pytest.raises(CasesError) as error:
        verify_phone_code(PHONE, code_from(sms_outbox))

    assert error.value.code == "code_expired"
    verification.refresh_from_db()
    assert verification.verified_at is None


def test_only_the_latest_code_counts(run_worker, sms_outbox):
    first = send_phone_code(PHONE, ip="203.0.113.5")
    run_worker()
    old_code = code_from(sms_outbox)
    age(first, 61)
    send_phone_code(PHONE, ip="203.0.113.5")
    run_worker()
    new_code = code_from(sms_outbox)

    if old_code != new_code:
        with pytest.raises(CasesError):
            verify_phone_code(PHONE, old_code)
    assert verify_phone_code(PHONE, new_code)


def test_no_code_sent_and_bad_number():
    with pytest.raises(CasesError) as not_sent:
        verify_phone_code(PHONE, "123456")
    assert not_sent.value.code == "code_not_sent"

    with pytest.raises(CasesError) as bad:
        send_phone_code("02-123-4567", ip="203.0.113.5")
    assert bad.value.field == "phone"
    assert not PhoneVerification.objects.exists()
    assert not Message.objects.exists()


def test_one_code_a_minute_per_phone():
    send_phone_code(PHONE, ip="203.0.113.5")

    with pytest.raises(CasesError) as error:
        send_phone_code("01012345678", ip="198.51.100.7")

    assert error.value.code == "code_too_soon"
    assert "초 뒤에" in error.value.message
    assert PhoneVerification.objects.count() == 1
    assert Message.objects.count() == 1


def test_five_codes_an_hour_per_phone():
    for _ in range(5):
        verification = send_phone_code(PHONE, ip="203.0.113.5")
        age(verification, 61)
    for verification in PhoneVerification.objects.all():
        age(verification, 61 * 5)

    with pytest.raises(CasesError) as error:
        send_phone_code(PHONE, ip="203.0.113.5")

    assert error.value.code == "code_phone_limit"
    assert PhoneVerification.objects.count() == 5
    assert Message.objects.count() == 5


def test_twenty_codes_an_hour_per_ip(settings):
    for n in range(20):
        send_phone_code(f"010-5555-{n:04d}", ip="203.0.113.9")

    with pytest.raises(CasesError) as error:
        send_phone_code("010-5555-9999", ip="203.0.113.9")
    send_phone_code("010-5555-9999", ip="198.51.100.7")  # another address is not held back

    assert error.value.code == "code_ip_limit"
    assert PhoneVerification.objects.count() == 21


def test_failed_lookups_are_limited_per_address():
    for _ in range(10):
        check_lookup_allowed("203.0.113.5")
        record_failed_lookup("203.0.113.5")

    with pytest.raises(CasesError) as error:
        check_lookup_allowed("203.0.113.5")
    check_lookup_allowed("198.51.100.7")

    assert error.value.code == "lookup_limit"
    event = Event.objects.filter(verb="cases.citizen_lookup_failed").first()
    assert event is not None
    assert event.after == {}
    assert event.target_label == ""


def test_old_codes_are_purged():
    old = send_phone_code(PHONE, ip="203.0.113.5")
    age(old, 2 * 24 * 3600)
    send_phone_code("010-2222-3333", ip="203.0.113.5")

    assert purge_phone_verifications() == 1
    assert purge_phone_verifications() == 0

    assert not PhoneVerification.objects.filter(pk=old.pk).exists()
    assert PhoneVerification.objects.count() == 1
