"""What the surge and safety pages, and the board's alert panel, show (reads only)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.urls import reverse

from sotong.accounts.models import User
from sotong.cases.models import Case
from sotong.insights.alerts.actions import may_decide
from sotong.insights.alerts.dongs import centre_of, spread
from sotong.insights.alerts.surges import case_list_link
from sotong.insights.board.rollup import day_bounds
from sotong.insights.models_alerts import SafetyFlag, SafetyFlagStatus, Surge, SurgeDimension

MAP_LIMIT = 500


@dataclass(frozen=True)
class SurgeRow:
    surge: Surge
    url: str


def recent_surges(first: date, last: date, dimension: str = "") -> list[SurgeRow]:
    """Surges of the days from `first` to `last`, newest day and highest score first."""
    surges = Surge.objects.filter(day__gte=first, day__lte=last).order_by("-day", "-score", "pk")
    if dimension:
        surges = surges.filter(dimension=dimension)
    return [SurgeRow(surge, case_list_link(surge)) for surge in surges[:500]]


@dataclass(frozen=True)
class FlagRow:
    flag: SafetyFlag
    case: Case
    latitude: float | None
    longitude: float | None
    placement: str  # "point": the case's own coordinates; "dong": the dong's centre; "": not on the map
    url: str
    may_decide: bool


def flags_for(user: User, first: date, last: date, status: str = "") -> list[FlagRow]:
    """Safety flags of cases received from `first` to `last` that `user` may open (coordinators and
    system administrators all, others their departments' cases), newest first."""
    start, _end = day_bounds(first)
    _start, end = day_bounds(last)
    cases = Case.objects.visible_to(user).filter(received_at__gte=start, received_at__lt=end)
    flags = (
        SafetyFlag.objects.filter(case__in=cases)
        .select_related("case", "case__handling_department", "case__intake_department", "decided_by")
        .order_by("-case__received_at", "-pk")
    )
    if status:
        flags = flags.filter(status=status)
    rows = []
    per_dong: Counter[str] = Counter()
    for flag in flags[:MAP_LIMIT]:
        case = flag.case
        latitude, longitude, placement = case.latitude, case.longitude, "point"
        if latitude is None or longitude is None:
            centre = centre_of(case.dong)
            if centre is None:
                latitude, longitude, placement = None, None, ""
            else:
                latitude, longitude = spread(centre, per_dong[case.dong])
                per_dong[case.dong] += 1
                placement = "dong"
        url = reverse("cases_office:detail", args=[case.receipt_no])
        rows.append(FlagRow(flag, case, latitude, longitude, placement, url, may_decide(user, case)))
    return rows


def map_points(rows: list[FlagRow]) -> list[dict[str, Any]]:
    """The markers of the map (json_script): no personal data, only what the list beside it shows."""
    return [
        {
            "id": row.flag.pk,
            "lat": row.latitude,
            "lng": row.longitude,
            "receipt": row.case.receipt_no,
            "title": row.case.title[:80],
            "status": row.flag.status,
            "statusLabel": str(row.flag.get_status_display()),
            "approximate": row.placement == "dong",
            "url": row.url,
        }
        for row in rows
        if row.placement
    ]


@dataclass(frozen=True)
class BoardAlerts:
    first: date
    last: date
    surges: list[SurgeRow]
    surge_counts: list[tuple[str, int]]
    open_flags: int
    recent_open: list[SafetyFlag] = field(default_factory=list)
    surges_url: str = ""
    safety_url: str = ""


def board_alerts(first: date, last: date) -> BoardAlerts:
    """The board's alert panel for the period: the surges (with counts per dimension) and the open safety
    flags of cases received in it, with links to the surge list, the case lists and the safety map.

    The board is for coordinators and system administrators, who see every case; no scoping here."""
    surges = recent_surges(first, last)
    counts = Counter(row.surge.dimension for row in surges)
    start, _e = day_bounds(first)
    _s, end = day_bounds(last)
    # Open flags are few (staff decide them): the count starts from the flags' status index and joins each
    # flag's case by key for its receipt time, the same period the map and its link use.
    open_flags = SafetyFlag.objects.filter(
        status=SafetyFlagStatus.OPEN, case__received_at__gte=start, case__received_at__lt=end
    )
    period = f"?received_from={first.isoformat()}&received_to={last.isoformat()}"
    return BoardAlerts(
        first=first,
        last=last,
        surges=surges[:10],
        surge_counts=[(str(label), counts.get(value, 0)) for value, label in SurgeDimension.choices],
        open_flags=open_flags.count(),
        recent_open=list(open_flags.select_related("case").order_by("-case__received_at", "-pk")[:5]),
        surges_url=reverse("insights_office:surges") + period,
        safety_url=reverse("insights_office:safety") + period + "&status=open",
    )
