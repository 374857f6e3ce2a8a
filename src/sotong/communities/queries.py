"""Searching organizations, activities and minutes; the committee members by occupation (seed 001).

seed 001 (e-거버넌스 추진계획) counts the 531 위원회 위원 by occupation in seven groups; `expert_groups`
gives the same table from the registry in one aggregate query, grouping each member's free-text
`Person.occupation` by the keywords below (the first group whose keyword the occupation contains).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from sotong.communities.models import (
    Committee,
    CommitteeMeeting,
    Organization,
    OrganizationActivity,
    OrganizationMinutes,
)
from sotong.people.models import Gender, Membership, MembershipKind

# (code, label, keywords): the order matters, the first match wins ("교수" before "회장").
OCCUPATION_GROUPS: tuple[tuple[str, object, tuple[str, ...]], ...] = (
    ("professor", _("교수"), ("교수",)),
    (
        "professional",
        _("전문가 (변호사, 회계사, 의사 등)"),
        (
            "변호사",
            "회계사",
            "세무사",
            "법무사",
            "노무사",
            "변리사",
            "의사",
            "약사",
            "건축사",
            "기술사",
            "감정평가사",
        ),
    ),
    (
        "public",
        _("교사, 구의원, 전직 공무원 등"),
        ("교사", "교장", "교감", "의원", "공무원", "교육"),
    ),
    ("association", _("단체회장, 회원 등"), ("회장", "단체", "회원", "위원장", "통장")),
    ("business", _("회사 대표, 임원 등"), ("대표", "임원", "이사", "사장", "CEO")),
    ("self_employed", _("자영업, 주부"), ("자영업", "주부", "상인", "소상공인")),
)
OTHER_GROUP: tuple[str, object] = ("other", _("기타 (연구원, 복지사, 관장 등)"))


def _contains_any(field: str, words: tuple[str, ...]) -> Q:
    return reduce(or_, (Q(**{f"{field}__icontains": word}) for word in words))


def occupation_group_expression(field: str = "person__occupation") -> models.Case:
    """The occupation group code of `field` as an SQL CASE, for grouping in one query."""
    return models.Case(
        *[
            models.When(_contains_any(field, words), then=models.Value(code))
            for code, _l, words in OCCUPATION_GROUPS
        ],
        default=models.Value(OTHER_GROUP[0]),
        output_field=models.CharField(),
    )


@dataclass(frozen=True)
class ExpertGroupRow:
    code: str
    label: str
    total: int
    male: int
    female: int


def expert_groups(*, on: date | None = None, committee: Committee | None = None) -> list[ExpertGroupRow]:
    """위원회 위원 직업별 현황: current committee members (each person once per group, across committees)
    counted by occupation group, with the men and women among them; every group listed, zero or not."""
    seats = Membership.objects.current(on).filter(
        kind=MembershipKind.COMMITTEE, person__anonymised_at__isnull=True
    )
    if committee is not None:
        seats = seats.filter(
            group_type=ContentType.objects.get_for_model(Committee), group_id=str(committee.pk)
        )
    counted: dict[str, dict[str, Any]] = {
        row["group"]: dict(row)
        for row in seats.annotate(group=occupation_group_expression())
        .values("group")
        .annotate(
            total=Count("person", distinct=True),
            male=Count("person", filter=Q(person__gender=Gender.MALE), distinct=True),
            female=Count("person", filter=Q(person__gender=Gender.FEMALE), distinct=True),
        )
        .order_by()
    }
    rows = []
    groups = [(code, label) for code, label, _words in OCCUPATION_GROUPS] + [OTHER_GROUP]
    for code, label in groups:
        found = counted.get(code, {})
        rows.append(
            ExpertGroupRow(
                code=code,
                label=str(label),
                total=found.get("total", 0),
                male=found.get("male", 0),
                female=found.get("female", 0),
            )
        )
    return rows


def search_organizations(
    *, text: str = "", type: str = "", dong: str = "", active_only: bool = False
) -> QuerySet[Organization]:
    """단체 검색: by part of the name, type, dong; with the number of current members."""
    found = Organization.objects.all()
    text = " ".join(text.split())
    if text:
        found = found.filter(name__icontains=text)
    if type:
        found = found.filter(type=type)
    if dong:
        found = found.filter(dong=dong)
    if active_only:
        found = found.filter(is_active=True)
    return found.annotate(member_count=_member_count(Organization, MembershipKind.ORGANIZATION))


def search_committees(*, text: str = "", active_only: bool = False) -> QuerySet[Committee]:
    """위원회 검색: by part of the name or the legal basis; with the number of current members."""
    found = Committee.objects.select_related("department")
    text = " ".join(text.split())
    if text:
        found = found.filter(Q(name__icontains=text) | Q(legal_basis__icontains=text))
    if active_only:
        found = found.filter(is_active=True)
    return found.annotate(member_count=_member_count(Committee, MembershipKind.COMMITTEE))


def _member_count(model: type[models.Model], kind: str) -> Coalesce:
    """The number of current seats of each row, as a subquery (no join, no GROUP BY on the list)."""
    seats = (
        Membership.objects.current()
        .filter(
            kind=kind,
            group_type=ContentType.objects.get_for_model(model),
            group_id=Cast(OuterRef("pk"), models.CharField()),
        )
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(seats), 0)


def _period(qs: QuerySet, start: date | None, end: date | None) -> QuerySet:
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return qs


def search_activities(
    *,
    organization: Organization | None = None,
    start: date | None = None,
    end: date | None = None,
    text: str = "",
) -> QuerySet[OrganizationActivity]:
    """단체별, 기간별, 활동내용별 검색 (seed 001): every word must appear in the title or the text."""
    found = OrganizationActivity.objects.select_related("organization").prefetch_related("photos")
    if organization is not None:
        found = found.filter(organization=organization)
    for word in text.split():
        found = found.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return _period(found, start, end)


def search_minutes(
    *,
    organization: Organization | None = None,
    start: date | None = None,
    end: date | None = None,
    text: str = "",
) -> QuerySet[OrganizationMinutes]:
    """회의록 검색: by organization, period and words in the agenda, decisions or attendees."""
    found = OrganizationMinutes.objects.select_related("organization")
    if organization is not None:
        found = found.filter(organization=organization)
    for word in text.split():
        found = found.filter(
            Q(agenda__icontains=word) | Q(decisions__icontains=word) | Q(attendees__icontains=word)
        )
    return _period(found, start, end)


def search_meetings(
    *, committee: Committee | None = None, start: date | None = None, end: date | None = None, text: str = ""
) -> QuerySet[CommitteeMeeting]:
    """위원회 회의록 검색, as `search_minutes`."""
    found = CommitteeMeeting.objects.select_related("committee")
    if committee is not None:
        found = found.filter(committee=committee)
    for word in text.split():
        found = found.filter(
            Q(agenda__icontains=word) | Q(decisions__icontains=word) | Q(attendees__icontains=word)
        )
    return _period(found, start, end)
