"""SMS campaigns end to end through the loopback HTTP gateway; advertising and night rules; byte limits."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from sotong.campaigns import actions
from sotong.campaigns.models import CampaignError, Recipient, RecipientStatus, State
from sotong.campaigns.sender import CampaignSender, is_night, night_ends
from sotong.messaging.text import euc_kr_length


def at(hour: int, minute: int = 0) -> datetime:
    """That hour tomorrow (local): after the consents the test gives now, whatever the time of day now."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time(hour, minute)))


def test_sms_go_in_gateway_batches_one_message_per_reader(
    settings, programme_manager, newsletter, sms_template, make_subscriber, make_list, sms_gateway, run_worker
) -> None:
    settings.SOTONG_CAMPAIGN_BATCH_SIZE = 3
    readers = [make_subscriber(newsletter, name="이하늘") for _ in range(7)]
    email_only = make_subscriber(newsletter, channels=("email",))
    campaign = actions.create_campaign(
        programme_manager, name="문자", template=sms_template, lists=[make_list([*readers, email_only])]
    )
    actions.start_campaign(programme_manager, campaign)
    run_worker()

    assert len(sms_gateway.requests) == 3  # 3 + 3 + 1
    numbers = sorted(item["to"] for item in sms_gateway.messages)
    assert numbers == sorted(r.mobile.replace("-", "") for r in readers)
    first = sms_gateway.messages[0]
    assert first["text"] == "이하늘님, 행당1동 주민 설명회 안내"
    assert first["type"] == "SMS"
    assert first["from"] == "0222865114"
    assert first["customFields"]["messageId"].startswith(f"c{campaign.pk}r")
    campaign.refresh_from_db()
    assert (campaign.state, campaign.sent) == (State.FINISHED, 7)


def test_long_text_goes_as_lms_and_text_beyond_lms_is_refused(programme_manager, newsletter) -> None:
    lms = actions.save_template(
        programme_manager, newsletter, name="장문", channel="sms", body_text="가" * 60
    )
    assert euc_kr_length(lms.body_text) == 120  # over 90 bytes: an LMS
    with pytest.raises(CampaignError, match="2000바이트"):
        actions.save_template(
            programme_manager, newsletter, name="너무 김", channel="sms", body_text="가" * 1001
        )
    with pytest.raises(CampaignError, match="보낼 수 없는 글자"):
        actions.save_template(
            programme_manager, newsletter, name="이모지", channel="sms", body_text="안내 😀"
        )


def test_personalised_text_is_checked_at_its_longest(programme_manager, newsletter) -> None:
    # 1,950 bytes of text plus a name of up to 20 Hangul (40 bytes) plus ... stays under 2,000 only without it
    with pytest.raises(CampaignError):
        actions.save_template(
            programme_manager, newsletter, name="경계", channel="sms", body_text="{{ name }}" + "가" * 990
        )


def test_sandbox_refuses_tags_and_names_outside_the_subset(programme_manager, newsletter) -> None:
    for body in ("{% load static %}", "{% include 'x.html' %}", "{% debug %}", "{{ settings.SECRET_KEY }}"):
        with pytest.raises(CampaignError):
            actions.save_template(
                programme_manager, newsletter, name="x", channel="email", subject="s", body_text=body
            )


def test_advertising_sms_carries_the_prefix_and_the_080_line(
    programme_manager, ad_newsletter, make_subscriber, make_list, sms_gateway
) -> None:
    template = actions.save_template(
        programme_manager, ad_newsletter, name="장터", channel="sms", body_text="성동 장터 할인 안내"
    )
    reader = make_subscriber(ad_newsletter)
    campaign = actions.create_campaign(
        programme_manager, name="장터", template=template, lists=[make_list([reader])]
    )
    actions.start_campaign(programme_manager, campaign)

    assert CampaignSender(campaign.pk, now=lambda: at(10)).run() == State.FINISHED

    (message,) = sms_gateway.messages
    assert message["text"] == "(광고) 성동 장터 할인 안내\n무료수신거부 080-123-4567"


