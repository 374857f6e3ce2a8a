"""진행사항 보고: 보고요청 → 보고확인 → 보고승인 / 반려, 미보고, bulk approval, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sotong.accounts.models import Role
from sotong.cases.actions import (
    REPORT_TRANSITIONS,
    answer_case,
    approve_report,
    bulk_approve_reports,
    mark_missed_reports,
    next_monthly_due,
    request_report,
    return_report,
    schedule_first_report,
    submit_report,
)
from sotong.cases.errors import CasesError, CaseTransitionError, NotPermitted
from sotong.cases.models import CaseKind, CaseStatus, ProgressReport, ReportStatus
from sotong.cases.tests.fixtures_reports import *  # noqa: F403
from sotong.cases.tests.fixtures_reports import seoul
from sotong.core.business_calendar import business_calendar
from sotong.core.models import Event

pytestmark = pytest.mark.django_db


def events(case, verb):
    return Event.objects.for_target(case).filter(verb=verb)


# --- first report ---------------------------------------------------------------------------------


def test_first_report_is_due_at_the_end_of_the_seventh_working_day(make_case_row):
    # given a proposal received on Thursday 2026-03-05 (3-1 절 is the Sunday before; no holiday after)
    case = make_case_row(received_at=seoul(2026, 3, 5, 15))

    # when it is assigned
    report = schedule_first_report(case)

    # then the report is due on the 7th working day, receipt day counted: Thu, Fri, Mon..Fri → Fri 13th
    assert report is not None
    assert report.is_first
    assert report.status == ReportStatus.REQUESTED
    assert report.department == case.handling_department
    assert timezone.localtime(report.due_at).replace(tzinfo=None).isoformat() == "2026-03-13T18:00:00"
    assert events(case, "cases.report_requested").count() == 1


def test_first_report_skips_public_holidays(make_case_row):
    # 2026-09-24..26 추석 (Thu–Sat): received Wed 23rd, days 1 = 23, then 28, 29, 30, 10-1, 10-2 ...
    case = make_case_row(received_at=seoul(2026, 9, 23, 10))

    report = schedule_first_report(case)

    assert report is not None
    due = timezone.localtime(report.due_at).date()
    cal = business_calendar()
    assert cal.working_days_between(seoul(2026, 9, 23).date(), due) == 7
    assert cal.is_working_day(due)


def test_first_report_is_scheduled_once_and_follows_a_transfer(make_case_row, org):
    case = make_case_row()
    first = schedule_first_report(case)

    case.handling_department = org.transport
    case.save(update_fields=["handling_department"])
    again = schedule_first_report(case)

    assert again is not None
    assert first is not None
    assert again.pk == first.pk
    assert again.department == org.transport
    assert ProgressReport.objects.filter(case=case).count() == 1


def test_complaints_do_not_get_a_first_report(make_case_row):
    case = make_case_row(kind=CaseKind.SUGGESTION, channel="web")

    assert schedule_first_report(case) is None
    assert not ProgressReport.objects.exists()


# --- request ----------------------------------------------------------------------------------------


def test_coordinator_requests_a_report(report_case, coordinator):
    report = request_report(report_case, actor=coordinator, note="현황 보고 바랍니다")

    assert report.status == ReportStatus.REQUESTED
    assert report.requested_by == coordinator
    assert report.is_first
    assert report.due_at > timezone.now()
    event = events(report_case, "cases.report_requested").get()
    assert event.actor == coordinator
    assert event.note == "현황 보고 바랍니다"


def test_intake_officer_requests_a_report_of_a_cooperating_department(make_case_row, intake_officer, org):
    case = make_case_row(cooperating=(org.transport,))

    report = request_report(case, actor=intake_officer, department=org.transport)

    assert report.department == org.transport


def test_handler_cannot_request_a_report(report_case, handler):
    with pytest.raises(NotPermitted):
        request_report(report_case, actor=handler)

    assert not ProgressReport.objects.exists()
    assert not events(report_case, "cases.report_requested").exists()


def test_intake_officer_of_another_department_cannot_request(make_case_row, intake_officer, org):
    case = make_case_row(intake=org.pr)

    with pytest.raises(NotPermitted):
        request_report(case, actor=intake_officer)
    assert not ProgressReport.objects.exists()


def test_no_second_request_while_one_is_pending(report_case, coordinator):
    request_report(report_case, actor=coordinator)

    with pytest.raises(CaseTransitionError):
        request_report(report_case, actor=coordinator)
    assert ProgressReport.objects.count() == 1


def test_request_refused_for_closed_case_and_unrelated_department(make_case_row, coordinator, org):
    closed = make_case_row(status=CaseStatus.CLOSED)
    with pytest.raises(CaseTransitionError):
        request_report(closed, actor=coordinator)

    case = make_case_row()
    with pytest.raises(CasesError):
        request_report(case, actor=coordinator, department=org.pr)
    with pytest.raises(CasesError):
        request_report(case, actor=coordinator, due_at=timezone.now() - timedelta(hours=1))
    assert not ProgressReport.objects.exists()


# --- submit, approve, return ------------------------------------------------------------------------


def test_full_cycle_request_submit_approve_schedules_next_month(report_case, coordinator, handler):
    report = request_report(report_case, actor=coordinator, due_at=seoul(2030, 1, 15, 18))

    submit_report(report, actor=handler, body="현장 확인 후 설치 예산을 검토 중입니다.")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == handler

    approve_report(report, actor=coordinator, note="확인")
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert report.decided_by == coordinator

    following = ProgressReport.objects.exclude(pk=report.pk).get()
    assert following.status == ReportStatus.REQUESTED
    assert not following.is_first
    assert timezone.localtime(following.due_at).date().isoformat() == "2030-02-15"
    # a proposal's deadline is the next report it owes
    report_case.refresh_from_db()
    assert report_case.deadline_at == following.due_at
    verbs = set(Event.objects.for_target(report_case).values_list("verb", flat=True))
    assert {"cases.report_requested", "cases.report_submitted", "cases.report_approved"} <= verbs


def test_no_next_report_once_the_case_is_closed(report_case, coordinator, handler):
    report = request_report(report_case, actor=coordinator)
    submit_report(report, actor=handler, body="완료")
    report_case.status = CaseStatus.CLOSED
    report_case.save(update_fields=["status"])

    approve_report(report, actor=coordinator)

    assert ProgressReport.objects.count() == 1


def test_answering_after_an_approved_report_leaves_no_pending_report(report_case, coordinator, handler):
    # given an approved report, which requested next month's
    report = request_report(report_case, actor=coordinator, due_at=seoul(2030, 1, 15, 18))
    submit_report(report, actor=handler, body="검토 중")
    approve_report(report, actor=coordinator)
    following = ProgressReport.objects.exclude(pk=report.pk).get()
    assert following.status == ReportStatus.REQUESTED

    # when the department answers the proposal
    answer_case(report_case, actor=handler, body="설치하겠습니다.")

    # then the next report is cancelled, and no 미보고 appears once its due date has passed
    following.refresh_from_db()
    assert following.status == ReportStatus.CANCELLED
    assert events(report_case, "cases.report_cancelled").count() == 1
    assert mark_missed_reports(following.due_at + timedelta(days=1)) == 0
    assert not ProgressReport.objects.filter(
        case=report_case, status__in=[ReportStatus.REQUESTED, ReportStatus.RETURNED, ReportStatus.MISSED]
    ).exists()
    # and a cancelled report can no longer be submitted
    with pytest.raises(CaseTransitionError):
        submit_report(following, actor=handler, body="늦은 보고")


@pytest.mark.parametrize("finish", ["withdraw", "merge", "agency", "answer_after_return"])
def test_every_finishing_step_cancels_the_reports_owed(
    make_case_row, report_case, coordinator, handler, finish
):
    from sotong.cases.actions import merge_cases, transfer_case, withdraw_case

    report = request_report(report_case, actor=coordinator)
    if finish == "withdraw":
        withdraw_case(report_case, actor="citizen")
    elif finish == "merge":
        merge_cases(make_case_row(), [report_case], actor=coordinator, reason="중복")
    elif finish == "agency":
        transfer_case(report_case, actor=handler, kind="agency", to_agency="서울특별시", reason="소관")
    else:
        # a returned report is owed too
        submit_report(report, actor=handler, body="검토 중")
        return_report(report, actor=coordinator, note="보완")
        answer_case(report_case, actor=handler, body="답변")
    report.refresh_from_db()
    assert report.status == ReportStatus.CANCELLED


def test_a_submitted_report_of_a_finished_case_may_be_approved_not_returned(
    report_case, coordinator, handler
):
    report = request_report(report_case, actor=coordinator)
    submit_report(report, actor=handler, body="완료 예정")
    answer_case(report_case, actor=handler, body="답변")

    with pytest.raises(CaseTransitionError):
        return_report(report, actor=coordinator, note="보완")
    approve_report(report, actor=coordinator)

    assert ProgressReport.objects.get().status == ReportStatus.APPROVED


def test_other_department_cannot_submit(report_case, coordinator, other_dept_handler):
    report = request_report(report_case, actor=coordinator)

    with pytest.raises(NotPermitted):
        submit_report(report, actor=other_dept_handler, body="대신 보고")

    report.refresh_from_db()
    assert report.status == ReportStatus.REQUESTED
    assert report.body == ""
    assert not events(report_case, "cases.report_submitted").exists()


def test_submission_needs_text(report_case, coordinator, handler):
    report = request_report(report_case, actor=coordinator)

    with pytest.raises(CasesError):
        submit_report(report, actor=handler, body="   ")
    report.refresh_from_db()
    assert report.status == ReportStatus.REQUESTED


def test_handler_cannot_approve_own_report(report_case, coordinator, handler, org, make_staff):
    # a coordinator who is also a handler of 청소행정과 must not approve that department's report
    both = make_staff("both", org.grievance, Role.COORDINATOR)
    from sotong.accounts import actions as account_actions

    account_actions.grant_role(None, both, org.sanitation, Role.HANDLER, "겸직")
    report = request_report(report_case, actor=coordinator)
    submit_report(report, actor=handler, body="검토 중")

    with pytest.raises(NotPermitted):
        approve_report(report, actor=handler)
    with pytest.raises(NotPermitted):
        approve_report(report, actor=both)

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.decided_by is None
    assert not events(report_case, "cases.report_approved").exists()


def test_only_submitted_reports_can_be_approved(report_case, coordinator):
    report = request_report(report_case, actor=coordinator)

    with pytest.raises(CaseTransitionError):
        approve_report(report, actor=coordinator)
    report.refresh_from_db()
    assert report.status == ReportStatus.REQUESTED


def test_return_needs_a_reason_and_sends_it_back(report_case, intake_officer, handler):
    report = request_report(report_case, actor=intake_officer)
    submit_report(report, actor=handler, body="검토 중")

    with pytest.raises(CasesError):
        return_report(report, actor=intake_officer, note="")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    return_report(report, actor=intake_officer, note="추진 일정을 구체적으로 적어 주세요.")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert report.due_at > timezone.now()

    submit_report(report, actor=handler, body="7월 설치 예정")
    approve_report(report, actor=intake_officer)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


# --- missed -------------------------------------------------------------------------------------------


def test_late_reports_are_marked_missed_once_and_may_be_submitted_late(report_case, coordinator, handler):
    report = request_report(report_case, actor=coordinator)
    later = report.due_at + timedelta(minutes=1)

    assert mark_missed_reports(later) == 1
    assert mark_missed_reports(later) == 0
    report.refresh_from_db()
    assert report.status == ReportStatus.MISSED
    assert events(report_case, "cases.report_missed").count() == 1

    submit_report(report, actor=handler, body="늦게 보고합니다", now=later)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert events(report_case, "cases.report_submitted").get().after["late"] is True


def test_reports_not_yet_due_are_not_missed(report_case, coordinator):
    report = request_report(report_case, actor=coordinator)

    assert mark_missed_reports(report.due_at - timedelta(minutes=1)) == 0


# --- bulk ---------------------------------------------------------------------------------------------


def test_bulk_approval_reports_each_outcome(make_case_row, coordinator, handler):
    reports = []
    for _ in range(3):
        report = request_report(make_case_row(), actor=coordinator)
        reports.append(report)
    submit_report(reports[0], actor=handler, body="보고 1")
    submit_report(reports[2], actor=handler, body="보고 3")

    results = bulk_approve_reports(reports, actor=coordinator)

    assert [r.approved for r in results] == [True, False, True]
    assert results[1].message
    statuses = [ProgressReport.objects.get(pk=r.pk).status for r in reports]
    assert statuses == [ReportStatus.APPROVED, ReportStatus.REQUESTED, ReportStatus.APPROVED]


def test_bulk_approval_by_handler_approves_nothing(report_case, coordinator, handler):
    report = request_report(report_case, actor=coordinator)
    submit_report(report, actor=handler, body="보고")

    results = bulk_approve_reports([report], actor=handler)

    assert results[0].approved is False
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


# --- dates and the table ------------------------------------------------------------------------------


def test_monthly_due_keeps_the_day_or_the_month_end_and_skips_days_off():
    # 2026-01-31 → 2026-02-28 is a Saturday → Monday 2026-03-02 (3-1 절 is Sunday, its substitute is Monday)
    due = next_monthly_due(seoul(2026, 1, 31, 18))
    assert timezone.localtime(due).date().isoformat() == "2026-03-03"

    # rolled forward past `now`
    due = next_monthly_due(seoul(2026, 4, 10, 18), now=seoul(2026, 6, 20))
    assert timezone.localtime(due).date().isoformat() == "2026-07-10"


def test_approved_is_final_in_the_transition_table():
    assert REPORT_TRANSITIONS[ReportStatus.APPROVED] == frozenset()
    assert ReportStatus.APPROVED in REPORT_TRANSITIONS[ReportStatus.SUBMITTED]
