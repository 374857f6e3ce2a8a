"""진행사항 보고 (소통 네트워크 시스템): 보고요청 → 보고확인 → 보고승인 / 반려, and 미보고 when late.

The seed plan (소통 네트워크 시스템 세부 운영 계획) asks a handling department to report on a proposal
within 7 days of receipt ("최초 제안접수 7일 이내 진행사항 보고") and then every month until it is
closed ("1개월 단위, 진행사항 보고 여부 확인").

Counting (KOREAN-RULES.md, 법 §19): the first report's 7 days are a period of 6 days or more, so they are
counted in days with the first day included and Saturdays, Sundays and public holidays left out; the
report is due at the end of the 7th working day (18:00). Monthly reports are due one calendar month after
the previous report's due date (the same day of the next month, or its last day), moved to the end of the
next working day when that falls on a day off; a month is not a statutory period, and a fixed day of the
month is what departments can plan for.

Who does what:
  보고요청 / 보고승인 / 반려   the coordinator (총괄부서), or an intake officer (주관부서) of the case's intake
                              department. Nobody approves or returns a report of a department where they
                              hold the handler role, nor a report they submitted themselves.
  보고확인 (submit)           a handler of the report's department, which must be the case's handling
                              department or an open cooperating one.
  the system (actor None)     the scheduler's monthly check and the first report scheduled at assignment.

A returned report (반려) goes back to the department: status `returned`, which, like `requested`, waits for a
(re)submission. A missed report (미보고) may still be submitted late; it stays on the record as missed in
the timeline.

A case that is finished (answered, closed, withdrawn, merged, transferred to another agency) owes no more
reports: `cancel_pending_reports` puts the requested and returned ones in `cancelled` (요청 취소), so no
미보고 can appear for it later, even after a reopening. A submitted report may still be approved; a missed
one stays on the record. Reopening a proposal brings the monthly check back to it.

The one transition table of this workflow is `REPORT_TRANSITIONS`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.accounts.models import Department, Role
from sotong.cases import notifications
from sotong.cases.errors import CasesError, CaseTransitionError, NotPermitted
from sotong.cases.models import (
    OPEN_STATUSES,
    AssignmentRole,
    Case,
    CaseKind,
    ProgressReport,
    ReportStatus,
)
from sotong.cases.workflow import PROGRESS_NOTICE_DAYS, PROPOSAL_FIRST_REPORT, NoticeStep
from sotong.core.business_calendar import SEOUL, Period, business_calendar
from sotong.core.errors import DomainError
from sotong.core.events import record_event

__all__ = [
    "FIRST_REPORT_PERIOD",
    "PENDING_REPORT_STATUSES",
    "REPORT_TRANSITIONS",
    "BulkApprovalResult",
    "approve_report",
    "bulk_approve_reports",
    "cancel_pending_reports",
    "check_report_transition",
    "mark_missed_reports",
    "next_monthly_due",
    "progress_notice_due_at",
    "request_next_report",
    "request_report",
    "return_report",
    "schedule_first_report",
    "send_progress_notice",
    "submit_report",
]

# 최초 보고: within 7 days of receipt (counted in days: 6 days or more, 법 §19); the workflow's period.
FIRST_REPORT_PERIOD: Period = PROPOSAL_FIRST_REPORT
# A returned report gets at least this much working time for the resubmission.
RESUBMISSION_WORKING_HOURS = 24

# The one place that says which report status may follow which.
REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.REQUESTED: frozenset({ReportStatus.SUBMITTED, ReportStatus.MISSED, ReportStatus.CANCELLED}),
    ReportStatus.RETURNED: frozenset({ReportStatus.SUBMITTED, ReportStatus.MISSED, ReportStatus.CANCELLED}),
    ReportStatus.MISSED: frozenset({ReportStatus.SUBMITTED}),
    ReportStatus.SUBMITTED: frozenset({ReportStatus.APPROVED, ReportStatus.RETURNED}),
    ReportStatus.APPROVED: frozenset(),
    ReportStatus.CANCELLED: frozenset(),
}
# Reports a finished case no longer owes.
CANCELLABLE_STATUSES = (ReportStatus.REQUESTED, ReportStatus.RETURNED)

# Reports that still wait for someone: the department (requested, returned) or the requester (submitted).
PENDING_REPORT_STATUSES = (ReportStatus.REQUESTED, ReportStatus.RETURNED, ReportStatus.SUBMITTED)
# Reports the department owes: a proposal's `deadline_at` is the earliest due moment among them.
OWED_REPORT_STATUSES = (ReportStatus.REQUESTED, ReportStatus.RETURNED, ReportStatus.MISSED)
# Reports the department may submit.
SUBMITTABLE_STATUSES = (ReportStatus.REQUESTED, ReportStatus.RETURNED, ReportStatus.MISSED)


def check_report_transition(current: str, new: str) -> None:
    """Raise `CaseTransitionError` (Korean message) unless a report may go from `current` to `new`."""
    if new not in REPORT_TRANSITIONS.get(current, frozenset()):
        raise CaseTransitionError(
            _("'%(current)s' 상태의 보고는 '%(new)s' 상태로 바꿀 수 없습니다.")
            % {"current": ReportStatus(current).label, "new": ReportStatus(new).label}
        )


# --- dates ------------------------------------------------------------------------------------------


def _add_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _end_of_working_day(day: date) -> datetime:
    cal = business_calendar()
    working = cal.next_working_day(day, include_today=True)
    return datetime.combine(working, time(min(settings.BUSINESS_DAY_END, 23)), SEOUL)


def first_report_due(case: Case) -> datetime:
    """최초 보고기한: the end of the 7th working day from receipt, the day of receipt counted."""
    return business_calendar().deadline(case.received_at, FIRST_REPORT_PERIOD)


def next_monthly_due(previous_due: datetime, now: datetime | None = None) -> datetime:
    """The monthly report's due moment: one month after `previous_due`, and after `now` when given."""
    day = timezone.localtime(previous_due, SEOUL).date()
    due = _end_of_working_day(_add_month(day))
    while now is not None and due <= now:
        day = _add_month(day)
        due = _end_of_working_day(day)
    return due


