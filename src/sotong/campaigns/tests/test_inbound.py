"""Unsubscribe without a session, bounces (webhook and mbox) and SMS delivery reports."""

from __future__ import annotations

import hashlib
import hmac
import json
import mailbox
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from sotong.campaigns import actions
from sotong.campaigns.models import (
    DeliveryEvent,
    EventKind,
    HourlyStat,
    Recipient,
    RecipientStatus,
    Suppression,
    SuppressionReason,
)
from sotong.campaigns.sender import CampaignSender
from sotong.campaigns.tokens import unsubscribe_token
from sotong.people.cleaning import email_index_for
from sotong.people.models import Consent

SECRET = "webhook-secret-for-tests"


@pytest.fixture
def sent_campaign(programme_manager, newsletter, email_template, make_subscriber, make_list, settings):
    """A finished e-mail campaign to three readers (development mail backend)."""
    settings.SOTONG_EMAIL_BACKEND = "locmem"
    readers = [make_subscriber(newsletter) for _ in range(3)]
    campaign = actions.create_campaign(
        programme_manager, name="소식", template=email_template, lists=[make_list(readers)]
    )
    actions.start_campaign(programme_manager, campaign)
    CampaignSender(campaign.pk).run()
    return campaign, readers


def test_one_click_post_withdraws_consent_without_session_or_csrf(sent_campaign, newsletter) -> None:
    campaign, (reader, *_rest) = sent_campaign
    token = unsubscribe_token(newsletter_id=newsletter.pk, person_id=reader.pk, channel="email")
    client = Client(enforce_csrf_checks=True)  # no cookies, no session: what a mail client sends

    response = client.post(
        f"/campaigns/u/{token}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    consent = Consent.objects.get(person=reader, purpose=newsletter.purpose)
    assert consent.withdrawn_at is not None
    event = DeliveryEvent.objects.get(kind=EventKind.UNSUBSCRIBED)
    assert event.campaign_id == campaign.pk
    assert HourlyStat.objects.get(campaign=campaign).unsubscribed == 1


def test_tampered_token_changes_nothing(sent_campaign, newsletter) -> None:
    _campaign, (reader, *_rest) = sent_campaign
    token = unsubscribe_token(newsletter_id=newsletter.pk, person_id=reader.pk, channel="email")
    forged = token.replace(f"-{reader.pk}-", f"-{reader.pk + 1}-")
    response = Client().post(f"/campaigns/u/{forged}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 400
    assert Client().get(f"/campaigns/u/{forged}/").status_code == 404
    assert not Consent.objects.filter(withdrawn_at__isnull=False).exists()


def test_preference_page_lets_the_reader_stop_one_channel_only(sent_campaign, newsletter) -> None:
    _campaign, (reader, *_rest) = sent_campaign
    token = unsubscribe_token(newsletter_id=newsletter.pk, person_id=reader.pk, channel="email")
    page = Client().get(f"/campaigns/u/{token}/")
    assert page.status_code == 200
    assert "성동 소식" in page.content.decode()

    done = Client().post(f"/campaigns/u/{token}/", {"scope": "channel"})

    assert done.status_code == 200
    consent = Consent.objects.get(person=reader, purpose=newsletter.purpose)
    assert (consent.withdrawn_at, consent.email, consent.sms) == (None, False, True)


def _signed(client: Client, url: str, body: dict) -> object:
    raw = json.dumps(body).encode()
    signature = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(url, data=raw, content_type="application/json", HTTP_X_SOTONG_SIGNATURE=signature)


def test_hard_bounce_suppresses_and_soft_bounce_suppresses_at_the_third(sent_campaign, settings) -> None:
    settings.SOTONG_CAMPAIGN_WEBHOOK_SECRET = SECRET
    campaign, (hard, soft, _other) = sent_campaign
    ref = {r.person_id: r.reference for r in Recipient.objects.filter(campaign=campaign)}
    client = Client()

    answer = _signed(
        client, "/campaigns/hooks/email-bounces/", {"events": [{"reference": ref[hard.pk], "type": "hard"}]}
    )
    assert answer.json() == {"recorded": 1, "unmatched": 0}
    assert Suppression.objects.filter(
        address_index=email_index_for(hard.email), reason=SuppressionReason.HARD_BOUNCE
    ).exists()

    for n in range(3):
        _signed(
            client,
            "/campaigns/hooks/email-bounces/",
            {"events": [{"reference": ref[soft.pk], "type": "soft"}]},
        )
        suppressed = Suppression.objects.filter(address_index=email_index_for(soft.email)).exists()
        assert suppressed is (n == 2)
    assert Recipient.objects.get(campaign=campaign, person=hard).status == RecipientStatus.BOUNCED
    assert HourlyStat.objects.get(campaign=campaign).bounced == 2


def test_webhooks_refuse_bad_signatures_and_bad_bodies_with_json_errors(sent_campaign, settings) -> None:
    settings.SOTONG_CAMPAIGN_WEBHOOK_SECRET = SECRET
    client = Client()
    bad = client.post(
        "/campaigns/hooks/email-bounces/",
        data=b"{}",
        content_type="application/json",
        HTTP_X_SOTONG_SIGNATURE="0" * 64,
    )
    assert bad.status_code == 401
    assert set(bad.json()) == {"error", "message", "field"}
    wrong = _signed(
        client, "/campaigns/hooks/email-bounces/", {"events": [{"reference": "c1r1", "type": "bogus"}]}
    )
    assert wrong.status_code == 400
    assert wrong.json()["field"] == "type"
    missing = _signed(client, "/campaigns/hooks/sms-reports/", {"nothing": []})
    assert (missing.status_code, missing.json()["field"]) == (400, "reports")
    assert not DeliveryEvent.objects.exists()


def test_sms_delivery_reports_mark_delivered_and_hard_codes_suppress(
    programme_manager, newsletter, sms_template, make_subscriber, make_list, sms_gateway, settings
) -> None:
    settings.SOTONG_CAMPAIGN_WEBHOOK_SECRET = SECRET
    ok, gone = make_subscriber(newsletter), make_subscriber(newsletter)
    campaign = actions.create_campaign(
        programme_manager, name="문자", template=sms_template, lists=[make_list([ok, gone])]
    )
    actions.start_campaign(programme_manager, campaign)
    CampaignSender(campaign.pk).run()
    refs = {m["to"]: m["customFields"]["messageId"] for m in sms_gateway.messages}

    answer = _signed(
        Client(),
        "/campaigns/hooks/sms-reports/",
        {
            "reports": [
                {"messageId": refs[ok.mobile.replace("-", "")], "statusCode": "4000"},
                {
                    "messageId": refs[gone.mobile.replace("-", "")],
                    "statusCode": "3008",
                    "statusMessage": "결번",
                },
                {"messageId": "c999r999", "statusCode": "4000"},
            ]
        },
    )

    assert answer.json() == {"recorded": 2, "unmatched": 1}
    assert Recipient.objects.get(campaign=campaign, person=ok).status == RecipientStatus.DELIVERED
    assert Suppression.objects.filter(channel="sms", reason=SuppressionReason.HARD_BOUNCE).count() == 1
    stat = HourlyStat.objects.get(campaign=campaign)
    assert (stat.sent, stat.delivered, stat.bounced) == (2, 1, 1)


DSN = """From MAILER-DAEMON Thu Nov 19 10:00:00 2026
From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: news+{ref}@sd.example.kr
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status; boundary="B"
MIME-Version: 1.0

--B
Content-Type: text/plain

The mail could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; reader@example.com
Action: failed
Status: {status}

--B--

"""


def test_mbox_reader_records_hard_and_soft_bounces(sent_campaign, tmp_path: Path) -> None:
    campaign, (hard, soft, _other) = sent_campaign
    ref = {r.person_id: r.reference for r in Recipient.objects.filter(campaign=campaign)}
    path = tmp_path / "bounces.mbox"
    path.write_text(
        DSN.format(ref=ref[hard.pk], status="5.1.1")
        + DSN.format(ref=ref[soft.pk], status="4.2.2")
        + DSN.format(ref="nothing", status="5.1.1"),
        encoding="utf-8",
    )
    assert len(mailbox.mbox(str(path))) == 3

    call_command("read_bounces", str(path))

    kinds = dict(DeliveryEvent.objects.values_list("recipient__person_id", "kind"))
    assert kinds == {hard.pk: EventKind.HARD_BOUNCE, soft.pk: EventKind.SOFT_BOUNCE}
    assert Suppression.objects.filter(address_index=email_index_for(hard.email)).exists()
    assert not Suppression.objects.filter(address_index=email_index_for(soft.email)).exists()
