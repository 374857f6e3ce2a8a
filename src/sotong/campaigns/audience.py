"""A campaign's audience: its lists and segments (or dongs), minus suppressed addresses, minus anyone
without a live consent for the newsletter's purpose and the campaign's channel.

Materialised once, when the campaign first starts, by one INSERT … SELECT into `Recipient` ordered by
person id: the audience is then fixed (a segment that grows during a three-hour send does not make the
sender chase it), its size is known for progress, and the sender pages it by key. Consent and suppression
are checked again per batch at send time, so a withdrawal during the send is still honoured.
Materialising costs one narrow row per recipient (about 40 bytes); paging the live segment query by
person id instead would redo the EXISTS checks of every condition on every page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Count, Exists, OuterRef, Q, Value
from django.db.models import IntegerField as IntegerValue
from django.utils import timezone

from sotong.campaigns.models import Campaign, Channel, Recipient, Suppression
from sotong.people.models import CONTACT_INDEX, Consent, ContactChannel, Person, PersonListMember, Segment
from sotong.people.segments import SegmentFilter


def contact_index_field(channel: str) -> str:
    return CONTACT_INDEX[ContactChannel(channel)]


def selection_q(campaign: Campaign) -> Q:
    """Everyone the campaign's lists, segments and dongs name (an OR of them), not anonymised."""
    q = Q(pk__in=[])
    list_ids = list(campaign.lists.values_list("pk", flat=True))
    if list_ids:
        # IN (SELECT …) rather than a correlated EXISTS: the planner starts from the list's members
        # (indexed) instead of walking the whole registry.
        members = PersonListMember.objects.filter(person_list_id__in=list_ids).values("person_id")
        q |= Q(pk__in=members)
    segment: Segment
    for segment in campaign.segments.all():
        q |= SegmentFilter.from_dict(segment.filters).q()
    if campaign.dongs:
        q |= Q(dong__in=list(campaign.dongs))
    return q & Q(anonymised_at__isnull=True)


def suppressed_q(channel: str) -> Q:
    index = contact_index_field(channel)
    return Q(Exists(Suppression.objects.filter(channel=channel, address_index=OuterRef(index))))


def consent_q(campaign: Campaign, now: datetime | None = None) -> Q:
    purpose = campaign.newsletter.purpose_id
    consents = Consent.objects.live(now).filter(purpose_id=purpose, person=OuterRef("pk"))
    consents = consents.for_channel(campaign.channel)
    return Q(Exists(consents)) & ~Q(**{contact_index_field(campaign.channel): ""})


def night_q(campaign: Campaign, now: datetime | None = None) -> Any:
    night = campaign.newsletter.night_purpose_id
    if not night:
        return Value(False, output_field=BooleanField())
    return Exists(Consent.objects.live(now).filter(purpose_id=night, person=OuterRef("pk")))


def audience_counts(campaign: Campaign, now: datetime | None = None) -> dict[str, int]:
    """How many the selection holds, and how many go or are left out and why, in one query."""
    now = now or timezone.now()
    selected = Person.objects.filter(selection_q(campaign))
    consent, suppressed = consent_q(campaign, now), suppressed_q(campaign.channel)
    return selected.aggregate(
        selected=Count("pk"),
        no_consent=Count("pk", filter=~consent),
        suppressed=Count("pk", filter=consent & suppressed),
        recipients=Count("pk", filter=consent & ~suppressed),
    )


def materialise(campaign: Campaign, now: datetime | None = None) -> int:
    """Write the recipients of `campaign` once (a second call writes nothing); returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.materialised_at is not None:
            return locked.total
        counts = audience_counts(locked, now)
        people = (
            Person.objects.filter(selection_q(locked))
            .filter(consent_q(locked, now))
            .exclude(suppressed_q(locked.channel))
            .annotate(
                c_id=Value(locked.pk, output_field=IntegerValue()),
                r_status=Value(0, output_field=IntegerValue()),
                r_night=night_q(locked, now),
            )
            .order_by("pk")
            .values_list("c_id", "pk", "r_status", "r_night")
        )
        sql, params = people.query.sql_with_params()
        table = connection.ops.quote_name(Recipient._meta.db_table)
        columns = ", ".join(
            connection.ops.quote_name(c) for c in ("campaign_id", "person_id", "status", "night_ok")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}, {connection.ops.quote_name('error')}) "  # noqa: S608
                f"SELECT *, '' FROM ({sql}) AS audience",
                params,
            )
        total = Recipient.objects.filter(campaign=locked).count()
        Campaign.objects.filter(pk=locked.pk).update(
            materialised_at=now,
            total=total,
            excluded={"no_consent": counts["no_consent"], "suppressed": counts["suppressed"]},
        )
        campaign.materialised_at, campaign.total = now, total
        return total


def address_of(person_values: dict[str, Any], channel: str) -> str:
    return str(person_values["email"] if channel == Channel.EMAIL else person_values["mobile"])
