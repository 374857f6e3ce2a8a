"""Campaign sweeps: start what is scheduled, hand a crashed run's campaign to a new one, and delete the
recipient rows of campaigns that ended longer ago than the retention period.

Also the newsletters' part of the people registry's 2-yearly consent notice (people.reconfirm_notices,
정보통신망법 §50⑧): registered here because this module is loaded with every app's sweeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from email.headerregistry import Address

from django.db.models import Q

from sotong.campaigns.actions import purge_recipients, resume_stalled_campaigns, start_due_campaigns
from sotong.campaigns.audience import contact_index_field
from sotong.campaigns.models import Newsletter, Suppression
from sotong.campaigns.tokens import purpose_token, purpose_unsubscribe_url
from sotong.core.scheduler import sweep
from sotong.people.models import Consent
from sotong.people.sweeps import NoticeDetails, register_notice_source


@sweep("campaigns.start_due", every=timedelta(minutes=1))
def start_due(now: datetime) -> str:
    """Start campaigns whose scheduled time has come."""
    return f"started={start_due_campaigns(now)}"


@sweep("campaigns.resume", every=timedelta(minutes=1))
def resume(now: datetime) -> str:
    """Re-enqueue running campaigns whose run stopped (lease ran out) or whose night hold has ended."""
    return f"resumed={resume_stalled_campaigns(now)}"


@sweep("campaigns.purge_recipients", every=timedelta(hours=1))
def purge_old_recipients(now: datetime) -> str:
    """발송 대상 기록 파기: recipient rows SOTONG_CAMPAIGN_RECIPIENT_KEEP_DAYS (183) days after the campaign
    ended, in keyed batches for at most SOTONG_CAMPAIGN_PURGE_SECONDS (20) seconds a run."""
    done = purge_recipients(now)
    return f"rows={done['rows']} campaigns={done['campaigns']}"


def newsletter_notice_details(consents: Sequence[Consent]) -> dict[int, NoticeDetails]:
    """For consents to a newsletter's purpose (or its night-time one): the newsletter as the sender, its
    contact line and 080 number, the signed one-click withdrawal link of that purpose per channel, and
    the channels on which the person's address is suppressed (a notice there would never arrive)."""
    purpose_ids = {consent.purpose_id for consent in consents}
    newsletters = Newsletter.objects.filter(
        Q(purpose_id__in=purpose_ids) | Q(night_purpose_id__in=purpose_ids)
    )
    by_purpose: dict[int, Newsletter] = {}
    for newsletter in newsletters:
        by_purpose[newsletter.purpose_id] = newsletter
        if newsletter.night_purpose_id:
            by_purpose[newsletter.night_purpose_id] = newsletter
    mine = [consent for consent in consents if consent.purpose_id in by_purpose]
    indexes = {
        channel: {getattr(c.person, contact_index_field(channel)) for c in mine} - {""}
        for channel in ("sms", "email")
    }
    suppressed = set(
        Suppression.objects.filter(
            Q(channel="sms", address_index__in=indexes["sms"])
            | Q(channel="email", address_index__in=indexes["email"])
        ).values_list("channel", "address_index")
    )
    found = {}
    for consent in mine:
        newsletter = by_purpose[consent.purpose_id]
        urls = {
            channel: purpose_unsubscribe_url(
                purpose_token(purpose_id=consent.purpose_id, person_id=consent.person_id, channel=channel)
            )
            for channel in ("sms", "email")
        }
        blocked = frozenset(
            channel
            for channel in ("sms", "email")
            if (channel, getattr(consent.person, contact_index_field(channel))) in suppressed
        )
        found[consent.pk] = NoticeDetails(
            sender_name=newsletter.sender_name,
            contact_line=newsletter.contact_line,
            sender_email=_mailbox(newsletter.sender_name, newsletter.sender_email),
            sender_phone=newsletter.sender_phone,
            opt_out_number=newsletter.opt_out_number if newsletter.is_advertising else "",
            advertising=newsletter.is_advertising,
            withdraw_urls=urls,
            blocked_channels=blocked,
        )
    return found


def _mailbox(name: str, address: str) -> str:
    """The mailbox "name <address>", quoted where RFC 5322 needs it (the outbox encodes the Korean name)."""
    local, _at, domain = address.rpartition("@")
    return str(Address(display_name=name, username=local, domain=domain))


register_notice_source("campaigns.newsletters", newsletter_notice_details)
