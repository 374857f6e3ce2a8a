"""Every staff URL of organizations and committees across the roles, a user without a role and an anonymous
visitor. Programme managers change things; system administrators see them; nobody else opens them. A
refusal is a 403 (or the login page) and changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sotong.accounts.models import User
from sotong.communities import actions
from sotong.communities.tests.conftest import CAST, pdf, png, snapshot


@pytest.fixture
def world(
    make_organization: Any, make_committee: Any, make_person: Any, programme_manager: User
) -> dict[str, Any]:
    organization = make_organization()
    committee = make_committee()
    person = make_person(name="김민준", email="minjun@example.com", occupation="교수")
    newcomer = make_person(name="이서연")
    seat = actions.add_member(programme_manager, organization, person, role="회장")
    activity = actions.record_activity(
        programme_manager, organization, date=date(2026, 4, 5), title="정화활동", photos=[png()]
    )
    minutes = actions.record_minutes(
        programme_manager, organization, date=date(2026, 5, 2), agenda="축제", attachment=pdf()
    )
    meeting = actions.record_meeting(
        programme_manager, committee, date=date(2026, 3, 2), agenda="심의", attachment=pdf("meeting.pdf")
    )
    return {
        "organization": organization,
        "committee": committee,
        "person": person,
        "newcomer": newcomer,
        "seat": seat,
        "photo": activity.photos.get(),
        "minutes": minutes,
        "meeting": meeting,
    }


def client_for(request: pytest.FixtureRequest, verified_client: Any, role: str) -> Client:
    return verified_client(request.getfixturevalue(role))


#       pm   sys  coord intake handler sns  none
READ = [200, 200, 403, 403, 403, 403, 403]
MANAGE = [200, 403, 403, 403, 403, 403, 403]
PAGES: dict[str, tuple[Any, list[int]]] = {
    "organizations": (lambda w: [], READ),
    "organization": (lambda w: [w["organization"].pk], READ),
    "committees": (lambda w: [], READ),
    "committee": (lambda w: [w["committee"].pk], READ),
    "experts": (lambda w: [], READ),
    "download/photo": (lambda w: ["photo", w["photo"].pk], READ),
    "download/minutes": (lambda w: ["minutes", w["minutes"].pk], READ),
    "download/meeting": (lambda w: ["meeting", w["meeting"].pk], READ),
    "organization_new": (lambda w: [], MANAGE),
    "organization_edit": (lambda w: [w["organization"].pk], MANAGE),
    "committee_new": (lambda w: [], MANAGE),
    "committee_edit": (lambda w: [w["committee"].pk], MANAGE),
}


def url(name: str, args: list[Any]) -> str:
    return reverse(f"communities_office:{name.split('/')[0]}", args=args)


@pytest.mark.parametrize("role", CAST)
@pytest.mark.parametrize("name", list(PAGES))
def test_who_may_open_each_page(
    request: pytest.FixtureRequest, verified_client: Any, world: dict[str, Any], role: str, name: str
) -> None:
    args, expected = PAGES[name]
    response = client_for(request, verified_client, role).get(url(name, args(world)))
    assert response.status_code == dict(zip(CAST, expected, strict=True))[role]


def test_anonymous_visitors_are_sent_to_log_in(client: Client, world: dict[str, Any]) -> None:
    for name, (args, _expected) in PAGES.items():
        response = client.get(url(name, args(world)))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


# name, args, data: each succeeds (302) for the programme manager; everyone else gets 403, nothing changed.
ACTIONS: list[tuple[str, Any, Any]] = [
    ("organization_new", lambda w: [], lambda w: {"name": "옥수동 봉사단", "type": "volunteer"}),
    (
        "organization_edit",
        lambda w: [w["organization"].pk],
        lambda w: {"name": "새 이름", "type": "civic", "is_active": "on"},
    ),
    (
        "committee_new",
        lambda w: [],
        lambda w: {"name": "인권위원회", "department": w["committee"].department_id},
    ),
    (
        "committee_edit",
        lambda w: [w["committee"].pk],
        lambda w: {
            "name": "도시계획위원회",
            "department": w["committee"].department_id,
            "legal_basis": "조례",
        },
    ),
    (
        "member_add",
        lambda w: ["organization", w["organization"].pk],
        lambda w: {"member-person": w["newcomer"].pk, "member-role": "총무"},
    ),
    (
        "member_add",
        lambda w: ["committee", w["committee"].pk],
        lambda w: {"member-person": w["newcomer"].pk, "member-role": "위원"},
    ),
    ("member_end", lambda w: ["organization", w["organization"].pk, w["seat"].pk], lambda w: {}),
    (
        "activity_add",
        lambda w: [w["organization"].pk],
        lambda w: {"activity-date": "2026-06-01", "activity-title": "방역", "activity-photos": [png()]},
    ),
    (
        "minutes_add",
        lambda w: [w["organization"].pk],
        lambda w: {"minutes-date": "2026-06-01", "minutes-agenda": "결산", "minutes-attachment": pdf()},
    ),
    (
        "meeting_add",
        lambda w: [w["committee"].pk],
        lambda w: {"meeting-date": "2026-06-01", "meeting-agenda": "심의"},
    ),
]


@pytest.mark.parametrize("role", CAST)
@pytest.mark.parametrize(("name", "args", "data"), ACTIONS)
def test_who_may_act(
    request: pytest.FixtureRequest,
    verified_client: Any,
    world: dict[str, Any],
    role: str,
    name: str,
    args: Any,
    data: Any,
) -> None:
    client = client_for(request, verified_client, role)
    before = snapshot()

    response = client.post(reverse(f"communities_office:{name}", args=args(world)), data(world))

    if role == "programme_manager":
        assert response.status_code == 302
        assert snapshot() != before
    else:
        assert response.status_code == 403
        assert snapshot() == before
