"""Demo newsletters, templates and one finished campaign: made through the actions from the demo registry,
idempotent, and with figures on the report page."""

from __future__ import annotations

import pytest

from sotong.accounts import demo as accounts_demo
from sotong.accounts.models import User
from sotong.campaigns import demo
from sotong.campaigns.models import (
    Campaign,
    DeliveryEvent,
    EventKind,
    Newsletter,
    State,
    Suppression,
    Template,
)
from sotong.campaigns.report import campaign_report
from sotong.core import demo as core_demo
from sotong.core.models import Event
from sotong.people import demo as people_demo
from sotong.people.models import Consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_district() -> None:
    core_demo.load()
    accounts_demo.load()
    people_demo.load(count=60)


def counts() -> dict[str, int]:
    return {
        "newsletters": Newsletter.objects.count(),
        "templates": Template.objects.count(),
        "campaigns": Campaign.objects.count(),
        "events": DeliveryEvent.objects.count(),
        "consents": Consent.objects.count(),
        "audit": Event.objects.count(),
    }


def test_demo_newsletters_and_a_finished_campaign_with_report_figures(demo_district: None) -> None:
    summary = demo.load()

    assert summary == "newsletters 2, templates 3, campaigns 1"
    news = Newsletter.objects.get(name="성동구 소식지")
    culture = Newsletter.objects.get(name="문화행사 안내")
    assert news.purpose.code == "sd-news"
    assert not news.is_advertising
    assert culture.is_advertising
    assert culture.night_purpose is not None
    assert culture.opt_out_number == "080-123-4567"
    assert Event.objects.filter(verb="campaigns.newsletter_created").count() == 2

    campaign = Campaign.objects.get(name=demo.CAMPAIGN)
    assert campaign.state == State.FINISHED
    assert campaign.channel == "sms"
    figures = campaign_report(campaign).totals
    readers = demo.READERS
    assert figures["recipients"] == readers
    assert figures["sent"] == readers
    assert figures["bounced"] == 2  # the hard and the soft failure of the gateway's reports
    assert figures["delivered"] == readers - 2
    assert figures["unsubscribed"] == 1
    assert figures["pending"] == 0
    assert campaign_report(campaign).hours
    assert DeliveryEvent.objects.filter(campaign=campaign, kind=EventKind.HARD_BOUNCE).count() == 1
    assert Suppression.objects.count() == 1  # the hard failure's number
    assert Consent.objects.open().filter(purpose=news.purpose).count() == readers - 1


def test_demo_is_idempotent(demo_district: None) -> None:
    demo.load()
    before = counts()

    assert demo.load() == "already loaded"
    assert counts() == before


def test_the_report_page_shows_the_demo_figures(demo_district: None, verified_client) -> None:
    demo.load()
    campaign = Campaign.objects.get(name=demo.CAMPAIGN)
    manager = User.objects.get(username=people_demo.PROGRAMME_MANAGER)

    page = verified_client(manager).get(f"/office/campaigns/{campaign.pk}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert demo.CAMPAIGN in text
    readers = demo.READERS
    for label, value in (("발송", readers), ("도달", readers - 2), ("반송", 2), ("수신 거부", 1)):
        assert f'<tr><th scope="row">{label}</th><td>{value}</td></tr>' in text
    assert 'id="report-hours"' in text
