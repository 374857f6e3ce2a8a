"""The business calendar: working hours, Korean public holidays and statutory deadlines.

민원 처리에 관한 법률 §19: a period of 5 days or less is counted in working hours from the moment of
receipt, one day being 8 working hours; a period of 6 days or more is counted in days, the first day
included. Saturdays, Sundays and public holidays (lunar and substitute holidays included) never count.

Working hours are 09:00–18:00 with the lunch hour 12:00–13:00 left out (국가공무원 복무규정 §9), which is
what makes "1 day = 8 working hours" hold. All of this is configurable in settings.

Public holidays come from the `holidays` package (KR) plus the `Holiday` rows an administrator adds
(임시공휴일, 선거일, local closures) and minus the ones marked as working days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from django.conf import settings
from django.utils import timezone

from sotong.core.process_cache import HOLIDAYS

SEOUL = ZoneInfo("Asia/Seoul")
HOURS_PER_DAY = 8
# Periods of this many days or fewer are counted in working hours (법 §19 ①).
HOUR_COUNTED_MAX_DAYS = 5


@dataclass(frozen=True)
class Period:
    """A statutory processing period: in days (처리기간 N일) or in working hours (즉시 = 3 working hours)."""

    days: int = 0
    hours: int = 0

    def __post_init__(self) -> None:
        if (self.days > 0) == (self.hours > 0):
            raise ValueError("a Period has either days or hours, and it must be positive")

    @property
    def counted_in_hours(self) -> bool:
        return self.hours > 0 or self.days <= HOUR_COUNTED_MAX_DAYS

    @property
    def working_hours(self) -> int:
        return self.hours or self.days * HOURS_PER_DAY

    def __str__(self) -> str:
        return f"{self.hours}근무시간" if self.hours else f"{self.days}일"


@lru_cache(maxsize=64)
def _statutory_holidays(year: int) -> dict[date, str]:
    return dict(holidays_lib.country_holidays("KR", years=year, language="ko"))


class BusinessCalendar:
    """Working time of one office. Build it with `business_calendar()` to include the admin's holidays."""

    def __init__(
        self,
        *,
        day_start: int = 9,
        day_end: int = 18,
        lunch: tuple[int, int] | None = (12, 13),
        extra_holidays: dict[date, str] | None = None,
        working_days: set[date] | None = None,
    ) -> None:
        if not 0 <= day_start < day_end <= 24:
            raise ValueError("working day must start before it ends")
        self.day_start = day_start
        self.day_end = day_end
        self.lunch = lunch if lunch and day_start <= lunch[0] < lunch[1] <= day_end else None
        self.extra_holidays = dict(extra_holidays or {})
        self.working_days = set(working_days or ())

    # Days -----------------------------------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        """The name of the public holiday on `day`, or None (weekends are not named)."""
        if day in self.working_days:
            return None
        if day in self.extra_holidays:
            return self.extra_holidays[day]
        return _statutory_holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() < 5 and self.holiday_name(day) is None

    def next_working_day(self, day: date, *, include_today: bool = False) -> date:
        current = day if include_today else day + timedelta(days=1)
        while not self.is_working_day(current):
            current += timedelta(days=1)
        return current

    def add_working_days(self, day: date, days: int, *, count_first_day: bool = True) -> date:
        """The date on which a period of `days` working days ends.

        With `count_first_day` (법 §19 ②, 초일 산입) the start day is day 1 when it is a working day.
        """
        if days < 1:
            raise ValueError("days must be at least 1")
        current = day if count_first_day else day + timedelta(days=1)
        current = self.next_working_day(current, include_today=True)
        for _ in range(days - 1):
            current = self.next_working_day(current)
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in [start, end], both included (0 when end is before start)."""
        count, current = 0, start
        while current <= end:
            count += self.is_working_day(current)
            current += timedelta(days=1)
        return count

    # Hours ----------------------------------------------------------------------------------------

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of `day` as aware datetimes in Seoul time (empty on days off)."""
        if not self.is_working_day(day):
            return []

        def at(hour: int) -> datetime:
            if hour == 24:
                return datetime.combine(day + timedelta(days=1), time(0), SEOUL)
            return datetime.combine(day, time(hour), SEOUL)

        if self.lunch is None:
            return [(at(self.day_start), at(self.day_end))]
        return [(at(self.day_start), at(self.lunch[0])), (at(self.lunch[1]), at(self.day_end))]

    def is_working_time(self, moment: datetime) -> bool:
        local = _local(moment)
        return any(start <= local < end for start, end in self.intervals(local.date()))

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself when it is working time, else the start of the next working interval."""
        local = _local(moment)
        day = local.date()
        while True:
            for start, end in self.intervals(day):
                if local < end:
                    return max(local, start)
            day = self.next_working_day(day)

    def add_working_hours(self, moment: datetime, hours: float | timedelta) -> datetime:
        """The moment `hours` of working time after `moment` (counting starts at the next working moment)."""
        remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
        if remaining < timedelta(0):
            raise ValueError("hours must not be negative")
        current = self.next_working_moment(moment)
        day = current.date()
        while True:
            for start, end in self.intervals(day):
                if end <= current:
                    continue
                begin = max(start, current)
                available = end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day = self.next_working_day(day)
            current = self.intervals(day)[0][0]

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time elapsed from `start` to `end` (zero when end is not after start)."""
        start, end = _local(start), _local(end)
        if end <= start:
            return timedelta(0)
        total, day = timedelta(0), start.date()
        while day <= end.date():
            for a, b in self.intervals(day):
                overlap = min(b, end) - max(a, start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total

    # Statutory deadlines --------------------------------------------------------------------------

    def deadline(self, received_at: datetime, period: Period) -> datetime:
        """처리기한: the moment a case received at `received_at` is due under `period` (법 §19)."""
        if period.counted_in_hours:
            return self.add_working_hours(received_at, period.working_hours)
        last_day = self.add_working_days(_local(received_at).date(), period.days, count_first_day=True)
        return datetime.combine(
            last_day, time(self.day_end) if self.day_end < 24 else time(23, 59, 59), SEOUL
        )

    def extend(self, deadline: datetime, period: Period) -> datetime:
        """A new deadline `period` after the old one (처리기한 연장, 령 §21), counted from the day after."""
        if period.counted_in_hours:
            return self.add_working_hours(deadline, period.working_hours)
        start = _local(deadline).date() + timedelta(days=1)
        last_day = self.add_working_days(start, period.days, count_first_day=True)
        return datetime.combine(last_day, time(self.day_end), SEOUL)

    def days_taken(self, received_at: datetime, closed_at: datetime) -> float:
        """Working days used, for the speed index: working time ÷ 8 hours, rounded up to a tenth."""
        hours = self.working_time_between(received_at, closed_at).total_seconds() / 3600
        return math.ceil(hours / HOURS_PER_DAY * 10) / 10


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("business calendar needs aware datetimes")
    return moment.astimezone(SEOUL)


def business_calendar() -> BusinessCalendar:
    """The office's calendar: settings' working hours and the `Holiday` rows added by administrators.

    The rows are cached in the process (`sotong.core.process_cache`): a save or delete is seen at once,
    another process's change within `SOTONG_REFERENCE_CACHE_SECONDS` (60 s).
    """
    extra, working = HOLIDAYS.get("rows", _holiday_rows)
    return BusinessCalendar(
        day_start=settings.BUSINESS_DAY_START,
        day_end=settings.BUSINESS_DAY_END,
        lunch=tuple(settings.BUSINESS_LUNCH) if settings.BUSINESS_LUNCH else None,  # type: ignore[arg-type]
        extra_holidays=extra,
        working_days=working,
    )


def _holiday_rows() -> tuple[dict[date, str], frozenset[date]]:
    from sotong.core.models import Holiday

    extra: dict[date, str] = {}
    working: set[date] = set()
    for day, name, is_working_day in Holiday.objects.values_list("date", "name", "is_working_day"):
        if is_working_day:
            working.add(day)
        else:
            extra[day] = name
    return extra, frozenset(working)


def add_working_hours(moment: datetime, hours: float | timedelta) -> datetime:
    """Shortcut: `business_calendar().add_working_hours`."""
    return business_calendar().add_working_hours(moment, hours)


def statutory_deadline(received_at: datetime, period: Period) -> datetime:
    """Shortcut: `business_calendar().deadline`."""
    return business_calendar().deadline(received_at, period)
