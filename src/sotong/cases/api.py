"""Staff API for cases at /api/v1/cases/: the visible cases, one case, the main actions, merge at
receipt, the on-site investigation of a grievance, and the coordinator's late-routing count.

A thin layer over the same actions as the office pages. Department scoping is `visible_to` (another
department's case is a 404); the actions answer refused input with 422, illegal transitions with 409
and forbidden steps with 403 (`sotong.api` maps every `DomainError` to its status and a Korean body).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from sotong.accounts.models import Department, Role, User
from sotong.cases import actions
from sotong.cases.errors import CasesError
from sotong.cases.models import Case, ProgressReport
from sotong.cases.queues import Queue, queue, scoped_cases, search
from sotong.cases.route_limits import routing_counts

router = Router(tags=["cases"])

STAFF_ROLES = (Role.COORDINATOR, Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER, Role.SYSADMIN)
MAX_LIMIT = 200


class CaseOut(Schema):
    receipt_no: str
    title: str
    kind: str
    channel: str
    status: str
    status_label: str
    intake_department: str
    handling_department: str | None
    officer: str | None
    received_at: datetime
    deadline_at: datetime | None
    is_overdue: bool
    is_ping_pong: bool


class ReportOut(Schema):
    id: int
    department: str
    status: str
    is_first: bool
    due_at: datetime
    body: str


class AnswerOut(Schema):
    body: str
    is_rejection: bool
    rejection_reasons: str
    remedies: str
    answered_at: datetime


class CaseDetailOut(CaseOut):
    body: str
    citizen_name: str
    citizen_phone: str
    citizen_email: str
    meeting: str | None
    proposer_details: str
    transfer_count: int
    extension_count: int
    reports: list[ReportOut]
    answers: list[AnswerOut]


class CaseListOut(Schema):
    count: int
    results: list[CaseOut]


class AssignIn(Schema):
    department: str
    officer: str | None = None
    cooperating: list[str] = []


class TransferIn(Schema):
    kind: str
    reason: str
    to_department: str | None = None
    to_agency: str = ""


class AnswerIn(Schema):
    body: str
    is_rejection: bool = False
    rejection_reasons: str = ""
    remedies: str = ""


class CloseIn(Schema):
    note: str = ""


class ReportSubmitIn(Schema):
    body: str


class ReportDecisionIn(Schema):
    approve: bool = True
    note: str = ""


class ListFilters(Schema):
    queue: str | None = None
    q: str = ""
    limit: int = 50
    offset: int = 0


def _staff(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not user.has_role(*STAFF_ROLES):
        raise PermissionDenied(_("민원 업무 권한이 없습니다."))
    return user


def _case(request: HttpRequest, receipt_no: str) -> Case:
    user = _staff(request)
    case = (
        Case.objects.visible_to(user)
        .select_related("intake_department", "handling_department", "officer", "meeting")
        .filter(receipt_no=receipt_no)
        .first()
    )
    if case is None:
        raise Http404
    return case


def _department(code: str | None, field: str) -> Department | None:
    if not code:
        return None
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise CasesError(_("부서 코드 '%(code)s'인 부서가 없습니다.") % {"code": code}, field=field)
    return department


def _officer(username: str | None) -> User | None:
    if not username:
        return None
    officer = User.objects.filter(username=username, is_active=True).first()
    if officer is None:
        raise CasesError(_("'%(username)s' 직원이 없습니다.") % {"username": username}, field="officer")
    return officer


def _out(case: Case) -> dict[str, Any]:
    return {
        "receipt_no": case.receipt_no,
        "title": case.title,
        "kind": case.kind,
        "channel": case.channel,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "intake_department": case.intake_department.name,
        "handling_department": case.handling_department.name if case.handling_department else None,
        "officer": case.officer.name if case.officer else None,
        "received_at": case.received_at,
        "deadline_at": case.deadline_at,
        "is_overdue": case.is_overdue(),
        "is_ping_pong": case.is_ping_pong,
    }


def _detail(case: Case) -> dict[str, Any]:
    case = Case.objects.select_related("intake_department", "handling_department", "officer", "meeting").get(
        pk=case.pk
    )
    return {
        **_out(case),
        "body": case.body,
        # Masked, as on the case page; the full contact is a logged page action.
        "citizen_name": case.masked_name,
        "citizen_phone": case.masked_phone,
        "citizen_email": case.masked_email,
        "meeting": str(case.meeting) if case.meeting else None,
        "proposer_details": case.proposer_details,
        "transfer_count": case.transfer_count,
        "extension_count": case.extension_count,
        "reports": [
            {
                "id": r.pk,
                "department": r.department.name,
                "status": r.status,
                "is_first": r.is_first,
                "due_at": r.due_at,
                "body": r.body,
            }
            for r in case.reports.select_related("department").order_by("requested_at", "id")
        ],
        "answers": [
            {
                "body": a.body,
                "is_rejection": a.is_rejection,
                "rejection_reasons": a.rejection_reasons,
                "remedies": a.remedies,
                "answered_at": a.answered_at,
            }
            for a in case.answers.all()
        ],
    }


@router.get("/", response=CaseListOut, summary="Cases visible to the signed-in staff member")
def list_cases(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    user = _staff(request)
    if filters.queue:
        if filters.queue not in Queue.__members__.values():
            raise CasesError(_("알 수 없는 목록입니다: %(queue)s") % {"queue": filters.queue}, field="queue")
        cases = queue(user, filters.queue)
    else:
        cases = scoped_cases(user).select_related("intake_department", "handling_department", "officer")
    if filters.q.strip():
        cases = search(cases, filters.q)
    limit = max(1, min(filters.limit, MAX_LIMIT))
    offset = max(0, filters.offset)
    return {"count": cases.count(), "results": [_out(case) for case in cases[offset : offset + limit]]}


@router.get("/{receipt_no}", response=CaseDetailOut, summary="One case (contact masked)")
def case_detail(request: HttpRequest, receipt_no: str) -> dict[str, Any]:
    return _detail(_case(request, receipt_no))


@router.post("/{receipt_no}/assign", response=CaseDetailOut, summary="배정: handling department, officer")
def assign(request: HttpRequest, receipt_no: str, payload: AssignIn) -> dict[str, Any]:
    case = _case(request, receipt_no)
    department = _department(payload.department, "department")
    cooperating = [_department(code, "cooperating") for code in payload.cooperating]
    with transaction.atomic():
        case = actions.assign_case(
            case,
            actor=cast(User, request.user),
            department=cast(Department, department),
            officer=_officer(payload.officer),
            cooperating=[dept for dept in cooperating if dept is not None],
        )
    return _detail(case)


@router.post("/{receipt_no}/transfer", response=CaseDetailOut, summary="이송·재지정")
def transfer(request: HttpRequest, receipt_no: str, payload: TransferIn) -> dict[str, Any]:
    case = _case(request, receipt_no)
    case = actions.transfer_case(
        case,
        actor=cast(User, request.user),
        kind=payload.kind,
        to_department=_department(payload.to_department, "to_department"),
        to_agency=payload.to_agency,
        reason=payload.reason,
    )
    return _detail(case)


@router.post("/{receipt_no}/start", response=CaseDetailOut, summary="처리 시작")
def start(request: HttpRequest, receipt_no: str) -> dict[str, Any]:
    return _detail(actions.start_processing(_case(request, receipt_no), actor=cast(User, request.user)))


@router.post("/{receipt_no}/answer", response=CaseDetailOut, summary="답변 (거부 시 사유와 구제 절차)")
def answer(request: HttpRequest, receipt_no: str, payload: AnswerIn) -> dict[str, Any]:
    case = _case(request, receipt_no)
    actions.answer_case(
        case,
        actor=cast(User, request.user),
        body=payload.body,
        is_rejection=payload.is_rejection,
        rejection_reasons=payload.rejection_reasons,
        remedies=payload.remedies,
    )
    return _detail(case)


@router.post("/{receipt_no}/close", response=CaseDetailOut, summary="종결")
def close(request: HttpRequest, receipt_no: str, payload: CloseIn) -> dict[str, Any]:
    return _detail(
        actions.close_case(_case(request, receipt_no), actor=cast(User, request.user), note=payload.note)
    )


def _report(case: Case, report_id: int) -> ProgressReport:
    report = ProgressReport.objects.filter(case=case, pk=report_id).first()
    if report is None:
        raise Http404
    return report


@router.post("/{receipt_no}/reports/{report_id}/submit", response=CaseDetailOut, summary="보고확인")
def submit_report(
    request: HttpRequest, receipt_no: str, report_id: int, payload: ReportSubmitIn
) -> dict[str, Any]:
    case = _case(request, receipt_no)
    actions.submit_report(_report(case, report_id), actor=request.user, body=payload.body)
    return _detail(case)


@router.post("/{receipt_no}/reports/{report_id}/decide", response=CaseDetailOut, summary="보고승인·반려")
def decide_report(
    request: HttpRequest, receipt_no: str, report_id: int, payload: ReportDecisionIn
) -> dict[str, Any]:
    case = _case(request, receipt_no)
    report = _report(case, report_id)
    if payload.approve:
        actions.approve_report(report, actor=request.user, note=payload.note)
    else:
        actions.return_report(report, actor=request.user, note=payload.note)
    return _detail(case)


# Merge at receipt, on-site investigation, routing time limits ----------------------------------------------


class MergeAtReceiptIn(Schema):
    receipt_nos: list[str]
    reason: str


class OnsiteStartIn(Schema):
    reason: str
    days: int = actions.ONSITE_MAX_DAYS


class OnsiteExtendIn(Schema):
    days: int
    reason: str


class OnsiteEndIn(Schema):
    note: str


class RoutingCountsOut(Schema):
    waiting: int
    late_assignments: int
    late_transfers: int


@router.post(
    "/{receipt_no}/merge-at-receipt", response=CaseDetailOut, summary="접수 단계 병합 (5건 이상, 령 §6)"
)
def merge_at_receipt(request: HttpRequest, receipt_no: str, payload: MergeAtReceiptIn) -> dict[str, Any]:
    case = _case(request, receipt_no)
    numbers = list(dict.fromkeys(payload.receipt_nos))
    others = list(Case.objects.visible_to(request.user).filter(receipt_no__in=numbers))
    missing = sorted(set(numbers) - {other.receipt_no for other in others})
    if missing:
        raise CasesError(
            _("찾을 수 없는 접수번호입니다: %(numbers)s") % {"numbers": ", ".join(missing)},
            field="receipt_nos",
        )
    return _detail(
        actions.merge_at_receipt(case, others, actor=cast(User, request.user), reason=payload.reason)
    )


@router.post("/{receipt_no}/onsite/start", response=CaseDetailOut, summary="현지조사 시작 (고충민원)")
def onsite_start(request: HttpRequest, receipt_no: str, payload: OnsiteStartIn) -> dict[str, Any]:
    case = _case(request, receipt_no)
    actions.start_onsite_investigation(
        case, actor=cast(User, request.user), reason=payload.reason, days=payload.days
    )
    return _detail(case)


@router.post("/{receipt_no}/onsite/extend", response=CaseDetailOut, summary="현지조사 연장 (한 번, 7일 이내)")
def onsite_extend(request: HttpRequest, receipt_no: str, payload: OnsiteExtendIn) -> dict[str, Any]:
    case = _case(request, receipt_no)
    actions.extend_onsite_investigation(
        case, actor=cast(User, request.user), days=payload.days, reason=payload.reason
    )
    return _detail(case)


@router.post("/{receipt_no}/onsite/end", response=CaseDetailOut, summary="현지조사 종료")
def onsite_end(request: HttpRequest, receipt_no: str, payload: OnsiteEndIn) -> dict[str, Any]:
    case = _case(request, receipt_no)
    actions.end_onsite_investigation(case, actor=cast(User, request.user), note=payload.note)
    return _detail(case)


@router.get("/routing/late", response=RoutingCountsOut, summary="배정·이송 기한 초과 (총괄부서)")
def routing_late(request: HttpRequest) -> dict[str, int]:
    user = _staff(request)
    if not user.has_role(Role.COORDINATOR):
        raise PermissionDenied(_("총괄부서만 볼 수 있습니다."))
    counts = routing_counts(scoped_cases(user), timezone.now())
    return {
        "waiting": counts.waiting,
        "late_assignments": counts.late_assignments,
        "late_transfers": counts.late_transfers,
    }