# --- permissions ------------------------------------------------------------------------------------


def _is_user(actor: Any) -> bool:
    return getattr(actor, "pk", None) is not None and hasattr(actor, "has_role")


def _may_request(actor: Any, case: Case) -> bool:
    """보고요청·승인 may come from the coordinator or an intake officer of the case's intake department."""
    if actor is None:
        return True
    if not _is_user(actor) or not actor.is_active:
        return False
    return bool(actor.has_role(Role.COORDINATOR) or actor.has_role_in(case.intake_department, Role.INTAKE))


def _check_may_request(actor: Any, case: Case) -> None:
    if not _may_request(actor, case):
        raise NotPermitted(
            _("보고요청과 보고승인은 총괄부서나 이 민원의 주관부서만 할 수 있습니다."), code="not_permitted"
        )


def _check_may_decide(actor: Any, report: ProgressReport) -> None:
    _check_may_request(actor, report.case)
    if actor is None:
        raise NotPermitted(_("보고승인·반려는 담당 직원이 해야 합니다."), code="not_permitted")
    if actor.has_role_in(report.department, Role.HANDLER) or report.submitted_by_id == actor.pk:
        raise NotPermitted(
            _("자기 부서의 보고는 승인하거나 반려할 수 없습니다."), code="own_department_report"
        )


def _reporting_departments(case: Case) -> set[int]:
    """The handling department and the departments with an open cooperating assignment."""
    ids = set(
        case.assignments.filter(role=AssignmentRole.COOPERATING, ended_at__isnull=True).values_list(
            "department_id", flat=True
        )
    )
    if case.handling_department_id is not None:
        ids.add(case.handling_department_id)
    return ids


