"""The business calendar against known Korean dates of 2025–2027 (설날, 추석, 대체공휴일)."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sotong.core.business_calendar import SEOUL, BusinessCalendar, Period, business_calendar
from sotong.core.models import Holiday

cal = BusinessCalendar()


def seoul(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 1, 27), "임시공휴일"),
        (date(2025, 1, 29), "설날"),
        (date(2025, 3, 3), "삼일절 대체 휴일"),
        (date(2025, 10, 6), "추석"),
        (date(2025, 10, 8), "추석 대체 휴일"),
        (date(2026, 2, 17), "설날"),
        (date(2026, 3, 2), "삼일절 대체 휴일"),
        (date(2026, 9, 25), "추석"),
        (date(2026, 10, 5), "개천절 대체 휴일"),
        (date(2027, 2, 9), "설날 대체 휴일"),
        (date(2027, 9, 15), "추석"),
        (date(2027, 12, 27), "기독탄신일 대체 휴일"),
    ],
)
def test_lunar_and_substitute_holidays_are_days_off(day, name):
    assert cal.holiday_name(day) == name
    assert cal.is_working_day(day) is False


@pytest.mark.parametrize("day", [date(2025, 1, 31), date(2025, 10, 10), date(2026, 2, 19), date(2027, 2, 10)])
def test_weekdays_after_the_holidays_are_working_days(day):
    assert cal.is_working_day(day)


def test_weekends_are_never_working_days():
    assert not cal.is_working_day(date(2026, 11, 21))  # Saturday
    assert not cal.is_working_day(date(2026, 11, 22))  # Sunday
    assert cal.is_working_day(date(2026, 11, 23))  # Monday


def test_seven_day_period_counts_the_first_day_and_skips_seollal_2025():
    # Fri 2025-01-24 is day 1; 1/27 임시공휴일 and 1/28–30 설날 do not count; day 7 is Fri 2025-02-07.
    assert cal.deadline(seoul(2025, 1, 24, 10, 0), Period(days=7)) == seoul(2025, 2, 7, 18, 0)


def test_receipt_after_hours_still_counts_the_first_day_for_day_periods():
    assert cal.deadline(seoul(2025, 1, 24, 20, 30), Period(days=7)) == seoul(2025, 2, 7, 18, 0)


def test_fourteen_day_period_received_on_saturday_starts_on_monday_and_skips_chuseok_2026():
    # Sat 9/19 → day 1 Mon 9/21; 추석 9/24–26, 개천절 대체 10/5, 한글날 10/9 skipped → day 14 Wed 10/14.
    assert cal.deadline(seoul(2026, 9, 19, 11, 0), Period(days=14)) == seoul(2026, 10, 14, 18, 0)


def test_immediate_other_complaint_is_three_working_hours_across_seollal():
    # Fri 2025-01-24 16:30: 1.5 h that day; the next working day is Fri 1/31 → 10:30.
    assert cal.deadline(seoul(2025, 1, 24, 16, 30), Period(hours=3)) == seoul(2025, 1, 31, 10, 30)


def test_five_day_period_is_forty_working_hours_across_chuseok_2025():
    # Thu 10/2 09:00: 8 h on 10/2; 10/3 개천절, 10/6–8 추석 and 대체, 10/9 한글날; then 10/10, 13, 14, 15.
    assert cal.deadline(seoul(2025, 10, 2, 9, 0), Period(days=5)) == seoul(2025, 10, 15, 18, 0)


def test_two_day_period_across_seollal_substitute_2027():
    # Fri 2027-02-05 17:00: 1 h; 2/8 설날 다음날 and 2/9 대체 휴일 skipped; 8 h on 2/10; 7 h on 2/11 → 17:00.
    assert cal.deadline(seoul(2027, 2, 5, 17, 0), Period(days=2)) == seoul(2027, 2, 11, 17, 0)


def test_lunch_hour_is_not_working_time():
    assert cal.add_working_hours(seoul(2026, 3, 3, 11, 30), 1) == seoul(2026, 3, 3, 13, 30)
    assert not cal.is_working_time(seoul(2026, 3, 3, 12, 30))
    assert cal.working_time_between(seoul(2026, 3, 3, 9, 0), seoul(2026, 3, 3, 18, 0)) == timedelta(hours=8)


def test_counting_starts_at_the_next_working_moment():
    assert cal.next_working_moment(seoul(2026, 11, 21, 15, 0)) == seoul(2026, 11, 23, 9, 0)
    assert cal.next_working_moment(seoul(2026, 11, 23, 7, 0)) == seoul(2026, 11, 23, 9, 0)
    assert cal.next_working_moment(seoul(2026, 11, 23, 12, 15)) == seoul(2026, 11, 23, 13, 0)
    assert cal.add_working_hours(seoul(2026, 11, 23, 19, 0), 2) == seoul(2026, 11, 24, 11, 0)


def test_aware_datetimes_in_other_zones_are_read_in_seoul_time():
    from datetime import UTC

    # 2026-11-23 00:30 UTC is 09:30 in Seoul.
    assert cal.add_working_hours(datetime(2026, 11, 23, 0, 30, tzinfo=UTC), 1) == seoul(2026, 11, 23, 10, 30)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        cal.add_working_hours(datetime(2026, 11, 23, 10, 0), 1)  # noqa: DTZ001


def test_period_needs_days_or_hours():
    with pytest.raises(ValueError, match="either days or hours"):
        Period()
    with pytest.raises(ValueError, match="either days or hours"):
        Period(days=3, hours=2)
    assert Period(days=5).counted_in_hours
    assert not Period(days=6).counted_in_hours


def test_six_day_period_is_counted_in_days():
    # Mon 2026-11-23 17:00 is day 1 → day 6 is Mon 11/30, end of day.
    assert cal.deadline(seoul(2026, 11, 23, 17, 0), Period(days=6)) == seoul(2026, 11, 30, 18, 0)


def test_extension_adds_the_period_after_the_old_deadline():
    old = seoul(2025, 2, 7, 18, 0)
    assert cal.extend(old, Period(days=7)) == seoul(2025, 2, 18, 18, 0)


def test_days_taken_for_the_speed_index():
    assert cal.days_taken(seoul(2026, 11, 23, 9, 0), seoul(2026, 11, 24, 13, 0)) == 1.4


@pytest.mark.django_db
def test_holidays_added_by_an_administrator_move_deadlines():
    # given: 구 개청기념일 on Mon 2026-11-23, and 2026-12-25 declared a working day
    Holiday.objects.create(date=date(2026, 11, 23), name="구 개청기념일")
    Holiday.objects.create(date=date(2026, 12, 25), name="근무일 지정", is_working_day=True)

    office = business_calendar()

    assert office.holiday_name(date(2026, 11, 23)) == "구 개청기념일"
    assert office.add_working_hours(seoul(2026, 11, 20, 17, 0), 2) == seoul(2026, 11, 24, 10, 0)
    assert office.is_working_day(date(2026, 12, 25))


@pytest.mark.django_db
def test_settings_change_the_working_day(settings):
    settings.BUSINESS_DAY_START, settings.BUSINESS_DAY_END, settings.BUSINESS_LUNCH = 8, 17, None

    assert business_calendar().add_working_hours(seoul(2026, 11, 23, 16, 0), 2) == seoul(2026, 11, 24, 9, 0)


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 11, 30)).map(  # noqa: DTZ001
    lambda d: d.replace(tzinfo=SEOUL)
)


@settings(max_examples=300, deadline=None)
@given(start=moments, minutes=st.integers(min_value=0, max_value=60 * 8 * 30))
@example(start=datetime(2025, 1, 2, 9, 0, 0, 1, tzinfo=SEOUL), minutes=180)  # ends at 13:00:00.000001
def test_working_time_between_inverts_add_working_hours(start, minutes):
    end = cal.add_working_hours(start, timedelta(minutes=minutes))

    assert cal.working_time_between(start, end) == timedelta(minutes=minutes)
    assert end >= start
    # the last instant before the end is working time (a microsecond: a start just past 09:00 can carry
    # its last microsecond over the lunch hour, so one second back would land in the lunch hour)
    assert minutes == 0 or cal.is_working_time(end - timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(start=moments, days=st.integers(min_value=6, max_value=60))
def test_day_deadlines_end_on_a_working_day_with_exactly_that_many_working_days(start, days):
    due = cal.deadline(start, Period(days=days))

    assert cal.is_working_day(due.date())
    assert cal.working_days_between(start.date(), due.date()) == days
