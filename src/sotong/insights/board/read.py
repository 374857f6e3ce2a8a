"""What the situation board shows, read from the rollups only (never from the cases): the whole
government's from `BoardDimensionRollup`, a bureau's or department's from its `DailyCaseRollup` rows.

Each breakdown is a list of `BoardRow`: a label, the counts, the on-time rate (처리기간 준수율 of
KOREAN-RULES.md: answered by the deadline ÷ answered, in percent), the speed index (스피드지수: the mean
of (statutory days − days taken) ÷ statutory days × 100 over the answered cases with a period of 1 day
or more) and links to the office case list filtered to the same cases: received in the period, the
row's channel, kind, category, handling department (that department only) or dong, and for each count
the matching `state` (answered, open, overdue, ping-pong, unreported).

A board has a scope: the whole government (`scope=None`), or a bureau or department and everything
below it, i.e. the rollup rows whose handling department lies in that subtree. Cases carry no 자치구
(one government runs one sotong), so the "district" figures of Seoul's board are the whole
government's total here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from sotong.accounts.models import Department
from sotong.cases.models import CaseKind, Channel
from sotong.core.models import Code
from sotong.insights.models import BoardDimensionRollup, DailyCaseRollup

COUNTS = (
    "received",
    "answered",
    "answered_on_time",
    "open_count",
    "overdue_open",
    "ping_pong",
    "unreported",
    "satisfaction_count",
    "satisfaction_sum",
    "speed_count",
)
BREAKDOWNS = {
    "channel": "channel",
    "kind": "kind",
    "category": "category",
    "department": "department_id",
    "dong": "dong",
}
# The per-dimension rows of this dimension give the totals and the trend.
TOTAL_DIMENSION = "channel"
# The count columns that drill down, and the office case list's `state` for each.
STATES = {
    "answered": "answered",
    "open_count": "open",
    "overdue_open": "overdue",
    "ping_pong": "ping_pong",
    "unreported": "unreported",
}
# Longer periods are shown per week in the trend chart.
DAILY_TREND_MAX_DAYS = 62


@dataclass(frozen=True)
class BoardRow:
    key: str
    label: str
    received: int
    answered: int
    answered_on_time: int
    open_count: int
    overdue_open: int
    ping_pong: int
    unreported: int
    satisfaction_count: int
    satisfaction_sum: int
    speed_count: int
    speed_sum: float
    url: str
    links: dict[str, str] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        """처리기간 준수율 in percent (one decimal), None when nothing was answered."""
        if not self.answered:
            return None
        return round(100 * self.answered_on_time / self.answered, 1)

    @property
    def speed_index(self) -> float | None:
        """스피드지수 (one decimal), None when no answered case had a period of 1 day or more."""
        if not self.speed_count:
            return None
        return round(self.speed_sum / self.speed_count, 1)

    @property
    def satisfaction(self) -> float | None:
        if not self.satisfaction_count:
            return None
        return round(self.satisfaction_sum / self.satisfaction_count, 2)


@dataclass(frozen=True)
class TrendPoint:
    """One day (or week) of the trend: the cases received then, how many are answered, overdue now."""

    first: date
    last: date
    received: int
    answered: int
    overdue_open: int
    url: str

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()}~{self.last:%m-%d}"


@dataclass(frozen=True)
class Board:
    first: date
    last: date
    scope: Department | None
    total: BoardRow
    breakdowns: dict[str, list[BoardRow]]
    trend: list[TrendPoint]
    weekly: bool


def case_list_url(first: date, last: date, **filters: Any) -> str:
    """The office case list filtered to the cases received from `first` to `last` (plus `filters`)."""
    params = {"received_from": first.isoformat(), "received_to": last.isoformat()}
    params.update({name: str(value) for name, value in filters.items()})
    return f"{reverse('cases_office:queues')}?{urlencode(params)}"


def scope_filters(scope: Department | None) -> dict[str, Any]:
    """The case list filters of a board's scope: handled in the department or below it."""
    if scope is None:
        return {}
    return {"handling_department": scope.pk, "handling_subtree": 1}


def _labels(name: str, keys: list[Any]) -> dict[Any, str]:
    if name == "channel":
        return {key: str(Channel(key).label) if key in Channel.values else key for key in keys}
    if name == "kind":
        return {key: str(CaseKind(key).label) if key in CaseKind.values else key for key in keys}
    if name == "dong":
        return {key: key for key in keys}
    if name == "category":
        names = dict(Code.objects.in_group("case_category").filter(code__in=keys).values_list("code", "name"))
        return {key: names.get(key, key) for key in keys}
    ids = [int(key) for key in keys if key and str(key).isdigit()]
    department_names = {
        str(pk): name for pk, name in Department.objects.filter(pk__in=ids).values_list("pk", "name")
    }
    return {key: department_names.get(str(key), str(key)) for key in keys}


def _links(first: date, last: date, filters: dict[str, Any]) -> dict[str, str]:
    return {count: case_list_url(first, last, **filters, state=state) for count, state in STATES.items()}


def _row(key: Any, label: str, values: dict[str, Any], url: str, links: dict[str, str]) -> BoardRow:
    return BoardRow(
        key="" if key is None else str(key),
        label=label,
        url=url,
        links=links,
        speed_sum=float(values.get("speed_sum") or 0.0),
        **{name: int(values.get(name) or 0) for name in COUNTS},
    )


def _sums() -> dict[str, Sum]:
    return {name: Sum(name) for name in (*COUNTS, "speed_sum")}