# --- actions ----------------------------------------------------------------------------------------


def _follow_reports(case: Case) -> None:
    """A proposal has no answer deadline: its `deadline_at` is the next report its handling department
    owes (workflow.py), so the deadline queues, reminders and 독촉 follow the reports. Unchanged when
    nothing is owed (a submitted report waits for approval, which requests the next)."""
    if case.kind != CaseKind.PROPOSAL or case.handling_department_id is None:
        return
    due = ProgressReport.objects.filter(
        case_id=case.pk, department_id=case.handling_department_id, status__in=OWED_REPORT_STATUSES
    ).aggregate(due=Min("due_at"))["due"]
    if due is not None and due != case.deadline_at:
        Case.objects.filter(pk=case.pk).update(deadline_at=due)
        case.deadline_at = due


def _create_report(
    case: Case,
    *,
    department: Department,
    due_at: datetime,
    actor: Any,
    is_first: bool,
    note: str,
    now: datetime,
) -> ProgressReport:
    report = ProgressReport.objects.create(
        case=case,
        department=department,
        status=ReportStatus.REQUESTED,
        is_first=is_first,
        requested_by=actor if _is_user(actor) else None,
        requested_at=now,
        due_at=due_at,
        decision_note="",
    )
    record_event(
        actor if actor is not None else "system",
        "cases.report_requested",
        case,
        after={
            "report": report.pk,
            "department": department.pk,
            "due_at": due_at,
            "is_first": is_first,
            "status": report.status,
        },
        note=note,
    )
    _follow_reports(case)
    return report


def schedule_first_report(case: Case, *, now: datetime | None = None) -> ProgressReport | None:
    """최초 진행사항 보고 요청: called when a proposal (제안) is assigned; due 7 working days from receipt.

    Only proposals report (소통 네트워크); other kinds return None. Idempotent: a case that already has a
    first report keeps it, and a still-unsubmitted one follows the case to its new handling department
    (after a transfer). Returns the first report.
    """
    if case.kind != CaseKind.PROPOSAL or case.handling_department_id is None or not case.is_open:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        existing = (
            ProgressReport.objects.select_for_update(of=("self",))
            .filter(case=case, is_first=True)
            .order_by("id")
            .first()
        )
        if existing is not None:
            if (
                existing.status in (ReportStatus.REQUESTED, ReportStatus.RETURNED)
                and existing.department_id != case.handling_department_id
            ):
                before = existing.department_id
                existing.department_id = case.handling_department_id
                existing.save(update_fields=["department"])
                record_event(
                    "system",
                    "cases.report_moved",
                    case,
                    before={"report": existing.pk, "department": before},
                    after={"report": existing.pk, "department": existing.department_id},
                )
                _follow_reports(case)
            return existing
        assert case.handling_department is not None
        return _create_report(
            case,
            department=case.handling_department,
            due_at=first_report_due(case),
            actor=None,
            is_first=True,
            note="",
            now=now,
        )


def request_report(
    case: Case,
    *,
    actor: Any,
    department: Department | None = None,
    due_at: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
) -> ProgressReport:
    """보고요청: ask a handling or cooperating department for a progress report on an open case.

    `department` defaults to the handling department; `due_at` to 7 working days from now. Refused
    (`NotPermitted`) unless the actor is the coordinator or the case's intake department, and
    (`CaseTransitionError`) when the case is not open or the department already has a report pending.
    """
    now = now or timezone.now()
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("intake_department", "handling_department")
            .get(pk=case.pk)
        )
        _check_may_request(actor, case)
        if not case.is_open:
            raise CaseTransitionError(_("처리가 끝난 민원에는 보고를 요청할 수 없습니다."))
        department = department or case.handling_department
        if department is None:
            raise CaseTransitionError(_("처리부서가 배정되지 않은 민원에는 보고를 요청할 수 없습니다."))
        if department.pk not in _reporting_departments(case):
            raise CasesError(
                _("보고는 이 민원의 처리부서나 협조부서에만 요청할 수 있습니다."), field="department"
            )
        if ProgressReport.objects.filter(
            case=case, department=department, status__in=PENDING_REPORT_STATUSES
        ).exists():
            raise CaseTransitionError(_("이 부서에 아직 끝나지 않은 보고요청이 있습니다."))
        if due_at is None:
            due_at = business_calendar().deadline(now, FIRST_REPORT_PERIOD)
        elif timezone.is_naive(due_at):
            raise CasesError(_("보고기한이 올바르지 않습니다."), field="due_at")
        elif due_at <= now:
            raise CasesError(_("보고기한은 지금 이후여야 합니다."), field="due_at")
        is_first = not ProgressReport.objects.filter(case=case).exists()
        return _create_report(
            case, department=department, due_at=due_at, actor=actor, is_first=is_first, note=note, now=now
        )


