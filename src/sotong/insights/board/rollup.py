"""Daily case rollups: whole Seoul days recomputed from the cases, idempotently.

`recompute_day(day)` deletes the day's `DailyCaseRollup` rows and inserts them again in one transaction,
with the day's `BoardDimensionRollup` rows (the same counts summed per value of each dimension, which the
whole government's board reads), so running it twice leaves the same rows and a reader never sees half a
day. The sweep
`insights.rollup` recomputes the last `RECENT_DAYS` days every 10 minutes (their cases still change:
answers, transfers, surveys); the command `insights_rollup --from --to` backfills any range.

Counts are by receipt day (see `DailyCaseRollup`), which is what makes every board number drill down
exactly to the office case list filtered by received date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from sotong.cases.models import OPEN_STATUSES, PING_PONG_TRANSFERS, Case, SatisfactionSurvey
from sotong.core.business_calendar import HOURS_PER_DAY, SEOUL, BusinessCalendar, business_calendar
from sotong.insights.models import BoardDimensionRollup, DailyCaseRollup

RECENT_DAYS = 62

DIMENSIONS = ("channel", "kind", "category", "handling_department_id", "dong")

# Answered (답변완료 or 종결 after an answer): the moment of the answer is kept on the case.
ANSWERED = Q(answered_at__isnull=False)
# 처리기간 준수 (KOREAN-RULES.md): answered by the deadline; a case without a deadline counts as on time.
ON_TIME = ANSWERED & (Q(deadline_at__isnull=True) | Q(answered_at__lte=F("deadline_at")))
# 핑퐁 (GLOSSARY): transferred 3 or more times, whatever became of the case (a designation clears
# `is_ping_pong` but not the transfers it took); the office list's `state=ping_pong` is the same condition.
PING_PONG = Q(transfer_count__gte=PING_PONG_TRANSFERS)
# 미보고: a progress report of the case is overdue (flag kept by triggers, cases.report_flags).
UNREPORTED = Q(reports_missed=True)
# 스피드지수 counts answered cases with a statutory period of 1 day or more (cases.workflow).
SPEED = ANSWERED & (Q(period_days__gte=1) | Q(period_hours__gte=HOURS_PER_DAY))


def speed_index(calendar: BusinessCalendar, case: dict[str, Any]) -> float:
    """One case's 스피드지수 (KOREAN-RULES.md): (statutory days − days taken) ÷ statutory days × 100.

    Days taken are working days from receipt to the answer (`BusinessCalendar.days_taken`); a period in
    working hours counts as hours ÷ 8 days.
    """
    statutory = case["period_days"] or case["period_hours"] / HOURS_PER_DAY
    taken = calendar.days_taken(case["received_at"], case["answered_at"])
    return (statutory - taken) / statutory * 100


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The Seoul day as [start, end) instants."""
    start = datetime.combine(day, time(0), SEOUL)
    return start, datetime.combine(day + timedelta(days=1), time(0), SEOUL)


def seoul_today(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), SEOUL).date()


@dataclass(frozen=True)
class RollupResult:
    days: int
    rows: int

    def __str__(self) -> str:
        return f"{self.days} days, {self.rows} rows"


