"""Reading the registry: demographic summaries (seed 001's tables) and search.

Summaries are one GROUP BY each over any set of people (the whole registry, a segment, a list):

    by_gender(qs)      [("M", "남", 43393), ("F", "여", 35392), ("", "미상", 0)]
    by_age_band(qs)    [("u20", "20대 미만", 551), ("20s", "20대", 8430), …]
    by_dong(qs), by_occupation(qs)

Search never matches contact data by pattern: a phone number or e-mail address is looked up only by the
exact blind index (ISMS-P 3.2.3). A name alone must match exactly; part of a name needs a second condition
(dong or organization), as KOREAN-RULES.md asks of any search by personal data.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from sotong.people.cleaning import clean_email, clean_mobile, email_index_for, phone_index_for
from sotong.people.errors import PeopleError
from sotong.people.models import AgeBand, Gender, Membership, Person, PersonQuerySet, age_band_expression

UNKNOWN = "미상"


def _base(people: PersonQuerySet | None) -> PersonQuerySet:
    return (people if people is not None else Person.objects.all()).active()


def _rows(rows: Any, key: str, labels: dict[str, str] | None = None) -> list[tuple[str, str, int]]:
    result = []
    for row in rows:
        value = row[key] or ""
        label = (labels or {}).get(value, value) or _(UNKNOWN)
        result.append((value, str(label), row["n"]))
    return result


def by_gender(people: PersonQuerySet | None = None) -> list[tuple[str, str, int]]:
    """(code, label, count) per gender, in the order 남, 여, 미상; one query."""
    rows = {r["gender"]: r["n"] for r in _base(people).order_by().values("gender").annotate(n=Count("pk"))}
    labels = dict(Gender.choices)
    return [(code, str(labels.get(code, _(UNKNOWN))), rows.get(code, 0)) for code in [*Gender.values, ""]]


def by_age_band(people: PersonQuerySet | None = None, year: int | None = None) -> list[tuple[str, str, int]]:
    """(band, label, count) for every age band in order, then 미상; one query."""
    rows = {
        r["band"]: r["n"]
        for r in _base(people)
        .order_by()
        .annotate(band=age_band_expression(year))
        .values("band")
        .annotate(n=Count("pk"))
    }
    labels = dict(AgeBand.choices)
    return [(band, str(labels.get(band, _(UNKNOWN))), rows.get(band, 0)) for band in [*AgeBand.values, ""]]


def by_dong(people: PersonQuerySet | None = None) -> list[tuple[str, str, int]]:
    """(dong, dong, count), most first; one query."""
    rows = _base(people).order_by().values("dong").annotate(n=Count("pk")).order_by("-n", "dong")
    return _rows(rows, "dong")


def by_occupation(people: PersonQuerySet | None = None) -> list[tuple[str, str, int]]:
    """(occupation, occupation, count), most first; one query."""
    rows = _base(people).order_by().values("occupation").annotate(n=Count("pk")).order_by("-n", "occupation")
    return _rows(rows, "occupation")


def search_people(
    *,
    name: str = "",
    dong: str = "",
    organization: str = "",
    mobile: str = "",
    email: str = "",
    people: PersonQuerySet | None = None,
) -> PersonQuerySet:
    """인명 검색. Contact: exact blind-index match only. Name: exact alone, partial with dong or organization."""
    name, dong, organization = (" ".join(v.split()) for v in (name, dong, organization))
    if not any((name, dong, organization, mobile.strip(), email.strip())):
        raise PeopleError(_("검색 조건을 하나 이상 입력해 주세요."), code="empty_search")
    qs = _base(people)
    if mobile.strip():
        qs = qs.by_contact_index("mobile_index", phone_index_for(clean_mobile(mobile)))
    if email.strip():
        qs = qs.by_contact_index("email_index", email_index_for(clean_email(email)))
    if dong:
        qs = qs.filter(dong__icontains=dong)
    if organization:
        qs = qs.filter(
            Exists(Membership.objects.filter(person=OuterRef("pk"), group_label__icontains=organization))
        )
    if name:
        second_condition = bool(dong or organization or mobile.strip() or email.strip())
        qs = qs.filter(Q(name__icontains=name) if second_condition else Q(name=name))
    return qs.order_by("name", "pk")