def _locked_report(report: ProgressReport) -> ProgressReport:
    return (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("case", "case__intake_department", "department")
        .get(pk=report.pk)
    )


def submit_report(
    report: ProgressReport, *, actor: Any, body: str, now: datetime | None = None
) -> ProgressReport:
    """보고확인: the department submits its progress report (also late, after 미보고, or after 반려).

    Refused unless the actor is a handler of the report's department and that department still handles
    or cooperates on the case; the text is required.
    """
    now = now or timezone.now()
    body = (body or "").strip()
    with transaction.atomic():
        locked = _locked_report(report)
        if (
            not _is_user(actor)
            or not actor.is_active
            or not actor.has_role_in(locked.department, Role.HANDLER)
        ):
            raise NotPermitted(
                _("보고는 해당 처리부서·협조부서 직원만 할 수 있습니다."), code="not_permitted"
            )
        if locked.department_id not in _reporting_departments(locked.case):
            raise NotPermitted(_("이 민원을 더 이상 처리하지 않는 부서입니다."), code="not_permitted")
        if not body:
            raise CasesError(_("보고 내용을 입력해 주세요."), field="body")
        before = locked.status
        check_report_transition(before, ReportStatus.SUBMITTED)
        locked.status = ReportStatus.SUBMITTED
        locked.body = body
        locked.submitted_by = actor
        locked.submitted_at = now
        locked.save(update_fields=["status", "body", "submitted_by", "submitted_at"])
        record_event(
            actor,
            "cases.report_submitted",
            locked.case,
            before={"report": locked.pk, "status": before},
            after={"report": locked.pk, "status": locked.status, "late": now > locked.due_at},
        )
        _follow_reports(locked.case)
    report.refresh_from_db()
    return report


