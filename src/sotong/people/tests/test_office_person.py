"""A person's staff page: masked details, logged unmasking, consents on the person's behalf, edit, merge."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sotong.core.models import Event, PersonalDataAccessLog, PersonalDataAction
from sotong.people import actions
from sotong.people.models import Consent, Person
from sotong.people.tests.conftest import MakePerson


@pytest.fixture
def person(make_person: MakePerson) -> Person:
    person = make_person(
        name="김민준", mobile="010-1234-5678", email="minjun@example.com", birth_year=1985, dong="행당1동"
    )
    actions.add_membership(actions.SYSTEM, person, "committee", group_label="도시계획위원회", role="위원")
    return person


def url(name: str, person: Person, *more: int) -> str:
    return reverse(f"people_office:{name}", args=[person.pk, *more])


def test_the_page_is_masked_and_shows_consents_memberships_and_timeline(
    verified_client, programme_manager, person
):
    response = verified_client(programme_manager).get(url("person", person))

    page = response.content.decode()
    assert response.status_code == 200
    assert "김*준" in page
    assert "010-****-5678" in page
    assert "김민준" not in page
    assert "010-1234-5678" not in page
    assert "minjun@example.com" not in page
    assert "전자소통 정책정보 수신" in page
    assert "203.0.113.7" in page
    assert "도시계획위원회" in page
    assert "동의" in page
    assert "등록" in page
    assert not PersonalDataAccessLog.objects.exists()


def test_unmasking_needs_a_reason_and_writes_an_access_log_row(verified_client, programme_manager, person):
    client = verified_client(programme_manager)

    refused = client.post(url("unmask", person), {"unmask-reason": ""})
    assert refused.status_code == 400
    assert "010-1234-5678" not in refused.content.decode()
    assert not PersonalDataAccessLog.objects.exists()

    response = client.post(url("unmask", person), {"unmask-reason": "위원 위촉 통보"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "김민준" in page
    assert "010-1234-5678" in page
    assert "minjun@example.com" in page
    log = PersonalDataAccessLog.objects.get()
    assert (log.account, log.action, log.subject_id, log.reason) == (
        programme_manager,
        PersonalDataAction.VIEW,
        str(person.pk),
        "위원 위촉 통보",
    )


def test_a_paper_consent_is_recorded_on_the_persons_behalf(
    verified_client, programme_manager, person, purposes
):
    response = verified_client(programme_manager).post(
        url("consent_give", person),
        {"consent-purpose": "committee", "consent-email": "on", "consent-scan_ref": "2026-위원-031"},
    )

    assert response.status_code == 302
    consent = Consent.objects.get(person=person, purpose__code="committee")
    assert consent.method == "paper"
    assert consent.evidence["scan_ref"] == "2026-위원-031"
    assert (consent.sms, consent.email) == (False, True)


def test_a_consent_without_a_channel_is_refused_in_korean(
    verified_client, programme_manager, person, purposes
):
    response = verified_client(programme_manager).post(
        url("consent_give", person), {"consent-purpose": "committee", "consent-scan_ref": "2026-1"}
    )
    assert response.status_code == 400
    assert "수신 방법" in response.content.decode()
    assert not Consent.objects.filter(purpose__code="committee").exists()


def test_withdrawing_one_channel_then_the_whole_consent(verified_client, programme_manager, person):
    client = verified_client(programme_manager)
    consent = Consent.objects.get(person=person)

    client.post(url("consent_withdraw", person, consent.pk), {f"withdraw{consent.pk}-channel": "sms"})
    consent.refresh_from_db()
    assert (consent.sms, consent.email, consent.withdrawn_at) == (False, True, None)

    client.post(url("consent_withdraw", person, consent.pk), {})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert Event.objects.filter(verb="people.consent_withdrawn").count() == 1


def test_editing_logs_the_opening_and_changes_through_the_action(verified_client, programme_manager, person):
    client = verified_client(programme_manager)

    opened = client.get(url("edit", person))
    assert opened.status_code == 200
    assert PersonalDataAccessLog.objects.filter(
        action=PersonalDataAction.VIEW, subject_id=str(person.pk)
    ).exists()

    response = client.post(
        url("edit", person),
        {"name": "김민준", "gender": "M", "birth_year": "1985", "dong": "행당2동", "occupation": "교사"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.dong, person.occupation, person.mobile) == ("행당2동", "교사", "01012345678")
    assert Event.objects.filter(verb="people.updated").exists()


def test_editing_to_someone_elses_phone_is_refused(verified_client, programme_manager, person, make_person):
    other = make_person(name="이서연", mobile="010-9999-0000")
    response = verified_client(programme_manager).post(
        url("edit", person), {"name": "김민준", "mobile": "010-9999-0000"}
    )
    assert response.status_code == 400
    assert f"#{other.pk}" in response.content.decode()
    person.refresh_from_db()
    assert person.mobile == "01012345678"


def test_merging_asks_for_confirmation_then_keeps_the_older_record(
    verified_client, programme_manager, person, make_person
):
    duplicate = make_person(name="김민준", mobile="", email="mj.kim@example.com", consent="committee")
    client = verified_client(programme_manager)

    page = client.get(url("person", duplicate)).content.decode()
    assert f"#{person.pk}" in page  # offered as a candidate (same name)
    confirm = client.post(url("merge", duplicate), {"merge-other": person.pk})
    assert confirm.status_code == 200
    assert Person.objects.filter(pk=duplicate.pk).exists()

    done = client.post(url("merge", duplicate), {"merge-other": person.pk, "merge-confirm": "1"})
    assert done.status_code == 302
    assert done["Location"] == url("person", person)
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    assert Consent.objects.filter(person=person, purpose__code="committee").exists()


def test_merging_with_oneself_or_nobody_is_refused(verified_client, programme_manager, person):
    client = verified_client(programme_manager)
    for other in (person.pk, 999_999):
        response = client.post(url("merge", person), {"merge-other": other, "merge-confirm": "1"})
        assert response.status_code == 400
        assert "병합할 수 있는 다른 정책고객" in response.content.decode()
    assert Person.objects.count() == 1
