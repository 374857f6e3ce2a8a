"""What the staff pages show and do: members masked, searches, forms that refuse with a Korean message
and write nothing, the expert-group table, and bounded queries on the lists."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sotong.accounts.models import User
from sotong.communities import actions
from sotong.communities.models import Committee, Organization, OrganizationActivity, members_of
from sotong.communities.tests.conftest import png
from sotong.core.models import Event


@pytest.fixture
def pm_client(verified_client: Any, programme_manager: User) -> Client:
    return verified_client(programme_manager)


def test_organization_page_shows_members_masked(
    pm_client: Client, make_organization: Any, make_person: Any, programme_manager: User
) -> None:
    organization = make_organization()
    person = make_person(
        name="김민준", mobile="010-1234-5678", email="minjun@example.com", occupation="자영업"
    )
    actions.add_member(programme_manager, organization, person, role="회장", started_on=date(2025, 1, 1))

    response = pm_client.get(reverse("communities_office:organization", args=[organization.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "김*준" in page
    assert "min***@example.com" in page
    assert "김민준" not in page
    assert "minjun@example.com" not in page
    assert "010-1234-5678" not in page
    assert "회장" in page
    assert "2025-01-01" in page


def test_committee_page_shows_position_occupation_masked_email_and_term(
    verified_client: Any, sysadmin: User, make_committee: Any, make_person: Any, programme_manager: User
) -> None:
    committee = make_committee(legal_basis="국토계획법 제113조", term_start=date(2026, 1, 1))
    person = make_person(name="박서준", email="seojun.park@example.com", occupation="대학교 교수")
    actions.add_member(
        programme_manager,
        committee,
        person,
        role="부위원장",
        started_on=date(2026, 1, 1),
        ended_on=date(2027, 12, 31),
    )
    actions.record_meeting(programme_manager, committee, date=date(2026, 2, 3), agenda="용도지역 변경 심의")

    response = verified_client(sysadmin).get(reverse("communities_office:committee", args=[committee.pk]))

    page = response.content.decode()
    assert "부위원장" in page
    assert "대학교 교수" in page
    assert "seoj***@example.com" in page
    assert "seojun.park@example.com" not in page
    assert "2026-01-01 ~ 2027-12-31" in page
    assert "용도지역 변경 심의" in page
    assert "국토계획법 제113조" in page
    assert 'id="action-member"' not in page  # the system administrator sees no forms


def test_organization_list_searches_by_type_and_dong_in_bounded_queries(
    pm_client: Client, make_organization: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        make_organization(name=f"자원봉사단 {n}", type="volunteer", dong="행당1동")
    make_organization(name="옥수동 통장 모임", type="tongjang_council", dong="옥수동")

    with django_assert_max_num_queries(10):
        response = pm_client.get(
            reverse("communities_office:organizations"), {"type": "volunteer", "dong": "행당1동"}
        )

    assert [o.name for o in response.context["page"]][:2] == ["자원봉사단 0", "자원봉사단 1"]
    assert response.context["page"].paginator.count == 12
    assert "옥수동 통장 모임" not in response.content.decode()


def test_organization_page_searches_activities_by_period_and_text(
    pm_client: Client, make_organization: Any, programme_manager: User
) -> None:
    organization = make_organization()
    actions.record_activity(programme_manager, organization, date=date(2026, 4, 5), title="중랑천 정화활동")
    actions.record_activity(programme_manager, organization, date=date(2026, 8, 5), title="중랑천 여름 방역")
    actions.record_activity(programme_manager, organization, date=date(2026, 4, 9), title="경로당 방문")

    response = pm_client.get(
        reverse("communities_office:organization", args=[organization.pk]),
        {"start": "2026-04-01", "end": "2026-04-30", "text": "중랑천"},
    )

    assert [a.title for a in response.context["activities"]] == ["중랑천 정화활동"]


def test_adding_an_unknown_person_is_refused_in_korean_and_writes_nothing(
    pm_client: Client, make_organization: Any
) -> None:
    organization = make_organization()
    events = Event.objects.count()

    response = pm_client.post(
        reverse("communities_office:member_add", args=["organization", organization.pk]),
        {"member-person": 99999, "member-role": "회원"},
    )

    assert response.status_code == 400
    assert "주민 명부에서 그 번호의 정책고객을 찾을 수 없습니다." in response.content.decode()
    assert not members_of(organization).exists()
    assert Event.objects.count() == events


def test_adding_a_member_twice_shows_the_action_message(
    pm_client: Client, make_committee: Any, make_person: Any, programme_manager: User
) -> None:
    committee = make_committee()
    person = make_person()
    actions.add_member(programme_manager, committee, person)

    response = pm_client.post(
        reverse("communities_office:member_add", args=["committee", committee.pk]),
        {"member-person": person.pk},
    )

    assert response.status_code == 400
    assert "이미 참여 중인 사람입니다." in response.content.decode()
    assert members_of(committee).count() == 1


def test_a_refused_photo_is_shown_on_the_form_and_nothing_is_recorded(
    pm_client: Client, make_organization: Any
) -> None:
    organization = make_organization()
    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00 not an image", content_type="image/png")

    response = pm_client.post(
        reverse("communities_office:activity_add", args=[organization.pk]),
        {"activity-date": "2026-06-01", "activity-title": "행사", "activity-photos": [png(), fake]},
    )

    assert response.status_code == 400
    assert "사진(JPG, PNG, GIF, WEBP)만 올릴 수 있습니다." in response.content.decode()
    assert OrganizationActivity.objects.count() == 0


def test_activity_with_two_photos_is_recorded_from_the_page(
    pm_client: Client, make_organization: Any
) -> None:
    organization = make_organization()

    response = pm_client.post(
        reverse("communities_office:activity_add", args=[organization.pk]),
        {
            "activity-date": "2026-06-01",
            "activity-title": "행사",
            "activity-photos": [png("a.png"), png("b.png")],
        },
    )

    assert response.status_code == 302
    activity = OrganizationActivity.objects.get()
    assert activity.photos.count() == 2
    page = pm_client.get(reverse("communities_office:organization", args=[organization.pk])).content.decode()
    assert "행사 사진 2" in page


def test_creating_a_committee_from_the_page(pm_client: Client, org: Any) -> None:
    response = pm_client.post(
        reverse("communities_office:committee_new"),
        {
            "name": "인권위원회",
            "department": org.new_media.pk,
            "term_start": "2026-01-01",
            "term_end": "2025-01-01",
        },
    )
    assert response.status_code == 400
    assert "임기 종료일이 시작일보다 빠릅니다." in response.content.decode()
    assert not Committee.objects.exists()

    response = pm_client.post(
        reverse("communities_office:committee_new"),
        {"name": "인권위원회", "department": org.new_media.pk, "legal_basis": "성동구 인권 기본 조례"},
    )
    committee = Committee.objects.get()
    assert response["Location"] == reverse("communities_office:committee", args=[committee.pk])
    assert committee.legal_basis == "성동구 인권 기본 조례"


def test_editing_an_organization_can_stop_it(pm_client: Client, make_organization: Any) -> None:
    organization = make_organization()

    pm_client.post(
        reverse("communities_office:organization_edit", args=[organization.pk]),
        {"name": organization.name, "type": organization.type},
    )

    organization.refresh_from_db()
    assert organization.is_active is False
    assert Organization.objects.count() == 1


def test_experts_page_shows_the_seed_table(
    pm_client: Client, make_committee: Any, make_person: Any, programme_manager: User
) -> None:
    committee = make_committee()
    actions.add_member(programme_manager, committee, make_person(occupation="교수", gender="F"))
    actions.add_member(programme_manager, committee, make_person(occupation="회계사", gender="M"))

    response = pm_client.get(reverse("communities_office:experts"))

    page = response.content.decode()
    assert [(row.label, row.total) for row in response.context["rows"]][:2] == [
        ("교수", 1),
        ("전문가 (변호사, 회계사, 의사 등)", 1),
    ]
    assert '<td id="experts-total">2</td>' in page


# Session, user, roles, two-factor, the group, members, records, photos, events…: the same for 1 or 8 rows.
MAX_DETAIL_QUERIES = 16


@pytest.mark.parametrize("size", [1, 8])
def test_detail_pages_do_not_query_per_member_or_record(
    pm_client: Client,
    make_organization: Any,
    make_committee: Any,
    make_person: Any,
    programme_manager: User,
    django_assert_max_num_queries: Any,
    size: int,
) -> None:
    organization = make_organization()
    committee = make_committee()
    for n in range(size):
        actions.add_member(programme_manager, organization, make_person(occupation="교수"))
        actions.add_member(programme_manager, committee, make_person(occupation="교사"))
        actions.record_activity(
            programme_manager, organization, date=date(2026, 4, n + 1), title=f"활동 {n}", photos=[png()]
        )
        actions.record_minutes(programme_manager, organization, date=date(2026, 5, n + 1), agenda=f"안건 {n}")
        actions.record_meeting(programme_manager, committee, date=date(2026, 5, n + 1), agenda=f"안건 {n}")

    with django_assert_max_num_queries(MAX_DETAIL_QUERIES):
        organization_page = pm_client.get(reverse("communities_office:organization", args=[organization.pk]))
    with django_assert_max_num_queries(MAX_DETAIL_QUERIES):
        committee_page = pm_client.get(reverse("communities_office:committee", args=[committee.pk]))

    assert organization_page.content.decode().count("활동 ") >= size
    assert committee_page.context["meetings"].paginator.count == size
