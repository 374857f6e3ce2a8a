"""The 2-yearly notice to a newsletter's subscribers (정보통신망법 §50⑧, 령 §62의3): the people registry's
re-confirmation sweep, with the newsletter as the named sender, its contact and 080 number, a one-click
withdrawal link that works without a login, a channel that reaches the person, and a record kept as
evidence on the consent."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlparse

import dkim
import pytest
from django.test import Client
from django.utils import timezone

from sotong.campaigns import actions
from sotong.campaigns.models import SuppressionReason
from sotong.campaigns.sweeps import newsletter_notice_details
from sotong.core.models import Event
from sotong.messaging.models import Message
from sotong.messaging.text import SMS_MAX_BYTES, euc_kr_length
from sotong.people import sweeps
from sotong.people.models import Consent

pytestmark = pytest.mark.django_db


def _daytime(days_ahead: int = 1) -> datetime:
    return (timezone.localtime() + timedelta(days=days_ahead)).replace(hour=10, minute=0)


def _due(person) -> Consent:
    """The person's consents made due for their notice (as two years after consenting)."""
    Consent.objects.filter(person=person).update(reconfirm_due_at=timezone.now() + timedelta(days=5))
    return Consent.objects.get(person=person, purpose__code__in=["sd-market", "sd-news"])


def test_advertising_sms_notice_names_sender_date_and_free_opt_out(ad_newsletter, make_subscriber):
    # given a subscriber of an advertising newsletter whose 2 years are nearly up
    person = make_subscriber(ad_newsletter, channels=("sms", "email"))
    consent = _due(person)

    # when the registry's sweep runs in the daytime
    result = sweeps.send_reconfirm_notices(_daytime())

    # then one SMS from the newsletter's registered number states sender, date, fact and how to withdraw
    assert result.startswith("sms 1, email 0")
    message = Message.objects.get(channel__in=["sms", "lms"])
    text = message.body_text
    assert message.channel == "sms"
    assert euc_kr_length(text) <= SMS_MAX_BYTES
    assert text.startswith("[성동구청]")
    assert f"{timezone.localtime(consent.given_at):%Y.%m.%d}" in text
    assert "(광고)" in text
    assert "080-123-4567" in text
    assert message.sender == ad_newsletter.sender_phone
    # and the notice is kept as evidence on the consent and in the timeline
    consent.refresh_from_db()
    [record] = consent.evidence["notices"]
    assert record["channel"] == "sms"
    assert record["message"] == str(message.pk)
    assert record["sender"] == "성동구청"
    event = Event.objects.get(verb="people.reconfirm_notice_queued")
    assert event.after["message"] == str(message.pk)
    # a second run sends nothing more
    assert sweeps.send_reconfirm_notices(_daytime()).startswith("sms 0, email 0")
    assert Message.objects.count() == 1
    consent.refresh_from_db()
    assert len(consent.evidence["notices"]) == 1


def test_email_notice_carries_the_sender_and_a_one_click_link_that_withdraws(newsletter, make_subscriber):
    person = make_subscriber(newsletter, channels=("email",))
    consent = _due(person)

    sweeps.send_reconfirm_notices(_daytime())

    message = Message.objects.get(channel="email")
    assert parseaddr(message.sender)[1] == "news@sd.example.kr"
    assert message.subject == "[성동구청] 성동 소식 수신 동의 사실 안내"
    body = message.body_text
    assert "보내는 곳: 성동구청" in body
    assert f"{timezone.localtime(consent.given_at):%Y년 %m월 %d일}" in body
    assert "문의: 성동구청 뉴미디어담당관 02-2286-5114" in body
    assert "무료수신거부" not in body  # not advertising: no 080 line
    link = message.headers["List-Unsubscribe"].strip("<>")
    assert link in body
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # when the person uses the link: a POST without session or cookies, as a mail client sends it
    response = Client(enforce_csrf_checks=True).post(
        urlparse(link).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_notice_avoids_a_suppressed_channel(ad_newsletter, make_subscriber, programme_manager):
    # given a subscriber whose mobile number hard-bounced (suppressed), in the daytime when SMS would go first
    person = make_subscriber(ad_newsletter, channels=("sms", "email"))
    actions.add_suppression(
        programme_manager, "sms", person.mobile_index, reason=SuppressionReason.HARD_BOUNCE
    )
    consent = _due(person)

    result = sweeps.send_reconfirm_notices(_daytime())

    # then the notice goes by e-mail, with the 080 line of advertising
    assert result.startswith("sms 0, email 1")
    message = Message.objects.get()
    assert message.channel == "email"
    assert "무료수신거부: 080-123-4567" in message.body_text
    assert "(광고성 정보)" in message.body_text
    consent.refresh_from_db()
    assert consent.evidence["notices"][0]["channel"] == "email"


def test_nothing_reaches_a_person_suppressed_on_every_channel_and_that_is_recorded(
    newsletter, make_subscriber, programme_manager
):
    person = make_subscriber(newsletter, channels=("sms", "email"))
    actions.add_suppression(
        programme_manager, "sms", person.mobile_index, reason=SuppressionReason.HARD_BOUNCE
    )
    actions.add_suppression(
        programme_manager, "email", person.email_index, reason=SuppressionReason.COMPLAINT
    )
    consent = _due(person)

    assert "none 1" in sweeps.send_reconfirm_notices(_daytime())

    assert not Message.objects.exists()
    consent.refresh_from_db()
    assert consent.evidence["notices"][0] | {"at": None, "due": None} == {
        "at": None,
        "due": None,
        "channel": "none",
        "message": None,
        "sender": "성동구청",
        "consented_on": f"{timezone.localtime(consent.given_at):%Y-%m-%d}",
    }


def test_night_consent_notice_names_its_own_purpose_and_link(ad_newsletter, make_subscriber):
    person = make_subscriber(ad_newsletter, channels=("email",), night=True)
    night = Consent.objects.get(person=person, purpose=ad_newsletter.night_purpose)

    details = newsletter_notice_details([night])

    assert details[night.pk].sender_name == "성동구청"
    assert details[night.pk].advertising
    assert (
        f"/campaigns/p/p{ad_newsletter.night_purpose_id}-{person.pk}-e-"
        in details[night.pk].withdraw_urls["email"]
    )


def test_other_purposes_keep_the_registry_wording(make_subscriber, newsletter):
    # a consent to a purpose no newsletter sends for gets no sender details
    person = make_subscriber(newsletter)
    consent = Consent.objects.get(person=person)
    consent.purpose.newsletter.delete()
    consent.refresh_from_db()

    assert newsletter_notice_details([consent]) == {}


def test_email_notice_delivered_signed_and_verifiable(
    newsletter, make_subscriber, smtp_server, run_worker, dkim_key
):
    person = make_subscriber(newsletter, channels=("email",))
    _due(person)
    sweeps.send_reconfirm_notices(_daytime())

    run_worker()

    [mail] = smtp_server.received
    assert mail.rcpt_tos == [person.email]
    assert dkim.verify(mail.raw, dnsfunc=dkim_key.dnsfunc)
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "보내는 곳: 성동구청" in mail.message.get_body(("plain",)).get_content()
