"""The workflow table, statutory periods, deadlines at receipt, receipt numbers and intake validation."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sotong.cases.errors import CasesError, CaseTransitionError, NotPermitted
from sotong.cases.models import Case, CaseKind, CaseStatus, Channel, ReceiptCounter
from sotong.cases.receipt import check_digit, format_receipt_no, next_receipt_no, validate_receipt_no
from sotong.cases.workflow import (
    END_STATUSES,
    TRANSITIONS,
    can_transition,
    check_transition,
    statutory_period,
)
from sotong.core import demo as core_demo
from sotong.core.business_calendar import SEOUL, BusinessCalendar, Period, business_calendar
from sotong.core.crypto import phone_index_for
from sotong.core.models import Event
from sotong.messaging.models import Message

# The table -----------------------------------------------------------------------------------------


def test_every_status_has_a_row_and_the_ends_lead_nowhere():
    assert set(TRANSITIONS) == set(CaseStatus.values)
    assert {CaseStatus.TRANSFERRED_OUT, CaseStatus.MERGED, CaseStatus.WITHDRAWN} == END_STATUSES


@pytest.mark.parametrize(
    ("current", "to"),
    [
        (CaseStatus.RECEIVED, CaseStatus.ASSIGNED),
        (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS),
        (CaseStatus.IN_PROGRESS, CaseStatus.ANSWERED),
        (CaseStatus.ANSWERED, CaseStatus.CLOSED),
        (CaseStatus.ANSWERED, CaseStatus.IN_PROGRESS),
        (CaseStatus.CLOSED, CaseStatus.IN_PROGRESS),
    ],
)
def test_main_path_and_reopening_are_allowed(current, to):
    assert can_transition(current, to)


@pytest.mark.parametrize(
    ("current", "to"),
    [
        (CaseStatus.RECEIVED, CaseStatus.ANSWERED),
        (CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS),
        (CaseStatus.CLOSED, CaseStatus.ANSWERED),
        (CaseStatus.ANSWERED, CaseStatus.ASSIGNED),
        (CaseStatus.MERGED, CaseStatus.IN_PROGRESS),
        (CaseStatus.WITHDRAWN, CaseStatus.RECEIVED),
        (CaseStatus.TRANSFERRED_OUT, CaseStatus.ASSIGNED),
    ],
)
def test_illegal_transitions_raise_a_korean_409(current, to):
    case = Case(receipt_no="2611-000001-0", status=current)
    with pytest.raises(CaseTransitionError) as error:
        check_transition(case, to)
    assert error.value.status_code == 409
    assert "바꿀 수 없습니다" in error.value.message


def test_illegal_action_changes_nothing(make_case, handler):
    case = make_case()
    from sotong.cases.actions import close_case

    events = Event.objects.count()
    with pytest.raises((CaseTransitionError, NotPermitted)):
        close_case(case, actor=handler)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RECEIVED
    assert Event.objects.count() == events


# Periods and deadlines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "period"),
    [
        (CaseKind.INQUIRY_LAW, Period(days=14)),
        (CaseKind.INQUIRY_PROCEDURE, Period(days=7)),
        (CaseKind.SUGGESTION, Period(days=14)),
        (CaseKind.OTHER, Period(hours=3)),
        (CaseKind.GRIEVANCE, Period(days=7)),
        (CaseKind.PROPOSAL, Period(days=7)),
    ],
)
def test_statutory_periods_follow_the_korean_rules(kind, period):
    assert statutory_period(kind) == period


@pytest.mark.django_db
def test_statutory_applications_take_their_period_from_the_code_table():
    core_demo.load()
    assert statutory_period(CaseKind.STATUTORY, "building_permit") == Period(days=10)
    assert statutory_period(CaseKind.STATUTORY, "resident_copy") == Period(hours=3)
    with pytest.raises(CasesError) as error:
        statutory_period(CaseKind.STATUTORY, "")
    assert error.value.field == "statutory_type"
    with pytest.raises(CasesError):
        statutory_period(CaseKind.STATUTORY, "no_such_type")


def test_case_received_on_chuseok_is_due_after_the_holidays(make_case):
    # 2026-09-24 (Thu) to 09-27 are 추석 and the weekend: 3 working hours end on Monday 09-28 at noon.
    received = datetime(2026, 9, 24, 10, 0, tzinfo=SEOUL)
    case = make_case(kind=CaseKind.OTHER, received_at=received)
    assert case.period_hours == 3
    assert case.deadline_at == datetime(2026, 9, 28, 12, 0, tzinfo=SEOUL)


def test_fourteen_day_period_counts_days_with_the_first_day_included(make_case):
    # Friday 2026-11-06: 14 working days, first day included → Wednesday 2026-11-25, end of day.
    case = make_case(kind=CaseKind.SUGGESTION, received_at=datetime(2026, 11, 6, 15, 0, tzinfo=SEOUL))
    assert case.period_days == 14
    assert case.deadline_at == datetime(2026, 11, 25, 18, 0, tzinfo=SEOUL)
    assert case.original_deadline_at == case.deadline_at


def test_proposal_deadline_is_the_first_report_due_date(make_case):
    received = datetime(2026, 11, 2, 10, 0, tzinfo=SEOUL)
    case = make_case(kind=CaseKind.PROPOSAL, received_at=received)
    assert (case.period_days, case.period_hours) == (0, 0)
    assert case.deadline_at == business_calendar().deadline(received, Period(days=7))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    moment=st.datetimes(
        min_value=datetime(2025, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
        max_value=datetime(2027, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    kind=st.sampled_from([k for k in CaseKind.values if k != CaseKind.STATUTORY]),
)
def test_deadlines_never_fall_on_a_weekend_or_holiday(moment, kind):
    calendar = BusinessCalendar()
    deadline = calendar.deadline(moment, statutory_period(kind))
    local = deadline.astimezone(SEOUL)
    assert calendar.is_working_day(local.date())
    assert 9 <= local.hour <= 18
    assert deadline > moment


# Receipt numbers -----------------------------------------------------------------------------------


def test_receipt_number_is_readable_with_a_check_digit():
    number = format_receipt_no(datetime(2026, 11, 3, 1, 0, tzinfo=UTC), 4271)
    assert number == f"2611-004271-{check_digit('2611004271')}"
    assert validate_receipt_no(number)
    assert validate_receipt_no(number.replace("-", " "))
    assert not validate_receipt_no("2613-004271-0")  # month 13
    assert not validate_receipt_no("hello")


def _variants(number: str):
    digits = number.replace("-", "")
    for i, char in enumerate(digits):
        for replacement in "0123456789":
            if replacement != char:
                yield digits[:i] + replacement + digits[i + 1 :]
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1]:
            yield digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]


@pytest.mark.parametrize("serial", [1, 4271, 90909, 123456, 999999])
def test_check_digit_catches_every_single_digit_error_and_adjacent_swap(serial):
    number = format_receipt_no(datetime(2026, 1, 5, 3, 0, tzinfo=UTC), serial)
    for typo in _variants(number):
        assert not validate_receipt_no(typo), typo


@pytest.mark.django_db
def test_serial_counts_per_year():
    first = next_receipt_no(datetime(2026, 12, 31, 14, 0, tzinfo=UTC))  # 2026-12-31 23:00 in Seoul
    second = next_receipt_no(datetime(2026, 12, 31, 15, 30, tzinfo=UTC))  # 2027-01-01 00:30 in Seoul
    third = next_receipt_no(datetime(2026, 12, 31, 14, 30, tzinfo=UTC))
    assert first.startswith("2612-000001-")
    assert second.startswith("2701-000001-")
    assert third.startswith("2612-000002-")


@pytest.mark.django_db(transaction=True)
def test_serial_is_unique_under_concurrent_registrations():
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def register() -> None:
        try:
            for _ in range(10):
                from django.db import transaction

                with transaction.atomic():
                    number = next_receipt_no()
                with lock:
                    numbers.append(number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(numbers) == 40
    assert len(set(numbers)) == 40
    assert ReceiptCounter.objects.get().last == 40
    assert all(validate_receipt_no(number) for number in numbers)


# Intake ----------------------------------------------------------------------------------------------


def test_submission_writes_case_event_and_one_receipt_notice(make_case):
    case = make_case()
    assert case.status == CaseStatus.RECEIVED
    assert validate_receipt_no(case.receipt_no)
    stored = Case.objects.get(pk=case.pk)
    assert stored.citizen_phone == "01012345678"
    assert stored.phone_index == phone_index_for("010 1234 5678")
    events = Event.objects.for_target(case)
    assert list(events.values_list("verb", flat=True)) == ["cases.submitted"]
    assert "01012345678" not in str(events.get().after)
    messages = Message.objects.about(case)
    assert messages.count() == 1
    assert messages.get().channel == "sms"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"body": ""}, "body"),
        ({"citizen_name": ""}, "citizen_name"),
        ({"citizen_phone": "", "citizen_email": "", "notify_sms": False}, "citizen_phone"),
        ({"citizen_phone": "", "notify_sms": True}, "citizen_phone"),
        ({"citizen_phone": "02-123-4567", "notify_sms": True}, "citizen_phone"),
        ({"citizen_phone": "12345"}, "citizen_phone"),
        ({"citizen_email": "not-an-address"}, "citizen_email"),
        ({"citizen_email": "", "notify_email": True}, "citizen_email"),
        ({"kind": "nonsense"}, "kind"),
        ({"channel": Channel.PHONE}, "channel"),
        ({"consents": []}, "consents"),
        ({"consents": [{"purpose": "민원 처리", "required": True, "agreed": False}]}, "consents"),
        ({"latitude": 37.5}, "latitude"),
        ({"latitude": 137.5, "longitude": 127.0}, "latitude"),
        ({"kind": CaseKind.STATUTORY}, "statutory_type"),
    ],
)
def test_bad_submission_is_refused_in_korean_with_the_field(make_case, overrides, field):
    with pytest.raises(CasesError) as error:
        make_case(**overrides)
    assert error.value.field == field
    assert any("\uac00" <= char <= "\ud7a3" for char in error.value.message)
    assert not Case.objects.exists()
    assert not Message.objects.exists()


def test_future_receipt_time_is_refused(make_case):
    with pytest.raises(CasesError) as error:
        make_case(received_at=datetime.now(UTC) + timedelta(days=1))
    assert error.value.field == "received_at"


@pytest.mark.parametrize("cast", ["intake_officer", "coordinator"])
def test_staff_of_the_intake_department_may_register(request, make_case, org, cast):
    actor = request.getfixturevalue(cast)
    case = make_case(actor=actor, channel=Channel.PHONE, consents=[])
    assert Event.objects.for_target(case).get().actor == actor


@pytest.mark.parametrize("cast", ["other_dept_handler", "sns_officer", "programme_manager", "sysadmin"])
def test_staff_outside_the_intake_department_may_not_register(request, make_case, cast):
    with pytest.raises(NotPermitted):
        make_case(actor=request.getfixturevalue(cast), channel=Channel.PHONE)
    assert not Case.objects.exists()
    assert not Event.objects.filter(verb="cases.submitted").exists()


def test_grievance_kind_sets_the_grievance_flag(make_case):
    assert make_case(kind=CaseKind.GRIEVANCE).is_grievance


def test_holidays_added_by_the_administrator_push_the_deadline(make_case):
    from datetime import date

    from sotong.core.models import Holiday

    # Monday 2026-11-09 made a day off (임시공휴일): 3 working hours from Friday 17:00 end on Tuesday.
    Holiday.objects.create(date=date(2026, 11, 9), name="임시공휴일")
    case = make_case(kind=CaseKind.OTHER, received_at=datetime(2026, 11, 6, 17, 0, tzinfo=SEOUL))
    assert case.deadline_at == datetime(2026, 11, 10, 11, 0, tzinfo=SEOUL)


def test_sns_officer_turns_a_post_into_a_case_for_any_department(make_case, org, sns_officer):
    case = make_case(actor=sns_officer, channel=Channel.SNS, intake_department=org.audit, consents=[])
    assert case.channel == Channel.SNS
    assert case.intake_department == org.audit


@pytest.mark.django_db
def test_transfer_deadlines_are_counted_in_working_hours():
    from sotong.cases.actions import initial_route_due
    from sotong.cases.workflow import transfer_due_at

    friday_evening = datetime(2026, 11, 6, 17, 30, tzinfo=SEOUL)
    # A new case reaches its handling department within 1 working hour; a misfiled one (재지정 too)
    # moves on within 3 of arriving at the wrong department; another agency's within 8.
    assert initial_route_due(friday_evening) == datetime(2026, 11, 9, 9, 30, tzinfo=SEOUL)
    assert transfer_due_at(friday_evening, "reassign") == datetime(2026, 11, 9, 11, 30, tzinfo=SEOUL)
    assert transfer_due_at(friday_evening, "misfiled") == datetime(2026, 11, 9, 11, 30, tzinfo=SEOUL)
    assert transfer_due_at(friday_evening, "agency") == datetime(2026, 11, 9, 17, 30, tzinfo=SEOUL)
