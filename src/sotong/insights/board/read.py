"""What the situation board shows, read from `DailyCaseRollup` only (never from the cases).

Each breakdown is a list of `BoardRow`: a label, the counts, the on-time rate (처리기간 준수율 of
KOREAN-RULES.md: answered by the deadline ÷ answered, in percent) and the link to the office case list
filtered to the same cases (received in the period, and the row's channel, kind, category or department).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from sotong.accounts.models import Department
from sotong.cases.models import CaseKind, Channel
from sotong.core.models import Code
from sotong.insights.models import DailyCaseRollup

COUNTS = ("received", "answered", "answered_on_time", "open_count", "overdue_open")
BREAKDOWNS = {
    "channel": "channel",
    "kind": "kind",
    "category": "category",
    "department": "department_id",
    "dong": "dong",
}


@dataclass(frozen=True)
class BoardRow:
    key: str
    label: str
    received: int
    answered: int
    answered_on_time: int
    open_count: int
    overdue_open: int
    satisfaction_count: int
    satisfaction_sum: int
    url: str

    @property
    def on_time_rate(self) -> float | None:
        """처리기간 준수율 in percent (one decimal), None when nothing was answered."""
        if not self.answered:
            return None
        return round(100 * self.answered_on_time / self.answered, 1)

    @property
    def satisfaction(self) -> float | None:
        if not self.satisfaction_count:
            return None
        return round(self.satisfaction_sum / self.satisfaction_count, 2)


@dataclass(frozen=True)
class Board:
    first: date
    last: date
    total: BoardRow
    breakdowns: dict[str, list[BoardRow]]


def case_list_url(first: date, last: date, **filters: Any) -> str:
    """The office case list filtered to the cases received from `first` to `last` (plus `filters`)."""
    params = {"received_from": first.isoformat(), "received_to": last.isoformat()}
    params.update({name: str(value) for name, value in filters.items()})
    return f"{reverse('cases_office:queues')}?{urlencode(params)}"


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
    departments = Department.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name")
    department_names: dict[Any, str] = dict(departments)
    return {key: department_names.get(key, str(key)) for key in keys}


def _row(key: Any, label: str, values: dict[str, Any], url: str) -> BoardRow:
    return BoardRow(
        key="" if key is None else str(key),
        label=label,
        url=url,
        **{name: int(values.get(name) or 0) for name in (*COUNTS, "satisfaction_count", "satisfaction_sum")},
    )


def _sums() -> dict[str, Sum]:
    return {name: Sum(name) for name in (*COUNTS, "satisfaction_count", "satisfaction_sum")}


def board(first: date, last: date) -> Board:
    """The board for cases received from `first` to `last`: totals and one breakdown per dimension."""
    rows = DailyCaseRollup.objects.filter(day__gte=first, day__lte=last).order_by()
    total = _row("", "", rows.aggregate(**_sums()), case_list_url(first, last))
    breakdowns: dict[str, list[BoardRow]] = {}
    for name, field in BREAKDOWNS.items():
        grouped = list(rows.values(field).annotate(**_sums()).order_by("-received", field))
        labels = _labels(name, [group[field] for group in grouped])
        result = []
        for group in grouped:
            key = group[field]
            label = labels[key]
            if key in ("", None):
                # Blank codes and cases without a handling department cannot be chosen in the list filter.
                url = ""
                label = _("미지정")
            else:
                param = "department" if name == "department" else name
                url = case_list_url(first, last, **{param: key})
            result.append(_row(key, label, group, url))
        breakdowns[name] = result
    return Board(first, last, total, breakdowns)
