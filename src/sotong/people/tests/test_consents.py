"""Consent records: giving, withdrawing, re-confirming, and the `may_contact` rule senders use."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from sotong.core.models import Event
from sotong.people import actions
from sotong.people.errors import NotPermitted, PeopleError
from sotong.people.models import Consent, Person
from sotong.people.tests.conftest import WEB_EVIDENCE


def test_add_months_clamps_to_the_end_of_the_month():
    moment = datetime(2024, 1, 31, 10, tzinfo=timezone.get_current_timezone())
    assert actions.add_months(moment, 1).date().isoformat() == "2024-02-29"
    assert actions.add_months(moment, 24).date().isoformat() == "2026-01-31"
    assert actions.add_months(moment, 13).date().isoformat() == "2025-02-28"


def test_give_consent_records_items_evidence_and_clocks(make_person, programme_manager, purposes):
    person = make_person(consent=None)
    given = timezone.now() - timedelta(days=10)

    consent = actions.give_consent(
        programme_manager, person, purposes["e_sotong"], sms=True, email=False, method="web_form",
        evidence=WEB_EVIDENCE, given_at=given,
    )  # fmt: skip

    assert consent.items == purposes["e_sotong"].items
    assert consent.channels == ["sms"]
    assert consent.evidence["ip"] == "203.0.113.7"
    assert consent.evidence["method"] == "web_form"
    assert consent.expires_at == actions.add_months(given, 24)
    assert consent.reconfirm_due_at == actions.add_months(given, 24)
    assert consent.is_live()
    event = Event.objects.for_target(person).get(verb="people.consent_given")
    assert event.after["purpose"] == "e_sotong"
    assert event.ip_address == "203.0.113.7"


@pytest.mark.parametrize(
    ("method", "evidence", "missing"),
    [
        ("web_form", {"user_agent": "x"}, "ip"),
        ("paper", {}, "scan_ref"),
        ("import", {"file": "가입자.csv"}, "row"),
        ("sms_code", {}, "verification"),
    ],
)
def test_consent_without_its_evidence_is_refused(
    make_person, programme_manager, purposes, method, evidence, missing
):
    person = make_person(consent=None)
    with pytest.raises(PeopleError, match=missing) as error:
        actions.give_consent(
            programme_manager,
            person,
            purposes["e_sotong"],
            sms=True,
            email=True,
            method=method,
            evidence=evidence,
        )
    assert error.value.field == "evidence"
    assert not Consent.objects.exists()


def test_channel_needs_a_contact(make_person, programme_manager, purposes):
    person = make_person(consent=None, mobile="")
    with pytest.raises(PeopleError, match="문자 수신"):
        actions.give_consent(
            programme_manager, person, purposes["e_sotong"], sms=True, email=False, method="web_form",
            evidence=WEB_EVIDENCE,
        )  # fmt: skip
    with pytest.raises(PeopleError, match="하나 이상"):
        actions.give_consent(
            programme_manager, person, purposes["e_sotong"], sms=False, email=False, method="web_form",
            evidence=WEB_EVIDENCE,
        )  # fmt: skip


def test_consent_past_its_retention_cannot_be_recorded(make_person, programme_manager, purposes):
    person = make_person(consent=None)
    with pytest.raises(PeopleError, match="보유 기간"):
        actions.give_consent(
            programme_manager, person, purposes["e_sotong"], sms=True, email=True, method="paper",
            evidence={"scan_ref": "old.pdf"}, given_at=timezone.now() - timedelta(days=800),
        )  # fmt: skip


def test_a_new_consent_supersedes_the_open_one(make_person, programme_manager, purposes):
    person = make_person()
    first = Consent.objects.get(person=person)

    second = actions.give_consent(
        programme_manager, person, purposes["e_sotong"], sms=False, email=True, method="paper",
        evidence={"scan_ref": "scan-1.pdf"},
    )  # fmt: skip

    first.refresh_from_db()
    assert first.superseded_at is not None
    assert not first.is_live()
    assert list(Consent.objects.open().filter(person=person)) == [second]


def test_may_contact_needs_live_consent_for_purpose_and_channel(make_person, purposes):
    person = make_person(channels=("sms",))

    assert actions.may_contact(person, "e_sotong", "sms")
    assert actions.may_contact(person, purposes["e_sotong"], "sms")
    assert not actions.may_contact(person, "e_sotong", "email")
    assert not actions.may_contact(person, "advertising", "sms")
    later = timezone.now() + timedelta(days=366 * 2 + 1)
    assert not actions.may_contact(person, "e_sotong", "sms", now=later)


def test_withdraw_one_channel_then_the_rest(make_person, purposes):
    person = make_person()
    consent = Consent.objects.get(person=person)

    actions.withdraw_consent(actions.CITIZEN, consent, channel="sms")
    assert not actions.may_contact(person, "e_sotong", "sms")
    assert actions.may_contact(person, "e_sotong", "email")

    actions.withdraw_consent(actions.CITIZEN, consent, channel="email")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert not actions.may_contact(person, "e_sotong", "email")
    verbs = list(Event.objects.for_target(person).values_list("verb", flat=True))
    assert "people.consent_channel_withdrawn" in verbs
    assert "people.consent_withdrawn" in verbs


def test_withdraw_in_one_step(make_person):
    person = make_person()
    consent = actions.withdraw_consent(actions.CITIZEN, Consent.objects.get(person=person))
    assert consent.withdrawn_at is not None
    assert not Person.objects.with_live_consent("e_sotong").exists()


def test_reconfirm_restarts_both_clocks(make_person, programme_manager, purposes):
    person = make_person(consent=None)
    consent = actions.give_consent(
        programme_manager, person, purposes["e_sotong"], sms=True, email=True, method="web_form",
        evidence=WEB_EVIDENCE, given_at=timezone.now() - timedelta(days=700),
    )  # fmt: skip

    again = actions.reconfirm_consent(
        actions.CITIZEN, consent, method="sms_code", evidence={"verification": "v-17"}
    )

    assert again.reconfirmed_at is not None
    assert again.reconfirm_due_at > timezone.now() + timedelta(days=700)
    assert again.expires_at > timezone.now() + timedelta(days=700)
    assert again.evidence["reconfirmations"][0]["verification"] == "v-17"


def test_withdrawn_consent_cannot_be_reconfirmed(make_person):
    person = make_person()
    consent = actions.withdraw_consent(actions.CITIZEN, Consent.objects.get(person=person))
    with pytest.raises(PeopleError, match="새로 동의"):
        actions.reconfirm_consent(actions.CITIZEN, consent, method="sms_code", evidence={"verification": "v"})


def test_with_live_consent_filters_by_purpose_channel_and_contact(make_person, purposes):
    sms_only = make_person(channels=("sms",))
    both = make_person()
    make_person(consent="advertising")
    make_person(consent=None)

    assert set(Person.objects.with_live_consent("e_sotong")) == {sms_only, both}
    assert set(Person.objects.with_live_consent(purposes["e_sotong"], "email")) == {both}


def test_sns_officer_may_not_record_consent(make_person, sns_officer, purposes):
    person = make_person(consent=None)
    with pytest.raises(NotPermitted):
        actions.give_consent(
            sns_officer,
            person,
            purposes["e_sotong"],
            sms=True,
            email=True,
            method="web_form",
            evidence=WEB_EVIDENCE,
        )
    assert not Consent.objects.exists()
