"""The per-process caches of codes and holidays: hits cost no query, changes are seen when they should be."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sotong.core import process_cache
from sotong.core.business_calendar import business_calendar
from sotong.core.codes import group_codes, is_allowed_code
from sotong.core.models import Code, CodeGroup, Holiday

DAY = date(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def fresh_caches():
    process_cache.clear_all()
    yield
    process_cache.clear_all()


@pytest.fixture
def categories(db):
    group = CodeGroup.objects.create(key="case_category", name="분야")
    Code.objects.create(group=group, code="cleaning", name="청소")
    Code.objects.create(group=group, code="parking", name="주차", is_active=False)
    return group


def queries(func):
    with CaptureQueriesContext(connection) as captured:
        result = func()
    return result, len(captured.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_second_read_costs_no_query():
    Holiday.objects.create(date=DAY, name="구 개청기념일")
    business_calendar()

    office, count = queries(business_calendar)

    assert count == 0
    assert office.holiday_name(DAY) == "구 개청기념일"


@pytest.mark.django_db(transaction=True)
def test_committed_changes_are_seen_at_once():
    assert business_calendar().is_working_day(DAY)
    with transaction.atomic():
        holiday = Holiday.objects.create(date=DAY, name="임시공휴일")
        assert not business_calendar().is_working_day(DAY)  # its own transaction sees it
    assert not business_calendar().is_working_day(DAY)
    assert queries(business_calendar)[1] == 0  # cached again after the commit

    holiday.name = "선거일"
    holiday.save()
    assert business_calendar().holiday_name(DAY) == "선거일"

    holiday.delete()
    assert business_calendar().is_working_day(DAY)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_never_reaches_the_cache():
    assert business_calendar().is_working_day(DAY)
    seen_inside = []

    def add_and_fail() -> None:
        with transaction.atomic():
            Holiday.objects.create(date=DAY, name="취소된 휴일")
            seen_inside.append(business_calendar().is_working_day(DAY))
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        add_and_fail()

    assert seen_inside == [False]

    assert business_calendar().is_working_day(DAY)
    assert business_calendar().is_working_day(DAY)


def test_a_change_in_a_rolled_back_savepoint_is_forgotten(db):
    assert business_calendar().is_working_day(DAY)

    def add_and_fail() -> None:
        with transaction.atomic():
            Holiday.objects.create(date=DAY, name="취소된 휴일")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        add_and_fail()

    assert business_calendar().is_working_day(DAY)


@pytest.mark.django_db(transaction=True)
def test_a_later_transaction_uses_the_cache_after_a_rolled_back_change():
    # A rolled-back transaction never tells the cache it ended; the next one on the same connection
    # (every test's own transaction, every request with ATOMIC_REQUESTS) must not keep reading through.
    def add_and_fail() -> None:
        with transaction.atomic():
            Holiday.objects.create(date=DAY, name="취소된 휴일")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        add_and_fail()

    with transaction.atomic():
        assert queries(lambda: business_calendar().is_working_day(DAY))[0]
        assert queries(lambda: business_calendar().is_working_day(DAY)) == (True, 0)


@pytest.mark.django_db(transaction=True)
def test_changes_without_signals_are_seen_after_the_time_to_live(monkeypatch, settings):
    settings.SOTONG_REFERENCE_CACHE_SECONDS = 60
    clock = [1000.0]
    monkeypatch.setattr(process_cache.time, "monotonic", lambda: clock[0])
    assert business_calendar().is_working_day(DAY)

    # as another process would: no signal reaches this one
    Holiday.objects.bulk_create([Holiday(date=DAY, name="다른 프로세스가 추가")])
    clock[0] += 59
    assert business_calendar().is_working_day(DAY)

    clock[0] += 2
    assert not business_calendar().is_working_day(DAY)


@pytest.mark.django_db(transaction=True)
def test_invalidate_all_makes_signal_less_changes_visible_at_once():
    assert business_calendar().is_working_day(DAY)
    Holiday.objects.bulk_create([Holiday(date=DAY, name="일괄 추가")])

    process_cache.invalidate_all()

    assert not business_calendar().is_working_day(DAY)


@pytest.mark.django_db(transaction=True)
def test_code_changes_are_seen_at_once(categories):
    assert is_allowed_code("case_category", "cleaning")
    assert not is_allowed_code("case_category", "parking")  # inactive
    assert not is_allowed_code("case_category", "nonsense")
    assert queries(lambda: is_allowed_code("case_category", "cleaning"))[1] == 0

    parking = Code.objects.get(code="parking")
    parking.is_active = True
    parking.save()
    assert is_allowed_code("case_category", "parking")

    Code.objects.get(code="cleaning").delete()
    assert not is_allowed_code("case_category", "cleaning")

    categories.delete()  # the whole group: anything goes when a district has no category table
    assert group_codes("case_category") == {}
    assert is_allowed_code("case_category", "anything")


def test_code_changes_inside_a_transaction_are_seen_by_it(categories):
    # the test runs inside a transaction that is never committed
    assert not is_allowed_code("case_category", "parking")
    parking = Code.objects.get(code="parking")
    parking.is_active = True
    parking.save()

    assert is_allowed_code("case_category", "parking")


@pytest.mark.django_db(transaction=True)
def test_flush_forgets_everything():
    Holiday.objects.bulk_create([Holiday(date=DAY, name="남은 휴일")])
    assert not business_calendar().is_working_day(DAY)

    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)

    assert business_calendar().is_working_day(DAY)
