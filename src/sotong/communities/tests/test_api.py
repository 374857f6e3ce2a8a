"""The communities API at /api/v1/communities/: the page rules across the cast (programme managers change,
system administrators read, everyone else 403, anonymous 401), members masked, and refused input as a
4xx Korean JSON body that changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sotong.accounts.models import User
from sotong.communities import actions
from sotong.communities.models import (
    Organization,
    members_of,
)
from sotong.communities.tests.conftest import CAST, snapshot
from sotong.core.models import Event

API = "/api/v1/communities/"
READ = dict(zip(CAST, [200, 200, 403, 403, 403, 403, 403], strict=True))
CHANGE = dict(zip(CAST, [True, False, False, False, False, False, False], strict=True))


@pytest.fixture
def world(
    make_organization: Any, make_committee: Any, make_person: Any, programme_manager: User
) -> dict[str, Any]:
    organization = make_organization(dong="성수1가1동")
    committee = make_committee(legal_basis="국토의 계획 및 이용에 관한 법률 제113조")
    person = make_person(name="김민준", mobile="010-2345-6789", email="minjun@example.com", occupation="교수")
    newcomer = make_person(name="이서연")
    seat = actions.add_member(programme_manager, organization, person, role="회장")
    actions.add_member(programme_manager, committee, person, role="위원장")
    return {
        "organization": organization,
        "committee": committee,
        "person": person,
        "newcomer": newcomer,
        "seat": seat,
    }


def send(client: Client, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json")


def change_requests(world: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    o, c = world["organization"].pk, world["committee"].pk
    return [
        ("post", "organizations", {"name": "옥수동 통장협의회", "type": "tongjang_council"}),
        ("patch", f"organizations/{o}", {"name": "바뀐 이름"}),
        ("post", f"organizations/{o}/activities", {"date": "2026-04-05", "title": "정화활동"}),
        ("post", f"organizations/{o}/minutes", {"date": "2026-05-02", "agenda": "축제"}),
        ("post", f"organizations/{o}/members", {"person": world["newcomer"].pk, "role": "회원"}),
        ("post", f"organizations/{o}/members/{world['seat'].pk}/end", {}),
        ("post", "committees", {"name": "건축위원회", "department": "D103"}),
        ("patch", f"committees/{c}", {"legal_basis": "건축법 제4조"}),
        ("post", f"committees/{c}/meetings", {"date": "2026-03-02", "agenda": "심의"}),
        ("post", f"committees/{c}/members", {"person": world["newcomer"].pk}),
    ]


@pytest.mark.parametrize("role", CAST)
def test_reading_follows_the_page_rules(
    request: Any, verified_client: Any, world: dict[str, Any], role: str
) -> None:
    client = verified_client(request.getfixturevalue(role))
    o, c = world["organization"].pk, world["committee"].pk
    for path in ("organizations", f"organizations/{o}", "committees", f"committees/{c}", "experts"):
        response = client.get(API + path)
        assert response.status_code == READ[role], path
        if READ[role] == 403:
            assert response.json()["error"] == "forbidden"
            assert response.json()["message"]


@pytest.mark.parametrize("role", CAST)
def test_changing_follows_the_page_rules(
    request: Any, verified_client: Any, world: dict[str, Any], role: str
) -> None:
    client = verified_client(request.getfixturevalue(role))
    for method, path, data in change_requests(world):
        before = snapshot()
        response = send(client, method, API + path, data)
        if CHANGE[role]:
            assert response.status_code in (200, 201), (path, response.content)
            assert snapshot() != before, path
        else:
            assert response.status_code == 403, path
            assert response.json()["error"] == "forbidden"
            assert snapshot() == before, path


def test_anonymous_gets_401_and_nothing_changes(client: Client, world: dict[str, Any]) -> None:
    assert client.get(API + "organizations").status_code == 401
    before = snapshot()
    response = send(client, "post", API + "organizations", {"name": "x", "type": "civic"})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    assert snapshot() == before


def test_search_and_detail_with_members_masked(
    verified_client: Any, world: dict[str, Any], make_organization: Any, sysadmin: User
) -> None:
    # given a second organization of another type and dong
    make_organization(name="옥수동 새마을부녀회", type="volunteer", dong="옥수동")
    client = verified_client(sysadmin)

    # when searching by text, type and dong
    by_text = client.get(API + "organizations", {"q": "새마을"}).json()
    by_type = client.get(API + "organizations", {"type": "residents_council"}).json()
    by_dong = client.get(API + "organizations", {"dong": "옥수동"}).json()

    # then each finds its own
    assert [row["name"] for row in by_text["results"]] == ["옥수동 새마을부녀회"]
    assert by_type["count"] == 1
    assert by_type["results"][0]["member_count"] == 1
    assert by_dong["results"][0]["type_label"] == "자원봉사단체"

    # and the detail shows the member masked, never the contact itself
    response = client.get(f"{API}organizations/{world['organization'].pk}")
    member = response.json()["members"][0]
    assert member == {
        "membership_id": world["seat"].pk,
        "person_id": world["person"].pk,
        "name": "김*준",
        "mobile": "010-****-6789",
        "email": "min***@example.com",
        "occupation": "교수",
        "role": "회장",
        "started_on": timezone.localdate().isoformat(),
        "ended_on": None,
        "current": True,
    }
    text = response.content.decode()
    assert "김민준" not in text
    assert "2345" not in text
    assert "minjun@" not in text

    committees = client.get(API + "committees", {"q": "국토의 계획"}).json()
    assert committees["results"][0]["department_name"] == world["committee"].department.name
    experts = {row["code"]: row["total"] for row in client.get(API + "experts").json()}
    assert experts["professor"] == 1


def test_programme_manager_runs_an_organization_through_the_api(
    verified_client: Any, programme_manager: User, world: dict[str, Any]
) -> None:
    client = verified_client(programme_manager)

    created = send(
        client,
        "post",
        API + "organizations",
        {
            "name": "  옥수동   통장협의회 ",
            "type": "tongjang_council",
            "dong": "옥수동",
            "founded_on": "2001-03-01",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "옥수동 통장협의회"
    assert body["founded_on"] == "2001-03-01"
    organization = Organization.objects.get(pk=body["id"])
    assert Event.objects.for_target(organization).filter(verb="communities.organization_created").exists()

    # a partial update changes only what was sent
    patched = send(client, "patch", f"{API}organizations/{organization.pk}", {"is_active": False})
    assert patched.json()["is_active"] is False
    assert patched.json()["dong"] == "옥수동"

    # members: add, refuse the same person twice, end
    person = world["newcomer"]
    month_ago = (timezone.localdate() - timedelta(days=30)).isoformat()
    added = send(
        client,
        "post",
        f"{API}organizations/{organization.pk}/members",
        {"person": f"#{person.pk}", "role": "통장", "started_on": month_ago},
    )
    assert added.status_code == 201
    assert added.json()["role"] == "통장"
    again = send(client, "post", f"{API}organizations/{organization.pk}/members", {"person": person.pk})
    assert again.status_code == 422
    assert again.json()["error"] == "duplicate"
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    seat_id = added.json()["membership_id"]
    ended = send(
        client, "post", f"{API}organizations/{organization.pk}/members/{seat_id}/end", {"ended_on": yesterday}
    )
    assert ended.status_code == 200
    assert ended.json()["current"] is False
    twice = send(client, "post", f"{API}organizations/{organization.pk}/members/{seat_id}/end", {})
    assert twice.status_code == 422
    assert twice.json()["error"] == "ended"

    # activities and minutes
    activity = send(
        client,
        "post",
        f"{API}organizations/{organization.pk}/activities",
        {"date": "2026-04-05", "title": "골목 대청소", "text": "주민 20명 참여"},
    )
    assert activity.status_code == 201
    minutes = send(
        client,
        "post",
        f"{API}organizations/{organization.pk}/minutes",
        {"date": "2026-05-02", "agenda": "정기총회", "decisions": "결산 승인"},
    )
    assert minutes.status_code == 201
    detail = client.get(f"{API}organizations/{organization.pk}").json()
    assert [a["title"] for a in detail["activities"]] == ["골목 대청소"]
    assert [m["agenda"] for m in detail["minutes"]] == ["정기총회"]


def test_programme_manager_runs_a_committee_through_the_api(
    verified_client: Any, programme_manager: User, world: dict[str, Any], org: Any
) -> None:
    client = verified_client(programme_manager)
    created = send(
        client,
        "post",
        API + "committees",
        {
            "name": "건축위원회",
            "department": org.new_media.code,
            "legal_basis": "건축법 제4조",
            "term_start": "2025-01-01",
            "term_end": "2026-12-31",
        },
    )
    assert created.status_code == 201, created.content
    committee_id = created.json()["id"]
    assert created.json()["term_end"] == "2026-12-31"

    moved = send(client, "patch", f"{API}committees/{committee_id}", {"department": "D151"})
    assert moved.json()["department_name"] == "청소행정과"

    seat = send(
        client,
        "post",
        f"{API}committees/{committee_id}/members",
        {"person": world["person"].pk, "role": "위원", "started_on": "2025-01-01", "ended_on": "2026-12-31"},
    )
    assert seat.status_code == 201
    assert seat.json()["ended_on"] == "2026-12-31"
    meeting = send(
        client,
        "post",
        f"{API}committees/{committee_id}/meetings",
        {"date": "2026-03-02", "agenda": "건축 심의 2건", "attendees": "위원장 외 6명"},
    )
    assert meeting.status_code == 201
    detail = client.get(f"{API}committees/{committee_id}").json()
    assert detail["meetings"][0]["agenda"] == "건축 심의 2건"
    assert detail["members"][0]["name"] == "김*준"


@pytest.mark.parametrize(
    ("method", "path", "data", "field"),
    [
        ("post", "organizations", {"name": "", "type": "civic"}, "name"),
        ("post", "organizations", {"name": "모임", "type": "club"}, "type"),
        (
            "post",
            "organizations",
            {"name": "모임", "type": "civic", "founded_on": "2001-13-01"},
            "founded_on",
        ),
        ("post", "committees", {"name": "위원회", "department": "NOPE"}, "department"),
        (
            "post",
            "committees",
            {"name": "위원회", "department": "D151", "term_start": "2026-01-01", "term_end": "2025-01-01"},
            "term_end",
        ),
        ("patch", "committees/{c}", {"term_end": "어제"}, "term_end"),
        ("post", "organizations/{o}/members", {"person": 999999}, "person"),
        ("post", "organizations/{o}/members", {"person": "홍길동"}, "person"),
        (
            "post",
            "organizations/{o}/members",
            {"person": "{p}", "started_on": "2026-02-01", "ended_on": "2026-01-01"},
            "ended_on",
        ),
        ("post", "organizations/{o}/activities", {"date": "", "title": "정화"}, "date"),
        ("post", "organizations/{o}/activities", {"date": "2026-04-05", "title": " "}, "title"),
        ("post", "organizations/{o}/minutes", {"date": "2026-05-02", "agenda": ""}, "agenda"),
        ("post", "committees/{c}/meetings", {"date": "5월 2일", "agenda": "심의"}, "date"),
    ],
)
def test_refused_input_is_a_korean_422_and_changes_nothing(
    verified_client: Any,
    programme_manager: User,
    world: dict[str, Any],
    method: str,
    path: str,
    data: dict[str, Any],
    field: str,
) -> None:
    client = verified_client(programme_manager)
    ids = {"o": world["organization"].pk, "c": world["committee"].pk, "p": world["newcomer"].pk}
    data = {key: (value.format(**ids) if isinstance(value, str) else value) for key, value in data.items()}
    if data.get("person") == str(ids["p"]):
        data["person"] = ids["p"]
    before = snapshot()

    response = send(client, method, API + path.format(**ids), data)

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["field"] == field
    assert any("가" <= ch <= "힣" for ch in body["message"])
    assert snapshot() == before


def test_unknown_groups_and_seats_are_404(
    verified_client: Any, programme_manager: User, world: dict[str, Any]
) -> None:
    client = verified_client(programme_manager)
    assert client.get(f"{API}organizations/999999").status_code == 404
    assert client.get(f"{API}committees/999999").json()["error"] == "not_found"
    other_seat = members_of(world["committee"]).get()
    wrong_group = send(
        client, "post", f"{API}organizations/{world['organization'].pk}/members/{other_seat.pk}/end"
    )
    assert wrong_group.status_code == 404
    assert send(client, "post", f"{API}clubs/1/members", {"person": 1}).status_code == 404
    assert members_of(world["committee"]).get().ended_on is None
