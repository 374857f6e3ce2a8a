"""Demo organizations and committees: made through the actions from the demo registry, idempotent, and
shown on the programme manager's pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from sotong.accounts import demo as accounts_demo
from sotong.accounts.models import User
from sotong.communities import demo
from sotong.communities.models import (
    Committee,
    CommitteeMeeting,
    Organization,
    OrganizationActivity,
    OrganizationMinutes,
    OrganizationType,
    members_of,
)
from sotong.core import demo as core_demo
from sotong.core.models import Event
from sotong.people import demo as people_demo
from sotong.people.models import Consent, Membership, MembershipKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_district() -> None:
    core_demo.load()
    accounts_demo.load()
    people_demo.load(count=120)


def counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "committees": Committee.objects.count(),
        "memberships": Membership.objects.count(),
        "activities": OrganizationActivity.objects.count(),
        "minutes": OrganizationMinutes.objects.count(),
        "meetings": CommitteeMeeting.objects.count(),
        "consents": Consent.objects.count(),
        "events": Event.objects.count(),
    }


def test_demo_groups_per_dong_and_committees_with_basis_term_and_department(demo_district: None) -> None:
    # when the communities demo loads after the registry
    summary = demo.load()

    # then every dong has its 주민자치회, 통장협의회 and 새마을부녀회, made through the actions
    assert "organizations 56" in summary
    for dong in people_demo.DONGS:
        assert Organization.objects.get(name=f"{dong} 주민자치회").type == OrganizationType.RESIDENTS_COUNCIL
        assert Organization.objects.get(name=f"{dong} 통장협의회").dong == dong
        assert Organization.objects.filter(name=f"{dong} 새마을부녀회").exists()
    assert Organization.objects.filter(name="성동구 자율방범대").exists()
    created = Event.objects.filter(verb="communities.organization_created").count()
    assert created == Organization.objects.count()

    # committees carry a legal basis, a two-year term and their department
    planning = Committee.objects.select_related("department").get(name="도시계획위원회")
    assert "국토의 계획 및 이용에 관한 법률" in planning.legal_basis
    assert planning.department.name == "도시계획과"
    assert planning.term_start is not None
    assert planning.term_end is not None
    assert (planning.term_start.month, planning.term_start.day) == (1, 1)
    assert planning.term_end == planning.term_start.replace(year=planning.term_start.year + 2) - timedelta(
        days=1
    )
    assert planning.term_start <= timezone.localdate() <= planning.term_end

    # every committee has at least seven current members and one 위원장, drawn from the registry
    for committee in Committee.objects.all():
        seats = members_of(committee).current()
        assert seats.count() >= 7, committee.name
        assert seats.filter(role="위원장").count() == 1, committee.name

    # the registry's seats that only named a group are now that group's seats (none left by name only)
    named_only = Membership.objects.filter(
        kind__in=[MembershipKind.ORGANIZATION, MembershipKind.COMMITTEE], group_type__isnull=True
    )
    assert not named_only.exists()
    council = Organization.objects.get(name=f"{people_demo.DONGS[0]} 통장협의회")
    roles = set(members_of(council).values_list("role", flat=True))
    assert {"회장", "총무"} <= roles
    assert all(seat.person.dong == council.dong for seat in members_of(council))

    # new seats have a live consent for the group's purpose
    for seat in members_of(planning).current():
        assert Consent.objects.live().filter(person=seat.person, purpose__code="committee").exists()

    # activities, minutes and meetings, with attendees masked
    assert OrganizationActivity.objects.exists()
    assert OrganizationMinutes.objects.exists()
    meeting = CommitteeMeeting.objects.filter(committee=planning).first()
    assert meeting is not None
    chair = members_of(planning).current().get(role="위원장").person
    assert chair.name not in meeting.attendees
    assert chair.masked()["name"] in meeting.attendees


def test_a_second_load_adds_nothing(demo_district: None) -> None:
    # given the demo loaded once
    demo.load()
    before = counts()

    # when it loads again
    summary = demo.load()

    # then nothing was added
    assert summary == "already loaded"
    assert counts() == before


def test_demo_shows_on_the_office_pages(demo_district: None, verified_client: Any) -> None:
    demo.load()
    client = verified_client(User.objects.get(username=people_demo.PROGRAMME_MANAGER))

    organizations = client.get(reverse("communities_office:organizations"))
    assert organizations.status_code == 200
    assert organizations.context["page"].paginator.count == 56

    planning = Committee.objects.get(name="도시계획위원회")
    page = client.get(reverse("communities_office:committee", args=[planning.pk]))
    assert page.status_code == 200
    chair = members_of(planning).current().get(role="위원장").person
    text = page.content.decode()
    assert chair.masked()["name"] in text
    assert chair.name not in text

    experts = client.get(reverse("communities_office:experts"))
    assert experts.context["total"] >= 20
