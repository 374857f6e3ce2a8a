"""Registering, changing, merging and anonymising people; memberships."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from sotong.core.models import Event
from sotong.people import actions
from sotong.people.errors import NotPermitted, PeopleError
from sotong.people.models import (
    AgeBand,
    Consent,
    DestructionLog,
    Membership,
    MembershipKind,
    Person,
    PersonList,
    PersonListMember,
    Source,
    age_band_for,
)


def test_register_person_stores_contact_encrypted_with_blind_index(db, programme_manager):
    person = actions.register_person(
        programme_manager,
        name="김민준",
        mobile="010-1234-5678",
        email="Minjun@Example.com",
        gender="남",
        birth_year="1985년",
        dong="행당1동",
        occupation="교사",
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile, email FROM people_person WHERE id = %s", [person.pk])
        mobile_raw, email_raw = cursor.fetchone()
    assert "01012345678" not in mobile_raw
    assert "Minjun" not in email_raw
    person.refresh_from_db()
    assert person.mobile == "01012345678"
    assert person.email == "Minjun@Example.com"
    assert person.mobile_index
    assert person.email_index
    assert (person.gender, person.birth_year, person.district) == ("M", 1985, "성동구")
    event = Event.objects.for_target(person).get()
    assert event.verb == "people.registered"
    assert event.after["mobile"] == "010-****-5678"
    assert "01012345678" not in str(event.after)


def test_register_person_requires_a_contact_and_valid_values(db, programme_manager):
    with pytest.raises(PeopleError) as error:
        actions.register_person(programme_manager, name="김민준")
    assert error.value.field == "mobile"
    with pytest.raises(PeopleError, match="휴대전화 번호가 올바르지 않습니다"):
        actions.register_person(programme_manager, name="김민준", mobile="02-123-4567")
    with pytest.raises(PeopleError, match="출생연도"):
        actions.register_person(programme_manager, name="김민준", mobile="010-1234-5678", birth_year="85")
    assert not Person.objects.exists()


def test_same_mobile_in_another_format_is_the_same_person(db, programme_manager):
    first = actions.register_person(programme_manager, name="김민준", mobile="010-1234-5678")

    with pytest.raises(actions.DuplicatePerson) as error:
        actions.register_person(programme_manager, name="김민중", mobile="+82 10 1234 5678")

    assert error.value.existing == first
    assert Person.objects.count() == 1


def test_email_duplicate_ignores_case(db, programme_manager):
    actions.register_person(programme_manager, email="hong@example.com")
    with pytest.raises(actions.DuplicatePerson):
        actions.register_person(programme_manager, email=" HONG@example.COM ")


def test_handler_may_not_register_and_nothing_is_written(db, handler, coordinator, sysadmin):
    for actor in (handler, coordinator, sysadmin):
        with pytest.raises(NotPermitted):
            actions.register_person(actor, name="김민준", mobile="010-1234-5678")
    assert not Person.objects.exists()
    assert not Event.objects.filter(verb="people.registered").exists()


def test_update_person_records_only_changed_fields(make_person, programme_manager):
    person = make_person(dong="행당1동")

    updated = actions.update_person(programme_manager, person, dong="마장동", email="")

    assert updated.dong == "마장동"
    assert updated.email == ""
    assert updated.email_index == ""
    event = Event.objects.for_target(person).filter(verb="people.updated").get()
    assert event.before == {"dong": "행당1동", "email": "citi***@example.com"}
    assert event.after == {"dong": "마장동", "email": ""}


def test_update_person_refuses_removing_the_last_contact(make_person, programme_manager):
    person = make_person(email="")
    with pytest.raises(PeopleError, match="하나는 있어야"):
        actions.update_person(programme_manager, person, mobile="")
    person.refresh_from_db()
    assert person.mobile


def test_age_band_follows_the_year_of_birth():
    assert age_band_for(2010, 2026) == AgeBand.UNDER_20
    assert age_band_for(2006, 2026) == AgeBand.TWENTIES
    assert age_band_for(1997, 2026) == AgeBand.TWENTIES
    assert age_band_for(1956, 2026) == AgeBand.SEVENTY_PLUS
    assert age_band_for(None) == ""


def test_merge_keeps_the_older_id_and_moves_everything(make_person, programme_manager, purposes):
    older = make_person(name="김민준", mobile="010-1111-2222", email="", dong="", consent="e_sotong")
    newer = make_person(
        name="김민준", mobile="", email="minjun@example.com", dong="마장동", consent="e_sotong"
    )
    actions.give_consent(
        programme_manager, newer, purposes["committee"], sms=False, email=True, method="paper",
        evidence={"scan_ref": "2026-위원-0012.pdf"},
    )  # fmt: skip
    actions.add_membership(programme_manager, newer, MembershipKind.COMMITTEE, group_label="도시계획위원회")
    shared = actions.create_list(programme_manager, name="설명회 참석자")
    actions.add_to_list(programme_manager, shared, [older, newer])
    newer_id = newer.pk

    kept = actions.merge_persons(programme_manager, newer, older)

    assert kept.pk == older.pk
    assert not Person.objects.filter(pk=newer_id).exists()
    assert kept.email == "minjun@example.com"
    assert kept.mobile == "01011112222"
    assert kept.dong == "마장동"
    assert kept.email_index
    open_consents = Consent.objects.open().filter(person=kept)
    assert sorted(c.purpose.code for c in open_consents) == ["committee", "e_sotong"]
    assert Consent.objects.filter(person=kept, superseded_at__isnull=False).count() == 1
    assert Membership.objects.get(person=kept).group_label == "도시계획위원회"
    assert PersonListMember.objects.filter(person_list=shared).count() == 1
    event = Event.objects.for_target(kept).get(verb="people.merged")
    assert event.after["merged_person"] == newer_id
    assert event.after["consents_moved"] == 2


def test_merge_refuses_the_same_person(make_person, programme_manager):
    person = make_person()
    with pytest.raises(PeopleError):
        actions.merge_persons(programme_manager, person, person)


def test_anonymise_clears_identity_keeps_aggregates_and_logs_destruction(make_person, programme_manager):
    person = make_person(name="박서연", gender="여", birth_year=1990, dong="옥수동", occupation="교수")
    actions.add_membership(
        programme_manager, person, MembershipKind.ORGANIZATION, group_label="옥수동 주민자치회"
    )
    person_list = actions.create_list(programme_manager, name="명단")
    actions.add_to_list(programme_manager, person_list, [person])

    actions.anonymise_person(programme_manager, person, note="본인 요청")

    person.refresh_from_db()
    assert (person.name, person.mobile, person.email, person.mobile_index, person.email_index) == ("",) * 5
    assert (person.gender, person.birth_year, person.dong, person.occupation) == ("F", 1990, "옥수동", "교수")
    assert person.anonymised_at is not None
    consent = Consent.objects.get(person=person)
    assert consent.withdrawn_at is not None
    assert "ip" not in consent.evidence
    assert consent.evidence["redacted"] is True
    assert Membership.objects.get(person=person).ended_on == timezone.localdate()
    assert not PersonList.objects.get().entries.exists()
    log = DestructionLog.objects.get()
    assert log.person_id_ref == person.pk
    assert "휴대전화" in log.fields
    assert Event.objects.for_target(person).filter(verb="people.anonymised").exists()
    assert not Person.objects.active().filter(pk=person.pk).exists()
    with pytest.raises(PeopleError, match="익명화"):
        actions.update_person(programme_manager, person, dong="마장동")


def test_anonymise_twice_logs_once(make_person, programme_manager):
    person = make_person()
    actions.anonymise_person(programme_manager, person)
    actions.anonymise_person(programme_manager, person)
    assert DestructionLog.objects.count() == 1


def test_membership_kinds_and_group_reference(make_person, programme_manager, org):
    person = make_person(source=Source.PORTAL)
    # Any model row can be the group (communities will pass its Organization); a Department here.
    membership = actions.add_membership(
        programme_manager,
        person,
        MembershipKind.ORGANIZATION,
        group=org.pr,
        role="총무",
        started_on=timezone.localdate() - timedelta(days=30),
    )
    again = actions.add_membership(programme_manager, person, MembershipKind.ORGANIZATION, group=org.pr)
    actions.add_membership(actions.CITIZEN, person, MembershipKind.SUBSCRIBER)

    assert again == membership
    assert membership.group_label == str(org.pr)
    assert membership.group_id == str(org.pr.pk)
    assert Person.objects.in_membership(MembershipKind.ORGANIZATION).get() == person
    actions.end_membership(programme_manager, membership, ended_on=timezone.localdate() - timedelta(days=1))
    assert not Person.objects.in_membership(MembershipKind.ORGANIZATION).exists()
    assert Person.objects.in_membership(MembershipKind.SUBSCRIBER).exists()