def scope_departments(scope: Department) -> list[int]:
    """Ids of `scope` and every department below it (one small query)."""
    return list(Department.objects.subtree_of([scope]).values_list("pk", flat=True))


MEASURES = (*COUNTS, "speed_sum")


@dataclass
class Source:
    """Where a board's numbers come from. `totals()` sums every case once, `grouped(name)` gives one dict
    per value of a dimension (its value as "key"), `per_day()` one dict per day.

    The whole government's board groups `BoardDimensionRollup` in the database (a few hundred rows a day).
    A scope's board reads its departments' `DailyCaseRollup` rows once, by the department-and-day index,
    and sums them here: one index scan instead of seven, each of which fetched the same table rows.
    """

    rows: QuerySet[Any]
    per_dimension: bool
    _fine: list[dict[str, Any]] | None = None

    def _one(self) -> QuerySet[Any]:
        # Every case is in exactly one row of each dimension: the channel rows sum to the totals.
        return self.rows.filter(dimension=TOTAL_DIMENSION)

    def fine(self) -> list[dict[str, Any]]:
        if self._fine is None:
            self._fine = list(self.rows.values("day", *BREAKDOWNS.values(), *MEASURES))
        return self._fine

    def _sum(self, rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        sums: dict[Any, dict[str, Any]] = {}
        for row in rows:
            value = row[key]
            target = sums.get(value)
            if target is None:
                target = sums[value] = {key: value, **dict.fromkeys(MEASURES, 0)}
            for name in MEASURES:
                target[name] += row[name]
        return list(sums.values())

    def totals(self) -> dict[str, Any]:
        if self.per_dimension:
            return self._one().aggregate(**_sums())
        return {name: sum(row[name] for row in self.fine()) for name in MEASURES}

    def grouped(self, name: str) -> list[dict[str, Any]]:
        if self.per_dimension:
            groups = list(
                self.rows.filter(dimension=name)
                .values("key")
                .annotate(**_sums())
                .order_by("-received", "key")
            )
        else:
            groups = [
                {"key": group.pop(BREAKDOWNS[name]), **group}
                for group in self._sum(self.fine(), BREAKDOWNS[name])
            ]
        for group in groups:
            group["key"] = "" if group["key"] is None else str(group["key"])
        return sorted(groups, key=lambda group: (-group["received"], group["key"]))

    def per_day(self) -> list[dict[str, Any]]:
        if not self.per_dimension:
            return self._sum(self.fine(), "day")
        return list(
            self._one()
            .values("day")
            .annotate(received=Sum("received"), answered=Sum("answered"), overdue_open=Sum("overdue_open"))
        )


def rollup_source(first: date, last: date, scope: Department | None = None) -> Source:
    """The whole government's board reads `BoardDimensionRollup` (a few hundred rows a day); a scope's
    board the `DailyCaseRollup` rows of its departments (found by the department-and-day index)."""
    if scope is None:
        return Source(BoardDimensionRollup.objects.filter(day__gte=first, day__lte=last).order_by(), True)
    rows = DailyCaseRollup.objects.filter(
        department_id__in=scope_departments(scope), day__gte=first, day__lte=last
    ).order_by()
    return Source(rows, False)


def _buckets(first: date, last: date) -> tuple[list[tuple[date, date]], bool]:
    """Days, or Monday-to-Sunday weeks cut to the period when it is longer than `DAILY_TREND_MAX_DAYS`."""
    weekly = (last - first).days + 1 > DAILY_TREND_MAX_DAYS
    buckets: list[tuple[date, date]] = []
    start = first
    while start <= last:
        end = min(last, start + timedelta(days=6 - start.weekday())) if weekly else start
        buckets.append((start, end))
        start = end + timedelta(days=1)
    return buckets, weekly


def _trend(source: Source, first: date, last: date, base: dict[str, Any]) -> tuple[list[TrendPoint], bool]:
    per_day = {row["day"]: row for row in source.per_day()}
    buckets, weekly = _buckets(first, last)
    points = []
    for start, end in buckets:
        days = [per_day[day] for day in per_day if start <= day <= end]
        points.append(
            TrendPoint(
                first=start,
                last=end,
                received=sum(int(day["received"] or 0) for day in days),
                answered=sum(int(day["answered"] or 0) for day in days),
                overdue_open=sum(int(day["overdue_open"] or 0) for day in days),
                url=case_list_url(start, end, **base),
            )
        )
    return points, weekly


def board(first: date, last: date, scope: Department | None = None) -> Board:
    """The board for cases received from `first` to `last` and handled within `scope` (None: all)."""
    source = rollup_source(first, last, scope)
    base = scope_filters(scope)
    total = _row("", "", source.totals(), case_list_url(first, last, **base), _links(first, last, base))
    breakdowns: dict[str, list[BoardRow]] = {}
    for name in BREAKDOWNS:
        grouped = source.grouped(name)
        labels = _labels(name, [group["key"] for group in grouped])
        result = []
        for group in grouped:
            key = group["key"]
            label = labels[key]
            if key in ("", None):
                # Blank codes and cases without a handling department cannot be chosen in the list filter.
                url, links, label = "", {}, _("미지정")
            else:
                # A department row is that department alone (its own cases, not its subtree's).
                filters = {"handling_department": key} if name == "department" else {**base, name: key}
                url, links = case_list_url(first, last, **filters), _links(first, last, filters)
            result.append(_row(key, label, group, url, links))
        breakdowns[name] = result
    trend, weekly = _trend(source, first, last, base)
    return Board(first, last, scope, total, breakdowns, trend, weekly)