def approve_report(
    report: ProgressReport, *, actor: Any, note: str = "", now: datetime | None = None
) -> ProgressReport:
    """보고승인: accept a submitted report; while the case is open, the next monthly report is requested.

    Refused for anyone but the coordinator or the case's intake department, and always for a handler of
    the report's own department or its submitter.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_report(report)
        _check_may_decide(actor, locked)
        before = locked.status
        check_report_transition(before, ReportStatus.APPROVED)
        locked.status = ReportStatus.APPROVED
        locked.decided_by = actor
        locked.decided_at = now
        locked.decision_note = note.strip()
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record_event(
            actor,
            "cases.report_approved",
            locked.case,
            before={"report": locked.pk, "status": before},
            after={"report": locked.pk, "status": locked.status},
            note=locked.decision_note,
        )
        _schedule_next_monthly(locked, now=now)
    report.refresh_from_db()
    return report


def _schedule_next_monthly(report: ProgressReport, *, now: datetime) -> ProgressReport | None:
    """The next monthly report for the same department, unless the case is closed or one is pending."""
    case = Case.objects.select_related("handling_department").get(pk=report.case_id)
    if not case.is_open or report.department_id not in _reporting_departments(case):
        return None
    if ProgressReport.objects.filter(
        case=case, department_id=report.department_id, status__in=PENDING_REPORT_STATUSES
    ).exists():
        return None
    return _create_report(
        case,
        department=report.department,
        due_at=next_monthly_due(report.due_at, now),
        actor=None,
        is_first=False,
        note=_("월별 진행사항 보고"),
        now=now,
    )


def return_report(
    report: ProgressReport, *, actor: Any, note: str, now: datetime | None = None
) -> ProgressReport:
    """반려: send a submitted report back to the department with the reason (required).

    The report waits for a resubmission (status `returned`), due at its old due date or at least
    24 working hours from now.
    """
    now = now or timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        locked = _locked_report(report)
        _check_may_decide(actor, locked)
        if not note:
            raise CasesError(_("반려 사유를 입력해 주세요."), field="note")
        if not locked.case.is_open:
            raise CaseTransitionError(
                _("처리가 끝난 민원의 보고는 반려할 수 없습니다. 승인만 할 수 있습니다.")
            )
        before = locked.status
        check_report_transition(before, ReportStatus.RETURNED)
        locked.status = ReportStatus.RETURNED
        locked.decided_by = actor
        locked.decided_at = now
        locked.decision_note = note
        locked.due_at = max(
            locked.due_at, business_calendar().add_working_hours(now, RESUBMISSION_WORKING_HOURS)
        )
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "due_at"])
        record_event(
            actor,
            "cases.report_returned",
            locked.case,
            before={"report": locked.pk, "status": before},
            after={"report": locked.pk, "status": locked.status, "due_at": locked.due_at},
            note=note,
        )
        _follow_reports(locked.case)
    report.refresh_from_db()
    return report


def mark_missed_reports(now: datetime | None = None) -> int:
    """미보고: every report still waiting for the department past its due moment; returns how many.

    Idempotent (a missed report is not marked again). One Event per report, on its case.
    """
    now = now or timezone.now()
    marked = 0
    with transaction.atomic():
        late = list(
            ProgressReport.objects.select_for_update(of=("self",))
            .select_related("case")
            .filter(
                status__in=(ReportStatus.REQUESTED, ReportStatus.RETURNED),
                due_at__lt=now,
                case__status__in=OPEN_STATUSES,
            )
            .order_by("id")
        )
        for report in late:
            before = report.status
            check_report_transition(before, ReportStatus.MISSED)
            report.status = ReportStatus.MISSED
            report.save(update_fields=["status"])
            record_event(
                "scheduler",
                "cases.report_missed",
                report.case,
                before={"report": report.pk, "status": before},
                after={"report": report.pk, "status": report.status, "due_at": report.due_at},
            )
            marked += 1
    return marked


def cancel_pending_reports(case: Case, *, actor: Any, reason: str, now: datetime | None = None) -> int:
    """요청 취소: the requested and returned reports of a finished case are cancelled; returns how many.

    Called by the actions that finish a case (answer, repeated closure, withdrawal, merge, transfer to
    another agency) inside their transaction. One Event per report, on its case.
    """
    now = now or timezone.now()
    cancelled = 0
    reports = (
        ProgressReport.objects.select_for_update(of=("self",))
        .filter(case_id=case.pk, status__in=CANCELLABLE_STATUSES)
        .order_by("id")
    )
    for report in reports:
        before = report.status
        check_report_transition(before, ReportStatus.CANCELLED)
        report.status = ReportStatus.CANCELLED
        report.decided_at = now
        report.decision_note = reason
        report.save(update_fields=["status", "decided_at", "decision_note"])
        record_event(
            actor if actor is not None else "system",
            "cases.report_cancelled",
            case,
            before={"report": report.pk, "status": before},
            after={"report": report.pk, "status": report.status},
            note=reason,
        )
        cancelled += 1
    return cancelled


@dataclass(frozen=True)
class BulkApprovalResult:
    """One report's outcome in a bulk approval: approved, or the Korean reason it was refused."""

    report_id: int
    approved: bool
    message: str = ""


