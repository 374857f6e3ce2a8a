"""Routing a case: assignment, officer, transfer and 핑퐁 designation, 기피신청, deadline extension.

Transfer time limits (법 §16, 령 §13; `workflow.TRANSFER_WITHIN_HOURS`): a case waiting to reach its
handling department carries `route_due_at`: 1 working hour after receipt for a new case
(`initial_route_due`, set by `submit_case`), 3 working hours after it arrived at a department that asks
not to handle it (기피신청). Reaching a department clears it. Every handling assignment and transfer
records its own due moment and whether it was kept (`CaseAssignment.on_time`, `Transfer.on_time`): a
first assignment is due by `route_due_at`; a transfer by the limit of its kind from the moment the case
arrived where it is (its current handling assignment, or receipt).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.accounts.models import Department, Role, User
from sotong.cases import notifications
from sotong.cases.actions._common import (
    _check_officer,
    _end_assignments,
    _event,
    _handles,
    _holds,
    _lock,
    _oversees,
    _period_of,
    _require,
    _snapshot,
    _takes_in,
    _text,
)
from sotong.cases.actions._finish import finish_case_work
from sotong.cases.actions.grievance import open_investigation
from sotong.cases.actions.reports import schedule_first_report
from sotong.cases.errors import CasesError, CaseTransitionError, NotPermitted
from sotong.cases.models import (
    PING_PONG_TRANSFERS,
    AssignmentRole,
    AvoidanceRequest,
    Case,
    CaseAssignment,
    CaseStatus,
    DeadlineExtension,
    DecisionStatus,
    Transfer,
    TransferKind,
)
from sotong.cases.workflow import (
    NEW_CASE_ROUTE_HOURS,
    NoticeStep,
    check_transition,
    transfer_due_at,
)
from sotong.core.business_calendar import BusinessCalendar, Period, business_calendar
from sotong.core.events import record_event

# Transfer time limits ------------------------------------------------------------------------------


def initial_route_due(received_at: datetime) -> datetime:
    """법 §16: a new case reaches its handling department within 1 working hour of receipt."""
    return business_calendar().add_working_hours(received_at, NEW_CASE_ROUTE_HOURS)


def route_due(case: Case, calendar: BusinessCalendar | None = None) -> datetime | None:
    """By when the case must reach its (next) handling department, or None when it is where it belongs.

    A case still 접수 without `route_due_at` (filed before the field existed) is due 1 working hour after
    receipt.
    """
    if case.route_due_at is not None:
        return case.route_due_at
    if case.status == CaseStatus.RECEIVED:
        return (calendar or business_calendar()).add_working_hours(case.received_at, NEW_CASE_ROUTE_HOURS)
    return None


def is_route_late(case: Case, now: datetime, calendar: BusinessCalendar | None = None) -> bool:
    """배정 지연: an open case that has not reached its handling department by its due moment."""
    due = route_due(case, calendar) if case.is_open else None
    return due is not None and due < now


def _arrived_at(case: Case) -> datetime:
    """When the case arrived where it is: its open handling assignment, else receipt."""
    current = (
        case.assignments.filter(role=AssignmentRole.HANDLING, ended_at__isnull=True)
        .order_by("-assigned_at")
        .values_list("assigned_at", flat=True)
        .first()
    )
    return current or case.received_at


def _transfer_due(case: Case, kind: str) -> datetime:
    """The due moment of a transfer of `kind` now: a case that never reached a department is a new case."""
    if case.handling_department_id is None and kind != TransferKind.AGENCY:
        return route_due(case) or initial_route_due(case.received_at)
    return transfer_due_at(_arrived_at(case), kind)


def _routed(case: Case) -> None:
    """The case reached a department: nothing left to route (saved by the caller)."""
    case.route_due_at = None
    case.route_alerted_at = None


def _move(
    case: Case,
    *,
    actor: User,
    kind: str,
    reason: str,
    to_department: Department | None = None,
    to_agency: str = "",
    officer: User | None = None,
) -> Transfer:
    """Move a locked case to another department or agency and keep the history (no permission check)."""
    now = timezone.now()
    from_department = case.handling_department
    due = _transfer_due(case, kind)
    on_time = now <= due
    if kind == TransferKind.AGENCY:
        check_transition(case, CaseStatus.TRANSFERRED_OUT)
        _end_assignments(case, now)
        case.status = CaseStatus.TRANSFERRED_OUT
        case.closed_at = now
        finish_case_work(case, actor=actor, now=now, why=_("타기관 이송"))
    else:
        assert to_department is not None
        check_transition(case, CaseStatus.ASSIGNED)
        if to_department == from_department:
            raise CasesError(_("지금 처리부서와 같은 부서입니다."), field="to_department")
        _check_officer(officer, to_department)
        _end_assignments(case, now)
        CaseAssignment.objects.create(
            case=case,
            department=to_department,
            role=AssignmentRole.HANDLING,
            officer=officer,
            assigned_by=actor,
            assigned_at=now,
        )
        case.handling_department = to_department
        case.officer = officer
        case.status = CaseStatus.ASSIGNED
    transfer = Transfer.objects.create(
        case=case,
        kind=kind,
        from_department=from_department,
        to_department=to_department,
        to_agency=to_agency,
        reason=reason,
        transferred_by=actor,
        transferred_at=now,
        due_at=due,
        on_time=on_time,
    )
    _routed(case)
    if kind == TransferKind.DESIGNATED:
        case.is_ping_pong = False
    else:
        case.transfer_count += 1
        if case.transfer_count >= PING_PONG_TRANSFERS and kind != TransferKind.AGENCY:
            case.is_ping_pong = True
    case.save()
    return transfer


@transaction.atomic
def assign_case(
    case: Case,
    *,
    actor: User,
    department: Department,
    officer: User | None = None,
    cooperating: Iterable[Department] = (),
) -> Case:
    """배정: the intake department (or the coordinator) names the handling department, officer and
    cooperating departments. Moving an assigned case to another department is a 재지정 (Transfer)."""
    case = _lock(case)
    _require(_takes_in(actor, case), case)
    if case.is_ping_pong and not _oversees(actor):
        raise NotPermitted(_("핑퐁민원은 총괄부서가 처리부서를 지정합니다."), code="ping_pong")
    check_transition(case, CaseStatus.ASSIGNED)
    if not isinstance(department, Department) or not department.is_active:
        raise CasesError(_("처리부서를 선택해 주세요."), field="department")
    cooperating = list(dict.fromkeys(cooperating))
    if department in cooperating:
        raise CasesError(_("처리부서를 협조부서로 함께 지정할 수 없습니다."), field="cooperating")
    _check_officer(officer, department)
    before, now = _snapshot(case), timezone.now()
    if case.handling_department is not None and case.handling_department != department:
        _move(
            case,
            actor=actor,
            kind=TransferKind.REASSIGN,
            reason=_("주관부서 재지정"),
            to_department=department,
            officer=officer,
        )
    elif case.handling_department is None:
        _end_assignments(case, now)
        due = route_due(case)
        CaseAssignment.objects.create(
            case=case,
            department=department,
            role=AssignmentRole.HANDLING,
            officer=officer,
            assigned_by=actor,
            assigned_at=now,
            due_at=due,
            on_time=None if due is None else now <= due,
        )
        case.handling_department, case.officer, case.status = department, officer, CaseStatus.ASSIGNED
        _routed(case)
        case.save()
    elif officer is not None and officer != case.officer:
        case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.HANDLING).update(officer=officer)
        case.officer = officer
        case.save(update_fields=["officer", "updated_at"])
    current = set(
        case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.COOPERATING).values_list(
            "department_id", flat=True
        )
    )
    wanted = {dept.pk for dept in cooperating}
    case.assignments.filter(
        ended_at__isnull=True, role=AssignmentRole.COOPERATING, department_id__in=current - wanted
    ).update(ended_at=now)
    for dept in cooperating:
        if dept.pk not in current:
            CaseAssignment.objects.create(
                case=case, department=dept, role=AssignmentRole.COOPERATING, assigned_by=actor
            )
    _event(actor, "cases.assigned", case, before, cooperating=sorted(wanted))
    # A proposal owes its first report within 7 days of receipt (소통 네트워크); it follows the case.
    schedule_first_report(case)
    return case


@transaction.atomic
def set_officer(case: Case, *, actor: User, officer: User) -> Case:
    """담당자 지정: name the officer of the handling department."""
    case = _lock(case)
    _require(_handles(actor, case) or _takes_in(actor, case), case)
    if not case.is_open or case.handling_department is None:
        raise CaseTransitionError(_("처리부서가 정해진 처리 중인 민원에만 담당자를 지정할 수 있습니다."))
    _check_officer(officer, case.handling_department)
    before = _snapshot(case)
    case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.HANDLING).update(officer=officer)
    case.officer = officer
    case.save(update_fields=["officer", "updated_at"])
    _event(actor, "cases.officer_set", case, before)
    return case


@transaction.atomic
def transfer_case(
    case: Case,
    *,
    actor: User,
    to_department: Department | None = None,
    to_agency: str = "",
    kind: str,
    reason: str,
) -> Case:
    """이송·재지정 (법 §16): move a case to another department (재지정, 오배정 이송) or agency (타기관 이송).

    The third transfer makes it a 핑퐁민원: from then on only the coordinator moves it, with
    `designate_department`. A transfer to another agency ends the case here and tells the citizen.
    """
    case = _lock(case)
    _require(_handles(actor, case) or _takes_in(actor, case), case)
    if kind not in TransferKind.values:
        raise CasesError(_("이송 구분을 선택해 주세요."), field="kind")
    if kind == TransferKind.DESIGNATED:
        _require(_oversees(actor), case)
    elif case.is_ping_pong and not _oversees(actor):
        raise NotPermitted(_("핑퐁민원은 총괄부서가 처리부서를 지정합니다."), code="ping_pong")
    reason = _text(reason, "reason", _("이송 사유를 입력해 주세요."))
    to_agency = (to_agency or "").strip()
    if kind == TransferKind.AGENCY:
        if not to_agency:
            raise CasesError(_("받는 기관을 입력해 주세요."), field="to_agency")
        to_department = None
    elif not isinstance(to_department, Department) or not to_department.is_active:
        raise CasesError(_("받는 부서를 선택해 주세요."), field="to_department")
    before = _snapshot(case)
    transfer = _move(
        case, actor=actor, kind=kind, reason=reason, to_department=to_department, to_agency=to_agency[:100]
    )
    _event(
        actor,
        "cases.transferred",
        case,
        before,
        note=reason,
        kind=kind,
        to_agency=to_agency,
        transfer=transfer.pk,
    )
    if kind == TransferKind.AGENCY:
        notifications.notify_citizen(
            case,
            NoticeStep.AGENCY_TRANSFER,
            sequence=transfer.pk,
            actor=actor,
            agency=to_agency,
            reason=reason,
        )
    else:
        schedule_first_report(case)
    return case


@transaction.atomic
def designate_department(
    case: Case, *, actor: User, department: Department, reason: str, officer: User | None = None
) -> Case:
    """총괄부서 지정: the coordinator names the department that must handle a (핑퐁) case."""
    case = _lock(case)
    _require(_oversees(actor), case)
    reason = _text(reason, "reason", _("지정 사유를 입력해 주세요."))
    if not isinstance(department, Department) or not department.is_active:
        raise CasesError(_("처리부서를 선택해 주세요."), field="department")
    before = _snapshot(case)
    if department == case.handling_department:
        check_transition(case, CaseStatus.ASSIGNED)
        _check_officer(officer, department)
        if officer is not None:
            case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.HANDLING).update(
                officer=officer
            )
            case.officer = officer
        Transfer.objects.create(
            case=case,
            kind=TransferKind.DESIGNATED,
            from_department=department,
            to_department=department,
            reason=reason,
            transferred_by=actor,
        )
        case.is_ping_pong = False
        _routed(case)
        case.save()
    else:
        _move(
            case,
            actor=actor,
            kind=TransferKind.DESIGNATED,
            reason=reason,
            to_department=department,
            officer=officer,
        )
    _event(actor, "cases.designated", case, before, note=reason)
    schedule_first_report(case)
    return case


@transaction.atomic
def request_avoidance(
    case: Case, *, actor: User, reason: str, suggested_department: Department | None = None
) -> AvoidanceRequest:
    """처리부서 기피신청: the handling department asks not to handle the case; the coordinator decides."""
    case = _lock(case)
    _require(_holds(actor, case.handling_department, Role.HANDLER), case)
    if not case.is_open:
        raise CaseTransitionError(_("처리 중인 민원만 기피신청할 수 있습니다."))
    reason = _text(reason, "reason", _("기피 사유를 입력해 주세요."))
    if case.avoidance_requests.filter(status=DecisionStatus.PENDING).exists():
        raise CasesError(_("이미 검토 중인 기피신청이 있습니다."), field="reason")
    if suggested_department is not None and suggested_department == case.handling_department:
        raise CasesError(_("지금 처리부서를 추천할 수 없습니다."), field="suggested_department")
    assert case.handling_department is not None
    request = AvoidanceRequest.objects.create(
        case=case,
        department=case.handling_department,
        reason=reason,
        suggested_department=suggested_department,
        requested_by=actor,
    )
    # A department that says the case is not its own: the case is misfiled and must move on within
    # 3 working hours of arriving there (령 §13).
    case.route_due_at = transfer_due_at(_arrived_at(case), TransferKind.MISFILED)
    case.route_alerted_at = None
    case.save(update_fields=["route_due_at", "route_alerted_at", "updated_at"])
    record_event(
        actor,
        "cases.avoidance_requested",
        case,
        after={"request": request.pk, "status": request.status, "route_due_at": case.route_due_at},
        note=reason,
    )
    return request


@transaction.atomic
def decide_avoidance(
    request: AvoidanceRequest,
    *,
    actor: User,
    approve: bool,
    note: str = "",
    to_department: Department | None = None,
) -> AvoidanceRequest:
    """기피신청 결정: the coordinator approves (the case goes to `to_department` or the suggested one)
    or rejects (with a reason; the department keeps the case)."""
    request = AvoidanceRequest.objects.select_for_update().get(pk=request.pk)
    case = _lock(request.case)
    _require(_oversees(actor), case)
    if request.status != DecisionStatus.PENDING:
        raise CaseTransitionError(_("이미 결정된 기피신청입니다."))
    note = (note or "").strip()
    before = _snapshot(case)
    if approve:
        target = to_department or request.suggested_department
        if target is None:
            raise CasesError(_("새 처리부서를 선택해 주세요."), field="to_department")
        _move(
            case,
            actor=actor,
            kind=TransferKind.DESIGNATED,
            reason=_("기피신청 승인: %(reason)s") % {"reason": request.reason},
            to_department=target,
        )
        request.status = DecisionStatus.APPROVED
        schedule_first_report(case)
    else:
        note = _text(note, "note", _("반려 사유를 입력해 주세요."))
        request.status = DecisionStatus.REJECTED
        # The department keeps the case: it is where it belongs.
        _routed(case)
        case.save(update_fields=["route_due_at", "route_alerted_at", "updated_at"])
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _event(
        actor, "cases.avoidance_decided", case, before, note=note, request=request.pk, decision=request.status
    )
    return request


# Deadlines -----------------------------------------------------------------------------------------


@transaction.atomic
def extend_deadline(case: Case, *, actor: User, days: int, reason: str, citizen_consent: str = "") -> Case:
    """처리기한 연장 (령 §21): once by the department, at most the original period, the citizen told of
    the reason and new date; a further extension only with the citizen's recorded consent."""
    case = _lock(case)
    _require(_handles(actor, case), case)
    if not case.is_open:
        raise CaseTransitionError(_("처리 중인 민원만 처리기한을 연장할 수 있습니다."))
    if case.is_proposal or case.deadline_at is None:
        raise CasesError(_("제안은 처리기한이 없어 연장할 수 없습니다."), field="days")
    if open_investigation(case) is not None:
        raise CasesError(
            _("현지조사 중에는 처리기한을 연장할 수 없습니다. 현지조사를 마친 뒤 연장해 주세요."),
            field="days",
        )
    if not isinstance(days, int) or days < 1 or days > 365:
        raise CasesError(_("연장 일수를 1일 이상으로 입력해 주세요."), field="days")
    reason = _text(reason, "reason", _("연장 사유를 입력해 주세요."))
    consent = (citizen_consent or "").strip()
    number = case.extension_count + 1
    if number == 1:
        original = _period_of(case)
        allowed = days <= original.days if original.days else days * 8 <= original.working_hours
        if not allowed:
            raise CasesError(
                _("처음 연장은 처리기간(%(period)s) 이내로만 할 수 있습니다.") % {"period": original},
                field="days",
            )
    elif not consent:
        raise CasesError(
            _("두 번째 연장부터는 신청인의 동의 내용을 기록해야 합니다."), field="citizen_consent"
        )
    before = _snapshot(case)
    old = case.deadline_at
    new = business_calendar().extend(old, Period(days=days))
    DeadlineExtension.objects.create(
        case=case,
        number=number,
        old_deadline_at=old,
        new_deadline_at=new,
        reason=reason,
        citizen_consent=consent,
        extended_by=actor,
    )
    case.deadline_at, case.extension_count = new, number
    case.save(update_fields=["deadline_at", "extension_count", "updated_at"])
    _event(actor, "cases.extended", case, before, note=reason, number=number)
    notifications.notify_citizen(
        case, NoticeStep.EXTENSION, sequence=number, actor=actor, new_deadline=new, reason=reason
    )
    return case
