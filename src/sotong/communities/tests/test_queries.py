"""Searching organizations, activities and minutes; the expert-group table of seed 001."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from sotong.accounts.models import User
from sotong.communities import actions
from sotong.communities.queries import (
    expert_groups,
    search_activities,
    search_committees,
    search_meetings,
    search_minutes,
    search_organizations,
)
from sotong.people import actions as people_actions

pytestmark = pytest.mark.django_db


def test_organizations_are_found_by_name_type_and_dong_with_member_counts(
    make_organization: Any, make_person: Any, programme_manager: User
) -> None:
    council = make_organization(name="성수1가1동 주민자치회", dong="성수1가1동")
    make_organization(name="행당1동 통장협의회", type="tongjang_council", dong="행당1동")
    volunteers = make_organization(name="성동 자원봉사단", type="volunteer", dong="행당1동")
    actions.add_member(programme_manager, council, make_person())
    actions.add_member(programme_manager, council, make_person())
    gone = actions.add_member(programme_manager, council, make_person(), started_on=date(2020, 1, 1))
    actions.end_member(programme_manager, council, gone, ended_on=date(2020, 12, 31))

    by_name = search_organizations(text="주민자치")
    by_type = search_organizations(type="volunteer")
    by_dong = search_organizations(dong="행당1동")

    assert [(o.name, o.member_count) for o in by_name] == [("성수1가1동 주민자치회", 2)]
    assert list(by_type) == [volunteers]
    assert [o.name for o in by_dong] == ["성동 자원봉사단", "행당1동 통장협의회"]
    assert {o.name: o.member_count for o in search_organizations()}["성동 자원봉사단"] == 0


def test_inactive_organizations_can_be_left_out(make_organization: Any, programme_manager: User) -> None:
    closed = make_organization(name="해산한 단체")
    actions.update_organization(programme_manager, closed, is_active=False)
    kept = make_organization(name="활동 단체")

    assert list(search_organizations(active_only=True)) == [kept]
    assert set(search_organizations()) == {closed, kept}


def test_committees_are_found_by_name_or_legal_basis(make_committee: Any) -> None:
    planning = make_committee(name="도시계획위원회", legal_basis="국토의 계획 및 이용에 관한 법률 제113조")
    make_committee(name="인권위원회", legal_basis="성동구 인권 기본 조례")

    assert list(search_committees(text="국토의 계획")) == [planning]
    assert [c.name for c in search_committees(text="위원회")] == ["도시계획위원회", "인권위원회"]


def test_activities_by_organization_period_and_words(make_organization: Any, programme_manager: User) -> None:
    council = make_organization()
    other = make_organization(name="다른 단체")
    spring = actions.record_activity(
        programme_manager, council, date=date(2026, 4, 5), title="중랑천 정화활동", text="쓰레기 줍기"
    )
    actions.record_activity(
        programme_manager, council, date=date(2026, 7, 1), title="여름 방역", text="모기 방역"
    )
    actions.record_activity(programme_manager, other, date=date(2026, 4, 6), title="중랑천 걷기")

    found = search_activities(
        organization=council, start=date(2026, 4, 1), end=date(2026, 4, 30), text="중랑천"
    )
    everywhere = search_activities(text="중랑천 쓰레기")

    assert list(found) == [spring]
    assert list(everywhere) == [spring]
    assert len(search_activities(text="중랑천")) == 2


def test_minutes_and_meetings_by_period_and_text(
    make_organization: Any, make_committee: Any, programme_manager: User
) -> None:
    council = make_organization()
    may = actions.record_minutes(
        programme_manager, council, date=date(2026, 5, 2), agenda="마을축제 준비", decisions="6월 개최"
    )
    actions.record_minutes(programme_manager, council, date=date(2026, 9, 2), agenda="예산 결산")
    committee = make_committee()
    meeting = actions.record_meeting(
        programme_manager, committee, date=date(2026, 3, 20), agenda="용도지역 변경"
    )

    assert list(search_minutes(text="축제", start=date(2026, 1, 1))) == [may]
    assert list(search_minutes(organization=council, end=date(2026, 6, 1))) == [may]
    assert list(search_minutes(text="6월")) == [may]
    assert list(search_meetings(committee=committee, text="용도지역")) == [meeting]
    assert list(search_meetings(start=date(2026, 4, 1))) == []


def test_expert_groups_count_current_committee_members_by_occupation_in_one_query(
    make_committee: Any,
    make_organization: Any,
    make_person: Any,
    programme_manager: User,
    django_assert_num_queries: Any,
) -> None:
    planning = make_committee(name="도시계획위원회")
    rights = make_committee(name="인권위원회")
    professor = make_person(occupation="대학교 교수", gender="M")
    lawyer = make_person(occupation="변호사", gender="F")
    teacher = make_person(occupation="중학교 교사", gender="F")
    chair = make_person(occupation="새마을부녀회 회장", gender="F")
    ceo = make_person(occupation="주식회사 대표", gender="M")
    shop = make_person(occupation="자영업", gender="M")
    researcher = make_person(occupation="연구원", gender="M")
    former = make_person(occupation="교수", gender="F")
    for person in (professor, lawyer, teacher, chair, ceo, shop, researcher):
        actions.add_member(programme_manager, planning, person)
    # The same professor on two committees counts once; a past member and an organization member not at all.
    actions.add_member(programme_manager, rights, professor)
    seat = actions.add_member(programme_manager, rights, former, started_on=date(2020, 1, 1))
    actions.end_member(programme_manager, rights, seat, ended_on=timezone.localdate() - timedelta(days=1))
    actions.add_member(programme_manager, make_organization(), make_person(occupation="교수"))
    anonymised = make_person(occupation="교수")
    actions.add_member(programme_manager, planning, anonymised)
    people_actions.anonymise_person(people_actions.SYSTEM, anonymised)

    with django_assert_num_queries(1):
        rows = expert_groups()

    table = {row.label: (row.total, row.male, row.female) for row in rows}
    assert table == {
        "교수": (1, 1, 0),
        "전문가 (변호사, 회계사, 의사 등)": (1, 0, 1),
        "교사, 구의원, 전직 공무원 등": (1, 0, 1),
        "단체회장, 회원 등": (1, 0, 1),
        "회사 대표, 임원 등": (1, 1, 0),
        "자영업, 주부": (1, 1, 0),
        "기타 (연구원, 복지사, 관장 등)": (1, 1, 0),
    }
    assert [row.total for row in expert_groups(committee=rights)] == [1, 0, 0, 0, 0, 0, 0]