def _day_rows(day: date, now: datetime) -> list[DailyCaseRollup]:
    start, end = day_bounds(day)
    cases = Case.objects.filter(received_at__gte=start, received_at__lt=end).order_by()
    groups: dict[tuple[Any, ...], DailyCaseRollup] = {}
    counted = cases.values(*DIMENSIONS).annotate(
        n_received=Count("pk"),
        n_answered=Count("pk", filter=ANSWERED),
        n_on_time=Count("pk", filter=ON_TIME),
        n_open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        n_overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline_at__lt=now)),
        n_ping_pong=Count("pk", filter=PING_PONG),
        n_unreported=Count("pk", filter=UNREPORTED),
    )
    for row in counted:
        key = tuple(row[name] for name in DIMENSIONS)
        groups[key] = DailyCaseRollup(
            day=day,
            channel=row["channel"],
            kind=row["kind"],
            category=row["category"],
            department_id=row["handling_department_id"],
            dong=row["dong"],
            received=row["n_received"],
            answered=row["n_answered"],
            answered_on_time=row["n_on_time"],
            open_count=row["n_open"],
            overdue_open=row["n_overdue"],
            ping_pong=row["n_ping_pong"],
            unreported=row["n_unreported"],
            computed_at=now,
        )
    surveys = (
        SatisfactionSurvey.objects.filter(case__received_at__gte=start, case__received_at__lt=end)
        .order_by()
        .values(*(f"case__{name}" for name in DIMENSIONS))
        .annotate(n=Count("pk"), total=Sum("score"))
    )
    for row in surveys:
        key = tuple(row[f"case__{name}"] for name in DIMENSIONS)
        if key in groups:  # every surveyed case was counted above (same day, same dimensions)
            groups[key].satisfaction_count = row["n"]
            groups[key].satisfaction_sum = row["total"] or 0
    calendar = business_calendar()
    timed = cases.filter(SPEED).values(
        *DIMENSIONS, "received_at", "answered_at", "period_days", "period_hours"
    )
    for case in timed.iterator(chunk_size=2000):
        group = groups[tuple(case[name] for name in DIMENSIONS)]
        group.speed_count += 1
        group.speed_sum += speed_index(calendar, case)
    return list(groups.values())


# The board's dimensions: `BoardDimensionRollup.dimension` → the `DailyCaseRollup` field.
BOARD_DIMENSIONS = {
    "channel": "channel",
    "kind": "kind",
    "category": "category",
    "department": "department_id",
    "dong": "dong",
}
SUMMED = (
    "received",
    "answered",
    "answered_on_time",
    "open_count",
    "overdue_open",
    "satisfaction_count",
    "satisfaction_sum",
    "ping_pong",
    "unreported",
    "speed_count",
    "speed_sum",
)


def dimension_rows(day: date, rows: list[DailyCaseRollup]) -> list[BoardDimensionRollup]:
    """The day's sums of `rows` per value of each board dimension (the whole government's board)."""
    sums: dict[tuple[str, str], BoardDimensionRollup] = {}
    for row in rows:
        for dimension, field in BOARD_DIMENSIONS.items():
            value = getattr(row, field)
            key = "" if value is None else str(value)
            target = sums.get((dimension, key))
            if target is None:
                target = sums[(dimension, key)] = BoardDimensionRollup(day=day, dimension=dimension, key=key)
            for name in SUMMED:
                setattr(target, name, getattr(target, name) + getattr(row, name))
    return list(sums.values())


def recompute_day(day: date, now: datetime | None = None) -> int:
    """Replace the rollup rows of `day` (both tables); returns how many `DailyCaseRollup` rows it has now."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = _day_rows(day, now)
        DailyCaseRollup.objects.filter(day=day).delete()
        DailyCaseRollup.objects.bulk_create(rows, batch_size=500)
        BoardDimensionRollup.objects.filter(day=day).delete()
        BoardDimensionRollup.objects.bulk_create(dimension_rows(day, rows), batch_size=500)
    return len(rows)


def days_between(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def recompute_range(first: date, last: date, now: datetime | None = None) -> RollupResult:
    """Recompute every day from `first` to `last`, both included (each day in its own transaction)."""
    if last < first:
        raise ValueError("last before first")
    now = now or timezone.now()
    days = rows = 0
    for day in days_between(first, last):
        rows += recompute_day(day, now)
        days += 1
    return RollupResult(days, rows)


def recompute_recent(now: datetime | None = None, days: int = RECENT_DAYS) -> RollupResult:
    """The last `days` Seoul days up to today."""
    now = now or timezone.now()
    today = seoul_today(now)
    return recompute_range(today - timedelta(days=days - 1), today, now)
