"""E-mail campaigns end to end: the real worker, a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

from collections import Counter

import pytest

from sotong.campaigns import actions
from sotong.campaigns.models import (
    Campaign,
    IllegalTransition,
    RecipientStatus,
    State,
    Suppression,
    SuppressionReason,
)
from sotong.campaigns.tokens import read_unsubscribe_token
from sotong.people import actions as people
from sotong.people.cleaning import email_index_for


def test_each_consenting_reader_gets_exactly_one_email_and_no_one_else(
    programme_manager, newsletter, email_template, make_subscriber, make_list, smtp_server, run_worker
) -> None:
    # given five readers with consent, one without, one suppressed, one who withdrew, one SMS-only
    readers = [make_subscriber(newsletter, name=f"독자{chr(0xAC00 + n)}") for n in range(5)]
    no_consent = make_subscriber(newsletter, consent=False)
    suppressed = make_subscriber(newsletter)
    actions.add_suppression(
        programme_manager, "email", email_index_for(suppressed.email), reason=SuppressionReason.MANUAL
    )
    withdrawn = make_subscriber(newsletter)
    people.withdraw_consent(people.SYSTEM, withdrawn.consents.get())
    sms_only = make_subscriber(newsletter, channels=("sms",))
    audience = make_list([*readers, no_consent, suppressed, withdrawn, sms_only])
    campaign = actions.create_campaign(
        programme_manager, name="11월 소식", template=email_template, lists=[audience], concurrency=2
    )

    # when it is started and the worker runs
    actions.start_campaign(programme_manager, campaign)
    run_worker()

    # then each reader got one e-mail, nobody else got any
    to = Counter(rcpt for mail in smtp_server.received for rcpt in mail.rcpt_tos)
    assert to == Counter({reader.email: 1 for reader in readers})
    campaign.refresh_from_db()
    assert campaign.state == State.FINISHED
    assert (campaign.total, campaign.sent, campaign.failed) == (5, 5, 0)
    assert campaign.excluded == {"no_consent": 3, "suppressed": 1}
    assert set(campaign.recipients.values_list("status", flat=True)) == {RecipientStatus.SENT}


def test_campaign_email_carries_one_click_unsubscribe_and_the_reference(
    programme_manager, newsletter, email_template, make_subscriber, make_list, smtp_server, run_worker
) -> None:
    reader = make_subscriber(newsletter, name="박서준", dong="왕십리도선동")
    campaign = actions.create_campaign(
        programme_manager, name="11월 소식", template=email_template, lists=[make_list([reader])]
    )
    actions.start_campaign(programme_manager, campaign)
    run_worker()

    (mail,) = smtp_server.received
    message = mail.message
    recipient = campaign.recipients.get()
    reference = f"c{campaign.pk}r{recipient.pk}"
    assert message["Subject"] == "박서준님, 11월 성동 소식"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("http")
    assert "/campaigns/u/" in link
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert read_unsubscribe_token(token) == (newsletter.pk, reader.pk, "email")
    assert message["Message-ID"] == f"<{reference}@sd.example.kr>"
    assert message["X-Sotong-Ref"] == reference
    assert mail.mail_from == f"news+{reference}@sd.example.kr"  # VERP
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "박서준님 안녕하세요. 왕십리도선동 소식입니다." in text
    assert link in text
    assert link in html
    assert "성동구청 뉴미디어담당관" in text


def test_smtp_refusal_suppresses_the_address_and_too_many_errors_pause_the_campaign(
    settings,
    programme_manager,
    newsletter,
    email_template,
    make_subscriber,
    make_list,
    smtp_server,
    run_worker,
) -> None:
    readers = [make_subscriber(newsletter) for _ in range(4)]
    smtp_server.refuse.update(reader.email for reader in readers)
    campaign = actions.create_campaign(
        programme_manager,
        name="반송",
        template=email_template,
        lists=[make_list(readers)],
        max_errors=2,
        concurrency=1,
    )
    # a batch of two, so the sender looks at the error count after two failures
    settings.SOTONG_CAMPAIGN_BATCH_SIZE = 2
    actions.start_campaign(programme_manager, campaign)
    run_worker()

    campaign.refresh_from_db()
    assert campaign.state == State.PAUSED
    assert "2" in campaign.paused_reason
    assert campaign.failed == 2
    assert campaign.recipients.filter(status=RecipientStatus.PENDING).count() == 2
    assert Suppression.objects.filter(reason=SuppressionReason.HARD_BOUNCE).count() == 2
    assert smtp_server.received == []


def test_pause_resume_cancel_follow_the_transition_table(
    programme_manager, email_template, newsletter, make_subscriber, make_list
) -> None:
    campaign = actions.create_campaign(
        programme_manager,
        name="상태",
        template=email_template,
        lists=[make_list([make_subscriber(newsletter)])],
    )
    with pytest.raises(IllegalTransition):
        actions.pause_campaign(programme_manager, campaign)
    assert Campaign.objects.get(pk=campaign.pk).state == State.DRAFT
    actions.start_campaign(programme_manager, campaign)
    actions.pause_campaign(programme_manager, campaign)
    actions.resume_campaign(programme_manager, campaign)
    actions.cancel_campaign(programme_manager, campaign)
    with pytest.raises(IllegalTransition, match="취소"):
        actions.resume_campaign(programme_manager, campaign)
    assert Campaign.objects.get(pk=campaign.pk).state == State.CANCELLED


def test_others_than_programme_managers_cannot_create_or_start(
    handler, email_template, newsletter, make_subscriber, make_list
) -> None:
    from sotong.people.errors import NotPermitted

    with pytest.raises(NotPermitted):
        actions.create_campaign(handler, name="x", template=email_template, lists=[])
    assert Campaign.objects.count() == 0


def test_scheduled_campaign_is_started_by_the_sweep_at_its_time(
    programme_manager, newsletter, email_template, make_subscriber, make_list, smtp_server, run_worker
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from sotong.campaigns.sweeps import start_due

    campaign = actions.create_campaign(
        programme_manager,
        name="예약",
        template=email_template,
        lists=[make_list([make_subscriber(newsletter)])],
    )
    at = timezone.now() + timedelta(hours=2)
    actions.schedule_campaign(programme_manager, campaign, at)
    with pytest.raises(actions.CampaignError):
        actions.schedule_campaign(programme_manager, campaign, timezone.now() - timedelta(minutes=1))

    assert start_due(at - timedelta(minutes=1)) == "started=0"
    assert start_due(at) == "started=1"
    run_worker()

    campaign.refresh_from_db()
    assert (campaign.state, campaign.sent) == (State.FINISHED, 1)
    assert len(smtp_server.received) == 1


def test_sent_time_is_recorded_as_an_aware_moment(
    programme_manager, newsletter, email_template, make_subscriber, make_list, smtp_server, run_worker
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    before = timezone.now()
    campaign = actions.create_campaign(
        programme_manager,
        name="시각",
        template=email_template,
        lists=[make_list([make_subscriber(newsletter)])],
    )
    actions.start_campaign(programme_manager, campaign)
    run_worker()
    sent_at = campaign.recipients.get().sent_at
    assert sent_at is not None
    assert before - timedelta(seconds=1) <= sent_at <= timezone.now()