def test_advertising_at_night_goes_only_to_night_consent_and_the_rest_waits_for_eight(
    programme_manager, ad_newsletter, make_subscriber, make_list, sms_gateway
) -> None:
    template = actions.save_template(
        programme_manager, ad_newsletter, name="장터", channel="sms", body_text="할인 안내"
    )
    night_owl = make_subscriber(ad_newsletter, night=True)
    day_reader = make_subscriber(ad_newsletter)
    campaign = actions.create_campaign(
        programme_manager, name="장터", template=template, lists=[make_list([night_owl, day_reader])]
    )
    actions.start_campaign(programme_manager, campaign)

    # at 22:30 only the night consent is sent; the rest is held until 08:00 the next day
    assert CampaignSender(campaign.pk, now=lambda: at(22, 30)).run() == "held"
    assert [m["to"] for m in sms_gateway.messages] == [night_owl.mobile.replace("-", "")]
    campaign.refresh_from_db()
    assert campaign.next_run_at == at(8) + timedelta(days=1)
    assert Recipient.objects.get(campaign=campaign, person=day_reader).status == RecipientStatus.PENDING

    # still night at 07:59; at 08:00 the day reader gets it
    assert CampaignSender(campaign.pk, now=lambda: at(7, 59) + timedelta(days=1)).run() == "held"
    assert len(sms_gateway.messages) == 1
    assert CampaignSender(campaign.pk, now=lambda: at(8) + timedelta(days=1)).run() == State.FINISHED
    assert [m["to"] for m in sms_gateway.messages][1] == day_reader.mobile.replace("-", "")


def test_public_notices_are_not_held_at_night(
    programme_manager, newsletter, sms_template, make_subscriber, make_list, sms_gateway
) -> None:
    reader = make_subscriber(newsletter)
    campaign = actions.create_campaign(
        programme_manager, name="공지", template=sms_template, lists=[make_list([reader])]
    )
    actions.start_campaign(programme_manager, campaign)
    assert CampaignSender(campaign.pk, now=lambda: at(23)).run() == State.FINISHED
    assert len(sms_gateway.messages) == 1


@pytest.mark.parametrize(
    ("hour", "minute", "night"), [(20, 59, False), (21, 0, True), (0, 0, True), (7, 59, True), (8, 0, False)]
)
def test_night_is_from_nine_pm_to_eight_am(hour: int, minute: int, night: bool) -> None:
    assert is_night(at(hour, minute)) is night
    if night:
        assert timezone.localtime(night_ends(at(hour, minute))).hour == 8


def test_advertising_newsletter_needs_the_080_number(programme_manager) -> None:
    with pytest.raises(CampaignError, match="080"):
        actions.create_newsletter(
            programme_manager,
            name="광고",
            code="ad",
            sender_name="구청",
            sender_email="a@b.kr",
            sender_phone="0222865114",
            contact_line="구청 02",
            is_advertising=True,
        )


def test_urgent_sms_reaches_the_dong_with_consent_only_and_jumps_the_queue(
    coordinator, programme_manager, newsletter, make_subscriber, sms_gateway, run_worker
) -> None:
    inside = make_subscriber(newsletter, dong="성수1가1동")
    inside_no_consent = make_subscriber(newsletter, dong="성수1가1동", consent=False)
    outside = make_subscriber(newsletter, dong="행당1동")
    campaign = actions.send_urgent_sms(
        coordinator, newsletter, text="[성동구] 한파 경보. 외출을 삼가세요.", dongs=["성수1가1동"]
    )
    run_worker()

    assert [m["to"] for m in sms_gateway.messages] == [inside.mobile.replace("-", "")]
    campaign.refresh_from_db()
    assert (campaign.kind, campaign.state, campaign.sent) == ("urgent", State.FINISHED, 1)
    assert inside_no_consent.pk != outside.pk
    with pytest.raises(CampaignError, match="단문"):
        actions.send_urgent_sms(coordinator, newsletter, text="가" * 46, dongs=["성수1가1동"])
