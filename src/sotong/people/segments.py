"""Segments: saved filters over the registry, turned into one SQL condition, counted live.

    rule = SegmentFilter(age_bands=["30s", "40s"], dongs=["행당1동"], consent_purpose="e_sotong")
    Person.objects.filter(rule.q())            # the members
    segment_counts([rule, other_rule])         # {0: 1204, 1: 88, "total": 78785} in one query

Membership and consent conditions are EXISTS subqueries, so a person is counted once however many
memberships or consents match, and every segment's count comes from one aggregate over `Person`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from sotong.people.errors import PeopleError
from sotong.people.models import (
    AgeBand,
    Consent,
    ConsentPurpose,
    ContactChannel,
    Gender,
    Membership,
    MembershipKind,
    Person,
    Segment,
    age_band_q,
    current_year,
)


@dataclass
class SegmentFilter:
    """The conditions of a segment; empty lists mean "any". Values within one list are OR-ed, lists AND-ed."""

    age_bands: list[str] = field(default_factory=list)
    genders: list[str] = field(default_factory=list)
    dongs: list[str] = field(default_factory=list)
    occupations: list[str] = field(default_factory=list)
    memberships: list[str] = field(default_factory=list)
    organization: str = ""
    consent_purpose: str = ""
    consent_channel: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> SegmentFilter:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v}

    def validated(self) -> SegmentFilter:
        """The same filter, or `PeopleError` naming the first unknown value."""
        for name, allowed in (
            ("age_bands", AgeBand.values),
            ("genders", Gender.values),
            ("memberships", MembershipKind.values),
        ):
            unknown = [v for v in getattr(self, name) if v not in allowed]
            if unknown:
                raise PeopleError(
                    _("알 수 없는 조건 값입니다: %(value)s") % {"value": unknown[0]}, field=name
                )
        if self.consent_channel and self.consent_channel not in ContactChannel.values:
            raise PeopleError(
                _("알 수 없는 수신 방법입니다: %(value)s") % {"value": self.consent_channel},
                field="consent_channel",
            )
        if self.consent_channel and not self.consent_purpose:
            raise PeopleError(_("수신 방법을 고르려면 동의 목적도 골라 주세요."), field="consent_purpose")
        if self.consent_purpose and not ConsentPurpose.objects.filter(code=self.consent_purpose).exists():
            raise PeopleError(
                _("알 수 없는 동의 목적입니다: %(value)s") % {"value": self.consent_purpose},
                field="consent_purpose",
            )
        return self

    def q(self, year: int | None = None) -> Q:
        """The condition on `Person` (active people only)."""
        year = year or current_year()
        q = Q(anonymised_at__isnull=True)
        if self.age_bands:
            bands = Q()
            for band in self.age_bands:
                bands |= age_band_q(band, year)
            q &= bands
        if self.genders:
            q &= Q(gender__in=self.genders)
        if self.dongs:
            q &= Q(dong__in=self.dongs)
        if self.occupations:
            q &= Q(occupation__in=self.occupations)
        if self.memberships or self.organization:
            memberships = Membership.objects.current().filter(person=OuterRef("pk"))
            if self.memberships:
                memberships = memberships.filter(kind__in=self.memberships)
            if self.organization:
                memberships = memberships.filter(group_label__icontains=self.organization)
            q &= Q(Exists(memberships))
        if self.consent_purpose:
            consents = Consent.objects.live().for_purpose(self.consent_purpose).filter(person=OuterRef("pk"))
            if self.consent_channel:
                consents = consents.for_channel(self.consent_channel)
            q &= Q(Exists(consents))
        return q

    def people(self) -> Any:
        return Person.objects.filter(self.q())


def segment_counts(rules: Sequence[SegmentFilter | Segment]) -> dict[int | str, int]:
    """Live member counts of every segment (by position) and the registry's total, in one query."""
    filters = [r if isinstance(r, SegmentFilter) else SegmentFilter.from_dict(r.filters) for r in rules]
    year = current_year()
    aggregates: dict[str, Any] = {"total": Count("pk", filter=Q(anonymised_at__isnull=True))}
    for position, rule in enumerate(filters):
        aggregates[f"s{position}"] = Count("pk", filter=rule.q(year))
    result = Person.objects.aggregate(**aggregates)
    counts: dict[int | str, int] = {"total": result["total"]}
    counts.update({position: result[f"s{position}"] for position in range(len(filters))})
    return counts
