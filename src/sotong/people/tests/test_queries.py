"""Segments with live counts, demographic summaries, lists, search, and who may do what."""

from __future__ import annotations

import pytest
import rules
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sotong.core.models import Event
from sotong.people import actions
from sotong.people.errors import NotPermitted, PeopleError
from sotong.people.models import MembershipKind, Person, Segment, current_year
from sotong.people.queries import by_age_band, by_dong, by_gender, by_occupation, search_people
from sotong.people.segments import SegmentFilter, segment_counts


@pytest.fixture
def registry(make_person, programme_manager):
    year = current_year()
    people = {
        "a": make_person(name="김민준", gender="남", birth_year=year - 35, dong="행당1동", occupation="교수"),
        "b": make_person(name="이서연", gender="여", birth_year=year - 42, dong="행당1동", occupation="교사"),
        "c": make_person(
            name="박도윤", gender="남", birth_year=year - 71, dong="마장동", consent="advertising"
        ),
        "d": make_person(name="최하은", gender="여", birth_year=year - 25, dong="옥수동", consent=None),
    }
    actions.add_membership(
        programme_manager, people["b"], MembershipKind.COMMITTEE, group_label="도시계획위원회"
    )
    actions.add_membership(
        programme_manager, people["c"], MembershipKind.ORGANIZATION, group_label="마장동 새마을부녀회"
    )
    anonymised = make_person(name="정지우", gender="남", birth_year=year - 35, dong="행당1동")
    actions.anonymise_person(programme_manager, anonymised)
    return people


def test_segment_filters_combine_and_count_in_one_query(registry):
    rules_ = [
        SegmentFilter(genders=["M"]),
        SegmentFilter(age_bands=["30s", "40s"], dongs=["행당1동"]),
        SegmentFilter(memberships=[MembershipKind.COMMITTEE]),
        SegmentFilter(consent_purpose="e_sotong", consent_channel="sms"),
        SegmentFilter(organization="새마을"),
        SegmentFilter(occupations=["교수", "교사"], consent_purpose="e_sotong"),
    ]
    with CaptureQueriesContext(connection) as queries:
        counts = segment_counts(rules_)
    assert len(queries) == 1
    assert counts == {"total": 4, 0: 2, 1: 2, 2: 1, 3: 2, 4: 1, 5: 2}
    assert set(rules_[2].people()) == {registry["b"]}


def test_saved_segment_is_validated_and_counted(registry, programme_manager):
    segment = actions.save_segment(
        programme_manager, name="행당1동 30·40대", filters=SegmentFilter(age_bands=["30s"])
    )
    assert segment_counts([segment])[0] == 1
    with pytest.raises(PeopleError, match="알 수 없는 조건 값"):
        actions.save_segment(programme_manager, name="잘못", filters=SegmentFilter(age_bands=["teen"]))
    with pytest.raises(PeopleError, match="동의 목적"):
        actions.save_segment(programme_manager, name="잘못", filters=SegmentFilter(consent_purpose="nope"))
    assert Segment.objects.count() == 1


def test_summaries_are_one_query_each_and_skip_anonymised(registry):
    with CaptureQueriesContext(connection) as queries:
        gender = by_gender()
        ages = by_age_band()
        dongs = by_dong()
        jobs = by_occupation()
    assert len(queries) == 4
    assert gender == [("M", "남", 2), ("F", "여", 2), ("", "미상", 0)]
    assert {band: n for band, _label, n in ages} == {
        "u20": 0, "20s": 1, "30s": 1, "40s": 1, "50s": 0, "60s": 0, "70p": 1, "": 0,
    }  # fmt: skip
    assert dongs[0] == ("행당1동", "행당1동", 2)
    assert ("", "미상", 2) in jobs


def test_summary_of_a_segment(registry):
    people = SegmentFilter(dongs=["행당1동"]).people()
    assert by_gender(people)[:2] == [("M", "남", 1), ("F", "여", 1)]


def test_lists_add_once_and_skip_anonymised(registry, programme_manager):
    person_list = actions.create_list(programme_manager, name="주민참여예산 설명회")
    anonymised = Person.objects.exclude(anonymised_at=None).get()
    added = actions.add_to_list(programme_manager, person_list, [registry["a"], registry["b"], anonymised])
    again = actions.add_to_list(programme_manager, person_list, [registry["a"].pk])
    removed = actions.remove_from_list(programme_manager, person_list, [registry["b"]])
    assert (added, again, removed) == (2, 0, 1)
    assert list(person_list.members.all()) == [registry["a"]]
    assert Event.objects.for_target(person_list).count() == 3


def test_search_by_contact_is_an_exact_blind_index_match(registry):
    a = registry["a"]
    assert list(search_people(mobile=a.mobile[:3] + "-" + a.mobile[3:7] + "-" + a.mobile[7:])) == [a]
    assert list(search_people(email=a.email.upper())) == [a]
    partial = a.mobile[:7]
    with pytest.raises(PeopleError, match="휴대전화"):
        search_people(mobile=partial)


def test_search_never_uses_like_on_contact_columns(registry):
    with CaptureQueriesContext(connection) as queries:
        list(search_people(mobile=registry["a"].mobile, email=registry["a"].email))
    where = queries[-1]["sql"].split(" WHERE ", 1)[1]
    assert "LIKE" not in where.upper()
    assert '"mobile" ' not in where
    assert '"email" ' not in where
    assert '"mobile_index" = ' in where
    assert '"email_index" = ' in where


def test_search_by_name_alone_is_exact_partial_needs_a_second_condition(registry):
    assert list(search_people(name="김민준")) == [registry["a"]]
    assert list(search_people(name="김민")) == []
    assert list(search_people(name="민", dong="행당")) == [registry["a"]]
    assert list(search_people(organization="도시계획")) == [registry["b"]]
    assert list(search_people(name="박", organization="새마을")) == [registry["c"]]
    with pytest.raises(PeopleError):
        search_people()


ROLE_PERMISSIONS = {
    # perm: roles holding it
    "people.view_person": {"programme_manager", "sysadmin"},
    "people.view_contact": {"programme_manager"},
    "people.change_person": {"programme_manager"},
    "people.manage_consent": {"programme_manager"},
    "people.import_people": {"programme_manager"},
    "people.export_people": {"programme_manager"},
    "people.export_unmasked": {"programme_manager"},
    "people.anonymise_person": {"programme_manager"},
    "people.manage_purposes": {"sysadmin"},
}


@pytest.mark.parametrize("perm", sorted(ROLE_PERMISSIONS))
def test_permissions_per_role(
    perm, coordinator, intake_officer, handler, sns_officer, programme_manager, sysadmin
):
    cast = {
        "coordinator": coordinator,
        "intake": intake_officer,
        "handler": handler,
        "sns_officer": sns_officer,
        "programme_manager": programme_manager,
        "sysadmin": sysadmin,
    }
    allowed = {role for role, user in cast.items() if rules.has_perm(perm, user)}
    assert allowed == ROLE_PERMISSIONS[perm]


def test_inactive_programme_manager_has_no_rights(programme_manager):
    programme_manager.is_active = False
    assert not rules.has_perm("people.view_person", programme_manager)
    with pytest.raises(NotPermitted):
        actions.create_list(programme_manager, name="명단")


def test_contact_lookup_uses_the_blind_index(registry):
    # Without the "<> ''" term of the partial unique index SQLite scans the whole table.
    qs = Person.objects.by_contact_index("mobile_index", [registry["a"].mobile_index])
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert list(qs) == [registry["a"]]
    if connection.vendor == "sqlite":
        assert "people_person_unique_mobile" in plan
