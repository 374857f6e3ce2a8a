"""Recipient rows deleted some months after the campaign ended: in keyed batches, within a time budget, with
the report (totals, hours, unsubscribes) unchanged and the destruction logged once per campaign."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sotong.campaigns import actions, inbound
from sotong.campaigns.models import (
    Campaign,
    DeliveryEvent,
    EventKind,
    HourlyStat,
    Recipient,
    RecipientStatus,
    State,
)
from sotong.campaigns.report import campaign_report
from sotong.campaigns.sender import CampaignSender
from sotong.campaigns.tokens import unsubscribe_token
from sotong.core.models import Event
from sotong.core.scheduler import registered_sweeps, run_sweep

KEEP = timedelta(days=183)


@pytest.fixture
def finished(programme_manager, newsletter, email_template, make_subscriber, make_list, settings) -> Campaign:
    """A finished e-mail campaign to seven readers: one hard bounce, one soft bounce, one unsubscribe."""
    settings.SOTONG_EMAIL_BACKEND = "locmem"
    readers = [make_subscriber(newsletter) for _ in range(7)]
    campaign = actions.create_campaign(
        programme_manager, name="소식", template=email_template, lists=[make_list(readers)]
    )
    actions.start_campaign(programme_manager, campaign)
    assert CampaignSender(campaign.pk).run() == State.FINISHED
    rows = list(Recipient.objects.filter(campaign=campaign).order_by("pk"))
    assert inbound.record_bounce(rows[0].reference, kind=EventKind.HARD_BOUNCE) is not None
    assert inbound.record_bounce(rows[4].reference, kind=EventKind.SOFT_BOUNCE) is not None
    token = unsubscribe_token(newsletter_id=newsletter.pk, person_id=rows[6].person_id, channel="email")
    assert inbound.unsubscribe(token) is not None
    campaign.refresh_from_db()
    return campaign


def _report(campaign: Campaign) -> tuple[dict[str, int], list[dict[str, object]]]:
    campaign.refresh_from_db()
    report = campaign_report(campaign)
    return report.totals, report.hours


def test_old_rows_are_deleted_in_batches_and_the_report_stays_the_same(finished, settings):
    # given a campaign that ended longer ago than the retention period
    before = _report(finished)
    assert before[0] == {
        "recipients": 7,
        "sent": 7,
        "delivered": 0,
        "failed": 0,
        "bounced": 2,
        "skipped": 0,
        "pending": 0,
        "unsubscribed": 1,
    }
    events = DeliveryEvent.objects.filter(campaign=finished).count()
    later = finished.finished_at + KEEP + timedelta(hours=1)

    # when one batch of three goes (a run stopped half-way), the figures are already whole
    assert actions._purge_batch(finished.pk, 3, later, KEEP) == 3
    assert Recipient.objects.filter(campaign=finished).count() == 4
    assert _report(finished) == before
    assert not Event.objects.filter(verb="campaigns.recipients_destroyed").exists()

    # and a later run goes on where it stopped, by key, until none are left
    done = actions.purge_recipients(later, batch=3, seconds=60)

    # then
    assert done == {"rows": 4, "campaigns": 1}
    assert not Recipient.objects.filter(campaign=finished).exists()
    assert _report(finished) == before
    finished.refresh_from_db()
    assert finished.recipients_purged_at == later
    assert sum(finished.purged_counts.values()) == 7
    assert finished.purged_counts[str(RecipientStatus.BOUNCED)] == 2
    # the delivery events stay (soft-bounce counting, the unsubscribe figure), unlinked from the rows
    assert DeliveryEvent.objects.filter(campaign=finished).count() == events
    assert not DeliveryEvent.objects.filter(campaign=finished, recipient__isnull=False).exists()
    # the destruction is logged once, with what, how many and why
    [event] = Event.objects.filter(verb="campaigns.recipients_destroyed")
    assert event.after["rows"] == 7
    assert event.after["reason"] == "보유기간 경과·동의 철회"
    assert "발송 대상" in event.after["fields"]
    assert event.after["keep_days"] == 183


def test_a_second_run_changes_nothing(finished):
    later = finished.finished_at + KEEP + timedelta(days=1)
    actions.purge_recipients(later)
    figures = _report(finished)

    assert actions.purge_recipients(later + timedelta(days=30)) == {"rows": 0, "campaigns": 0}
    assert _report(finished) == figures
    assert Event.objects.filter(verb="campaigns.recipients_destroyed").count() == 1


def test_campaigns_within_the_retention_period_or_still_sending_keep_their_rows(
    finished, programme_manager, email_template, make_subscriber, make_list, newsletter
):
    running = actions.create_campaign(
        programme_manager,
        name="진행 중",
        template=email_template,
        lists=[make_list([make_subscriber(newsletter)])],
    )
    actions.start_campaign(programme_manager, running)
    Recipient.objects.create(campaign=running, person=make_subscriber(newsletter))

    # a day short of the period: nothing goes
    assert actions.purge_recipients(finished.finished_at + KEEP - timedelta(days=1)) == {
        "rows": 0,
        "campaigns": 0,
    }
    # long after: only the finished campaign's rows go
    actions.purge_recipients(timezone.now() + KEEP * 3)

    assert Recipient.objects.filter(campaign=finished).count() == 0
    assert Recipient.objects.filter(campaign=running).count() == 1
    running.refresh_from_db()
    assert running.recipients_purged_at is None


def test_a_run_stops_at_its_time_budget(finished):
    later = finished.finished_at + KEEP + timedelta(days=1)

    assert actions.purge_recipients(later, batch=2, seconds=0) == {"rows": 0, "campaigns": 0}

    assert Recipient.objects.filter(campaign=finished).count() == 7


def test_the_retention_period_is_a_setting(finished, settings):
    settings.SOTONG_CAMPAIGN_RECIPIENT_KEEP_DAYS = 30
    later = finished.finished_at + timedelta(days=31)

    assert actions.purge_recipients(later) == {"rows": 7, "campaigns": 1}


def test_a_bounce_for_a_deleted_row_is_unmatched_and_writes_nothing(finished):
    reference = Recipient.objects.filter(campaign=finished).order_by("pk").last().reference
    actions.purge_recipients(finished.finished_at + KEEP + timedelta(days=1))
    stats = list(HourlyStat.objects.filter(campaign=finished).values())
    events = DeliveryEvent.objects.count()

    assert inbound.record_bounce(reference, kind=EventKind.HARD_BOUNCE) is None

    assert DeliveryEvent.objects.count() == events
    assert list(HourlyStat.objects.filter(campaign=finished).values()) == stats


def test_sweep_is_registered_and_runs_through_the_scheduler(finished, settings):
    item = registered_sweeps()["campaigns.purge_recipients"]

    result = run_sweep(item, finished.finished_at + KEEP + timedelta(days=1))

    assert "rows=7" in result
    assert not Recipient.objects.filter(campaign=finished).exists()


def test_api_report_is_the_same_after_the_clean_up(finished, verified_client, sysadmin):
    client = verified_client(sysadmin)
    before = client.get(f"/api/v1/campaigns/campaigns/{finished.pk}").json()
    actions.purge_recipients(finished.finished_at + KEEP + timedelta(days=1))

    after = client.get(f"/api/v1/campaigns/campaigns/{finished.pk}").json()

    assert after["report"] == before["report"]
    assert after["hours"] == before["hours"]
    assert after["report"]["bounced"] == 2