def bulk_approve_reports(
    reports: Any, *, actor: Any, note: str = "", now: datetime | None = None
) -> list[BulkApprovalResult]:
    """일괄 보고승인: approve each report on its own (one refused report does not stop the others)."""
    results: list[BulkApprovalResult] = []
    for report in reports:
        try:
            approve_report(report, actor=actor, note=note, now=now)
        except DomainError as error:
            results.append(BulkApprovalResult(report.pk, False, error.message))
        except ProgressReport.DoesNotExist:
            results.append(BulkApprovalResult(report.pk, False, _("보고를 찾을 수 없습니다.")))
        else:
            results.append(BulkApprovalResult(report.pk, True))
    return results


def request_next_report(case: Case, *, now: datetime | None = None) -> ProgressReport | None:
    """월별 보고 점검 (the scheduler): request the handling department's next report of an open proposal.

    Nothing happens (None) when the case is not an open proposal with a handling department, or a report
    of that department is still pending. The next report is due a month after the last one's due date;
    a proposal that never had one gets its first (7 working days from receipt, or from now when that
    has passed).
    """
    now = now or timezone.now()
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",)).select_related("handling_department").get(pk=case.pk)
        )
        if case.kind != CaseKind.PROPOSAL or not case.is_open or case.handling_department is None:
            return None
        if ProgressReport.objects.filter(
            case=case, department=case.handling_department, status__in=PENDING_REPORT_STATUSES
        ).exists():
            return None
        last = ProgressReport.objects.filter(case=case).order_by("-due_at", "-id").first()
        if last is None:
            if first_report_due(case) > now:
                return schedule_first_report(case, now=now)
            due_at, is_first = business_calendar().deadline(now, FIRST_REPORT_PERIOD), True
        else:
            due_at, is_first = next_monthly_due(last.due_at, now), False
        return _create_report(
            case,
            department=case.handling_department,
            due_at=due_at,
            actor=None,
            is_first=is_first,
            note=_("월별 진행사항 보고"),
            now=now,
        )


# --- citizen notice ---------------------------------------------------------------------------------


def progress_notice_due_at(case: Case) -> datetime:
    """The moment the next 30-day progress notice is due (counted from receipt, then from the last)."""
    anchor = case.last_progress_notice_at or case.received_at
    return anchor + timedelta(days=PROGRESS_NOTICE_DAYS)


def send_progress_notice(case: Case, *, now: datetime | None = None) -> list[str]:
    """처리진행상황 통지 (령 §23): tell the citizen an unfinished case's expected date, unit and officer.

    The text is `notifications.progress_notice` (unit, officer and contact, 령 §31), sent by the channels
    the citizen chose, once per 30-day period (the period's number is the notice's sequence). A proposal
    has no completion date (its `deadline_at` is the next report's), so its notice gives none.
    `last_progress_notice_at` moves on even when no channel was chosen; the Event then says a written
    notice is needed. Returns the channels used; does nothing (empty list) when not yet due.
    """
    now = now or timezone.now()
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("handling_department", "intake_department", "officer")
            .get(pk=case.pk)
        )
        if not case.is_open or progress_notice_due_at(case) > now:
            return []
        number = max(1, (now - case.received_at).days // PROGRESS_NOTICE_DAYS)
        expected_at = None if case.kind == CaseKind.PROPOSAL else case.deadline_at
        messages = notifications.notify_citizen(
            case, NoticeStep.PROGRESS, sequence=number, actor="scheduler", expected_at=expected_at
        )
        channels = sorted({message.channel for message in messages})
        before = case.last_progress_notice_at
        case.last_progress_notice_at = now
        case.save(update_fields=["last_progress_notice_at"])
        record_event(
            "scheduler",
            "cases.progress_notice",
            case,
            before={"last_progress_notice_at": before},
            after={"last_progress_notice_at": now, "channels": channels, "number": number},
            note="" if channels else _("알림 수단 없음: 서면 통지 필요"),
        )
    return channels
