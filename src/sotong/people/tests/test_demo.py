"""Demo registry: made through the real actions, deterministic, and shown on the programme manager's page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from sotong.accounts import demo as accounts_demo
from sotong.accounts.models import User
from sotong.core import demo as core_demo
from sotong.core.models import Event
from sotong.people import demo
from sotong.people.models import Consent, Membership, Person, PersonList, Segment

pytestmark = pytest.mark.django_db


def test_demo_registry_through_the_actions_shows_on_the_office_page(verified_client):
    # given the demo district and staff
    core_demo.load()
    accounts_demo.load()

    # when the people demo loads
    summary = demo.load(count=120)

    # then 120 people came through register_person, contacts encrypted with blind indexes
    assert summary.startswith("120 people")
    people = list(Person.objects.all())
    assert len(people) == 120
    registered = set(Event.objects.filter(verb="people.registered").values_list("target_id", flat=True))
    assert {str(p.pk) for p in people} <= registered
    assert all(p.mobile_index or p.email_index for p in people)
    assert all(p.dong in demo.DONGS and any("가" <= ch <= "힣" for ch in p.name) for p in people)
    assert len({p.age_band for p in people}) >= 5
    assert {p.gender for p in people} == {"M", "F"}
    assert len({p.occupation for p in people}) >= 6

    # consents for the seeded purposes, some withdrawn, some due for re-confirmation within a month
    live = Consent.objects.live()
    assert live.filter(purpose__code="e_sotong").count() > 60
    assert live.filter(purpose__code="committee").exists()
    assert Consent.objects.filter(withdrawn_at__isnull=False).exists()
    now = timezone.now()
    assert live.filter(reconfirm_due_at__lte=now + timezone.timedelta(days=31)).exists()
    consent_events = Event.objects.filter(verb="people.consent_given").count()
    assert consent_events == Consent.objects.count()

    # memberships of every kind the registry knows without the communities app; lists and segments
    kinds = set(Membership.objects.values_list("kind", flat=True))
    assert {"subscriber", "organization", "committee"} <= kinds
    assert PersonList.objects.count() == 2
    assert all(person_list.entries.exists() for person_list in PersonList.objects.all())
    assert Segment.objects.count() == 3

    # and the programme manager's registry page shows them, masked
    manager = User.objects.get(username=demo.PROGRAMME_MANAGER)
    response = verified_client(manager).get(reverse("people_office:index"))
    assert response.status_code == 200
    assert response.context["total"] == 120
    assert len(response.context["rows"]) == 50
    first = response.context["rows"][0][0]
    page = response.content.decode()
    assert first.masked()["name"] in page
    assert first.name not in page


def test_demo_is_deterministic():
    # given two loads of the same size into an empty registry
    demo.load(count=15)
    first = [(p.name, p.birth_year, p.dong, p.occupation) for p in Person.objects.order_by("pk")]
    Person.objects.all().delete()

    # when the demo loads again
    demo.load(count=15)

    # then the people drawn are the same
    second = [(p.name, p.birth_year, p.dong, p.occupation) for p in Person.objects.order_by("pk")]
    assert first == second
