"""Staff pages for cases: queues, the case page and its action forms, intake and bulk import.

Scoping: every case is looked up in `Case.objects.visible_to(user)` (a case of another department is a
404); which action forms a page offers follows the same rules as the actions (`CasePowers`), and the
actions check again: a refused action shows its Korean message next to its form and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sotong.accounts.models import Department, Role, User, departments_for
from sotong.cases import actions, imports
from sotong.cases import forms_office as f
from sotong.cases.errors import CasesError
from sotong.cases.models import (
    MEETING_CHANNELS,
    OPEN_STATUSES,
    AssignmentRole,
    AvoidanceRequest,
    Case,
    CaseAssignment,
    CaseStatus,
    DecisionStatus,
    ProgressReport,
    ReportStatus,
)
from sotong.cases.queues import (
    QUEUE_LABELS,
    CaseFilters,
    Queue,
    apply_filters,
    queue,
    queue_counts,
    scoped_cases,
)
from sotong.cases.workflow import END_STATUSES
from sotong.core.errors import DomainError
from sotong.core.masking import format_phone
from sotong.core.models import Event, PersonalDataAction
from sotong.core.privacy import log_personal_data_access
from sotong.messaging.models import Message

CASES_PER_PAGE = 50
CASE_ROLES = (Role.COORDINATOR, Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER, Role.SYSADMIN)
INTAKE_ROLES = (Role.COORDINATOR, Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER)
IMPORT_ROLES = (Role.COORDINATOR, Role.INTAKE)
# Queues shown as tabs (보고승인 대기 is the approvers' queue, shown to them only).
QUEUE_TABS = (
    Queue.NEW,
    Queue.DUE_SOON,
    Queue.OVERDUE,
    Queue.REPORT_REQUESTED,
    Queue.REPORT_SUBMITTED,
    Queue.UNREPORTED,
    Queue.PING_PONG,
    Queue.AVOIDANCE_PENDING,
)
PENDING_FOR_DEPARTMENT = (ReportStatus.REQUESTED, ReportStatus.RETURNED, ReportStatus.MISSED)

VERB_LABELS = {
    "cases.submitted": gettext_lazy("접수"),
    "cases.assigned": gettext_lazy("배정"),
    "cases.officer_set": gettext_lazy("담당자 지정"),
    "cases.transferred": gettext_lazy("이송·재지정"),
    "cases.designated": gettext_lazy("총괄부서 지정"),
    "cases.avoidance_requested": gettext_lazy("기피신청"),
    "cases.avoidance_decided": gettext_lazy("기피신청 결정"),
    "cases.extended": gettext_lazy("처리기한 연장"),
    "cases.note_added": gettext_lazy("메모"),
    "cases.started": gettext_lazy("처리 시작"),
    "cases.answered": gettext_lazy("답변"),
    "cases.closed": gettext_lazy("종결"),
    "cases.reopened": gettext_lazy("재처리"),
    "cases.withdrawn": gettext_lazy("취하"),
    "cases.merged": gettext_lazy("병합됨"),
    "cases.merged_in": gettext_lazy("병합"),
    "cases.linked": gettext_lazy("관련 민원 연결"),
    "cases.closed_as_repeated": gettext_lazy("반복민원 종결"),
    "cases.flags_set": gettext_lazy("표시 변경"),
    "cases.rated": gettext_lazy("만족도 평가"),
    "cases.additional_answer_requested": gettext_lazy("추가 답변 요청"),
    "cases.attachment_added": gettext_lazy("파일 첨부"),
    "cases.report_requested": gettext_lazy("보고요청"),
    "cases.report_submitted": gettext_lazy("보고확인"),
    "cases.report_approved": gettext_lazy("보고승인"),
    "cases.report_returned": gettext_lazy("보고 반려"),
    "cases.report_missed": gettext_lazy("미보고"),
    "cases.report_moved": gettext_lazy("보고 부서 변경"),
    "cases.deadline_reminded": gettext_lazy("기한 알림"),
    "cases.overdue_escalated": gettext_lazy("독촉"),
    "cases.progress_notice": gettext_lazy("중간 통지"),
}

View = Callable[..., HttpResponse]


def _staff(*roles: str) -> Callable[[View], View]:
    """Signed in and holding one of `roles` somewhere (scoping to cases comes after)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not cast(User, request.user).has_role(*roles):
                raise PermissionDenied(_("민원 업무 권한이 없습니다."))
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _picker_departments(user: User) -> QuerySet[Department]:
    """The departments a user may narrow the queues to: their own grants (everything for coordinators)."""
    if user.has_role(Role.COORDINATOR, Role.SYSADMIN):
        return f.active_departments()
    return Department.objects.filter(pk__in=user.departments_with(*INTAKE_ROLES)).order_by("path")


# Queues --------------------------------------------------------------------------------------------------


def _case_list(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("handling_department", "intake_department", "officer")


@_staff(*CASE_ROLES)
@require_http_methods(["GET"])
def case_queues(request: HttpRequest) -> HttpResponse:
    """업무 목록: queue tabs with counts for the chosen department, a filtered, searchable page of cases."""
    user = _user(request)
    departments = _picker_departments(user)
    department = None
    if dept_id := request.GET.get("dept", ""):
        department = departments.filter(pk=dept_id).first() if dept_id.isdigit() else None
    name = request.GET.get("queue", "")
    current = Queue(name) if name in Queue.__members__.values() else None
    form = f.QueueFilterForm(request.GET or None, departments=departments)
    cases = (
        queue(user, current, department=department) if current else _case_list(scoped_cases(user, department))
    )
    if form.is_valid():
        data = form.cleaned_data
        cases = apply_filters(
            cases,
            CaseFilters(
                status=[data["status"]] if data["status"] else [],
                kind=[data["kind"]] if data["kind"] else [],
                channel=[data["channel"]] if data["channel"] else [],
                category=[data["category"]] if data["category"] else [],
                department=data["department"],
                dong=data["dong"],
                received_from=data["received_from"],
                received_to=data["received_to"],
                flags=data["flags"],
                text=data["q"],
            ),
        )
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    counts = queue_counts(user, department=department)
    query = request.GET.copy()
    query.pop("page", None)
    tab_query = query.copy()
    tab_query.pop("queue", None)
    return render(
        request,
        "cases/office/queues.html",
        {
            "form": form,
            "filtering": any(request.GET.get(name) for name in form.fields),
            "page": page,
            "cases": page.object_list,
            "query": query.urlencode(),
            "tab_query": tab_query.urlencode(),
            "tabs": [(q.value, QUEUE_LABELS[q], counts.get(q.value, 0)) for q in QUEUE_TABS],
            "current_queue": current.value if current else "",
            "current_label": QUEUE_LABELS[current] if current else _("전체 민원"),
            "departments": departments,
            "department": department,
            "bulk_form": f.BulkForm(cases=Case.objects.none()),
            "can_bulk": user.has_role(Role.COORDINATOR, Role.INTAKE, Role.HANDLER),
        },
    )


@_staff(Role.COORDINATOR, Role.INTAKE, Role.HANDLER)
@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    """일괄 재지정·기한 연장·보고승인, each case on its own, with a result per row."""
    user = _user(request)
    form = f.BulkForm(request.POST, cases=Case.objects.visible_to(user))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("cases_office:queues")
        return redirect(target)
    data = form.cleaned_data
    cases = list(data["cases"])
    rows: list[tuple[str, bool, str]] = []
    if data["operation"] == "reassign":
        results = actions.bulk_reassign(
            cases, actor=user, department=data["department"], reason=data["reason"]
        )
        rows = [(r.receipt_no, r.ok, r.message) for r in results]
    elif data["operation"] == "extend":
        results = actions.bulk_extend(
            cases,
            actor=user,
            days=data["days"],
            reason=data["reason"],
            citizen_consent=data["citizen_consent"],
        )
        rows = [(r.receipt_no, r.ok, r.message) for r in results]
    else:
        reports = list(
            ProgressReport.objects.filter(case__in=cases, status=ReportStatus.SUBMITTED).select_related(
                "case"
            )
        )
        by_id = {report.pk: report for report in reports}
        approvals = actions.bulk_approve_reports(reports, actor=user, note=data["reason"])
        rows = [(by_id[r.report_id].case.receipt_no, r.approved, r.message) for r in approvals]
        waiting = {report.case_id for report in reports}
        rows += [
            (case.receipt_no, False, _("승인할 보고가 없습니다.")) for case in cases if case.pk not in waiting
        ]
    done = sum(1 for _no, ok, _message in rows if ok)
    label = dict(f.BulkForm.OPERATIONS)[data["operation"]]
    return render(
        request,
        "cases/office/bulk_result.html",
        {"rows": rows, "done": done, "failed": len(rows) - done, "label": label},
    )


# The case page -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CasePowers:
    """What the user may do to one case, by the same rules the actions check (lifecycle.py, reports.py)."""

    oversees: bool
    takes_in: bool
    handles: bool
    handler_here: bool
    cooperates: bool
    requests_reports: bool

    @classmethod
    def of(cls, user: User, case: Case, open_assignments: list[CaseAssignment]) -> CasePowers:
        oversees = user.has_role(Role.COORDINATOR)
        takes_in = oversees or user.has_role_in(case.intake_department, Role.INTAKE)
        handler_here = case.handling_department is not None and user.has_role_in(
            case.handling_department, Role.HANDLER
        )
        cooperates = any(
            a.role == AssignmentRole.COOPERATING and user.has_role_in(a.department, Role.HANDLER)
            for a in open_assignments
        )
        return cls(oversees, takes_in, oversees or handler_here, handler_here, cooperates, takes_in)

    @property
    def manages(self) -> bool:
        return self.handles or self.takes_in

    @property
    def works_on(self) -> bool:
        return self.manages or self.cooperates


def _available(powers: CasePowers, case: Case, pending_avoidance: AvoidanceRequest | None) -> dict[str, bool]:
    """Which of the case page's action forms to offer (the actions decide in the end)."""
    is_open = case.status in OPEN_STATUSES
    movable = not case.is_ping_pong or powers.oversees
    return {
        "assign": powers.takes_in and is_open and movable,
        "officer": powers.manages and is_open and case.handling_department_id is not None,
        "transfer": powers.manages and is_open and movable and case.handling_department_id is not None,
        "designate": powers.oversees and is_open,
        "avoid_request": powers.handler_here and is_open and pending_avoidance is None,
        "avoid_decide": powers.oversees and pending_avoidance is not None,
        "extend": powers.handles and is_open and not case.is_proposal and case.deadline_at is not None,
        "note": powers.works_on,
        "start": powers.handles and case.status == CaseStatus.ASSIGNED,
        "answer": powers.handles and case.status in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS),
        "close": powers.manages and case.status == CaseStatus.ANSWERED,
        "reopen": powers.manages and case.status in (CaseStatus.ANSWERED, CaseStatus.CLOSED),
        "merge": powers.manages and case.status not in END_STATUSES,
        "link": powers.manages,
        "repeated": powers.manages and is_open,
        "flags": powers.manages,
        "attach": powers.works_on and is_open,
        "report_request": powers.requests_reports and is_open,
    }


def _cases_by_numbers(user: User, numbers: list[str]) -> list[Case]:
    found = list(Case.objects.visible_to(user).filter(receipt_no__in=numbers))
    missing = sorted(set(numbers) - {case.receipt_no for case in found})
    if missing:
        raise CasesError(
            _("찾을 수 없는 접수번호입니다: %(numbers)s") % {"numbers": ", ".join(missing)},
            field="receipt_nos",
        )
    return found


def _report(case: Case, form: f.OfficeForm) -> ProgressReport:
    report = ProgressReport.objects.filter(case=case, pk=form.cleaned_data["report"]).first()
    if report is None:
        raise Http404
    return report


def _assign(request: HttpRequest, case: Case, data: dict[str, Any]) -> str:
    user = _user(request)
    with transaction.atomic():
        case = actions.assign_case(
            case,
            actor=user,
            department=data["department"],
            officer=data["officer"],
            cooperating=data["cooperating"],
        )
        # A proposal owes its first report within 7 days of receipt (소통 네트워크).
        actions.schedule_first_report(case)
    return _("%(dept)s에 배정했습니다.") % {"dept": data["department"].name}


def _transfer(request: HttpRequest, case: Case, data: dict[str, Any]) -> str:
    actions.transfer_case(
        case,
        actor=_user(request),
        kind=data["kind"],
        to_department=data["to_department"],
        to_agency=data["to_agency"],
        reason=data["reason"],
    )
    return _("이송했습니다.")


def _designate(request: HttpRequest, case: Case, data: dict[str, Any]) -> str:
    with transaction.atomic():
        case = actions.designate_department(
            case,
            actor=_user(request),
            department=data["department"],
            reason=data["reason"],
            officer=data["officer"],
        )
        actions.schedule_first_report(case)
    return _("처리부서를 지정했습니다.")


def _avoid_decide(request: HttpRequest, case: Case, data: dict[str, Any]) -> str:
    pending = case.avoidance_requests.filter(status=DecisionStatus.PENDING).first()
    if pending is None:
        raise CasesError(_("검토 중인 기피신청이 없습니다."))
    approve = data["decision"] == "approve"
    actions.decide_avoidance(
        pending, actor=_user(request), approve=approve, note=data["note"], to_department=data["to_department"]
    )
    return _("기피신청을 승인했습니다.") if approve else _("기피신청을 반려했습니다.")


def _report_decide(request: HttpRequest, case: Case, form: f.OfficeForm) -> str:
    report, data = _report(case, form), form.cleaned_data
    if data["decision"] == "approve":
        actions.approve_report(report, actor=_user(request), note=data["note"])
        return _("보고를 승인했습니다.")
    actions.return_report(report, actor=_user(request), note=data["note"])
    return _("보고를 반려했습니다.")


def _merge(request: HttpRequest, case: Case, data: dict[str, Any]) -> str:
    others = _cases_by_numbers(_user(request), data["receipt_nos"])
    actions.merge_cases(case, others, actor=_user(request), reason=data["reason"])
    return _("%(n)d건을 이 민원에 병합했습니다.") % {"n": len(others)}


def _link(request: HttpRequest, case: Case, data: dict[str, Any]) -> str:
    actions.link_cases(case, _cases_by_numbers(_user(request), data["receipt_nos"]), actor=_user(request))
    return _("관련 민원으로 연결했습니다.")


def _repeated(request: HttpRequest, case: Case, data: dict[str, Any]) -> str:
    earlier = _cases_by_numbers(_user(request), data["receipt_nos"])
    actions.close_as_repeated(case, actor=_user(request), earlier_cases=earlier)
    return _("반복민원으로 종결했습니다.")


@dataclass(frozen=True)
class CaseAction:
    form: type[f.OfficeForm]
    perform: Callable[[HttpRequest, Case, f.OfficeForm], str]
    title: Any
    button: Any


def _data(
    fn: Callable[[HttpRequest, Case, dict[str, Any]], str],
) -> Callable[[HttpRequest, Case, f.OfficeForm], str]:
    return lambda request, case, form: fn(request, case, form.cleaned_data)


CASE_ACTIONS: dict[str, CaseAction] = {
    "assign": CaseAction(f.AssignForm, _data(_assign), gettext_lazy("배정"), gettext_lazy("배정")),
    "officer": CaseAction(
        f.OfficerForm,
        _data(
            lambda r, c, d: (
                actions.set_officer(c, actor=_user(r), officer=d["officer"]),
                _("담당자를 지정했습니다."),
            )[1]
        ),
        gettext_lazy("담당자 지정"),
        gettext_lazy("지정"),
    ),
    "transfer": CaseAction(
        f.TransferForm, _data(_transfer), gettext_lazy("이송·재지정"), gettext_lazy("이송")
    ),
    "designate": CaseAction(
        f.DesignateForm, _data(_designate), gettext_lazy("처리부서 지정 (총괄)"), gettext_lazy("지정")
    ),
    "avoid_request": CaseAction(
        f.AvoidanceRequestForm,
        _data(
            lambda r, c, d: (
                actions.request_avoidance(
                    c, actor=_user(r), reason=d["reason"], suggested_department=d["suggested_department"]
                ),
                _("기피신청을 했습니다."),
            )[1]
        ),
        gettext_lazy("기피신청"),
        gettext_lazy("신청"),
    ),
    "avoid_decide": CaseAction(
        f.AvoidanceDecisionForm, _data(_avoid_decide), gettext_lazy("기피신청 결정"), gettext_lazy("결정")
    ),
    "extend": CaseAction(
        f.ExtendForm,
        _data(
            lambda r, c, d: (
                actions.extend_deadline(
                    c,
                    actor=_user(r),
                    days=d["days"],
                    reason=d["reason"],
                    citizen_consent=d["citizen_consent"],
                ),
                _("처리기한을 연장했습니다."),
            )[1]
        ),
        gettext_lazy("처리기한 연장"),
        gettext_lazy("연장"),
    ),
    "note": CaseAction(
        f.NoteForm,
        _data(
            lambda r, c, d: (
                actions.add_note(c, actor=_user(r), body=d["body"], visibility=d["visibility"]),
                _("메모를 남겼습니다."),
            )[1]
        ),
        gettext_lazy("메모·공개 답글"),
        gettext_lazy("등록"),
    ),
    "start": CaseAction(
        f.EmptyForm,
        _data(lambda r, c, d: (actions.start_processing(c, actor=_user(r)), _("처리를 시작했습니다."))[1]),
        gettext_lazy("처리 시작"),
        gettext_lazy("처리 시작"),
    ),
    "answer": CaseAction(
        f.AnswerForm,
        _data(
            lambda r, c, d: (
                actions.answer_case(
                    c,
                    actor=_user(r),
                    body=d["body"],
                    is_rejection=d["is_rejection"],
                    rejection_reasons=d["rejection_reasons"],
                    remedies=d["remedies"],
                ),
                _("답변을 등록했습니다."),
            )[1]
        ),
        gettext_lazy("답변"),
        gettext_lazy("답변 등록"),
    ),
    "close": CaseAction(
        f.CloseForm,
        _data(lambda r, c, d: (actions.close_case(c, actor=_user(r), note=d["note"]), _("종결했습니다."))[1]),
        gettext_lazy("종결"),
        gettext_lazy("종결"),
    ),
    "reopen": CaseAction(
        f.ReopenForm,
        _data(
            lambda r, c, d: (
                actions.reopen_case(c, actor=_user(r), reason=d["reason"]),
                _("다시 처리합니다."),
            )[1]
        ),
        gettext_lazy("재처리"),
        gettext_lazy("재처리"),
    ),
    "merge": CaseAction(f.MergeForm, _data(_merge), gettext_lazy("중복 민원 병합"), gettext_lazy("병합")),
    "link": CaseAction(
        f.ReceiptNumbersForm, _data(_link), gettext_lazy("관련 민원 연결"), gettext_lazy("연결")
    ),
    "repeated": CaseAction(
        f.ReceiptNumbersForm, _data(_repeated), gettext_lazy("반복민원 종결 (법 §23)"), gettext_lazy("종결")
    ),
    "flags": CaseAction(
        f.FlagsForm,
        _data(lambda r, c, d: (actions.set_flags(c, actor=_user(r), **d), _("표시를 바꿨습니다."))[1]),
        gettext_lazy("표시"),
        gettext_lazy("저장"),
    ),
    "attach": CaseAction(
        f.AttachmentForm,
        _data(
            lambda r, c, d: (
                actions.add_attachment(c, uploaded_file=d["file"], actor=_user(r), from_citizen=False),
                _("파일을 첨부했습니다."),
            )[1]
        ),
        gettext_lazy("파일 첨부"),
        gettext_lazy("첨부"),
    ),
    "report_request": CaseAction(
        f.ReportRequestForm,
        _data(
            lambda r, c, d: (
                actions.request_report(c, actor=_user(r), department=d["department"], note=d["note"]),
                _("보고를 요청했습니다."),
            )[1]
        ),
        gettext_lazy("보고요청"),
        gettext_lazy("보고요청"),
    ),
    "report_submit": CaseAction(
        f.ReportSubmitForm,
        lambda r, c, form: (
            actions.submit_report(_report(c, form), actor=_user(r), body=form.cleaned_data["body"]),
            _("보고를 제출했습니다."),
        )[1],
        gettext_lazy("진행사항 보고"),
        gettext_lazy("보고 제출"),
    ),
    "report_decide": CaseAction(
        f.ReportDecisionForm, _report_decide, gettext_lazy("보고 승인·반려"), gettext_lazy("결정")
    ),
}
PER_REPORT_ACTIONS = ("report_submit", "report_decide")


def _visible_case(request: HttpRequest, receipt_no: str) -> Case:
    cases = Case.objects.visible_to(_user(request)).select_related(
        "intake_department", "handling_department", "officer", "meeting", "merged_into"
    )
    return get_object_or_404(cases, receipt_no=receipt_no)


def _report_forms(
    user: User, case: Case, reports: list[ProgressReport], powers: CasePowers, bound: tuple[str, Any] | None
) -> list[tuple[ProgressReport, str, f.OfficeForm]]:
    forms = []
    for report in reports:
        name = ""
        if report.status in PENDING_FOR_DEPARTMENT and user.has_role_in(report.department, Role.HANDLER):
            name = "report_submit"
        elif (
            report.status == ReportStatus.SUBMITTED
            and powers.requests_reports
            and not user.has_role_in(report.department, Role.HANDLER)
            and report.submitted_by_id != user.pk
        ):
            name = "report_decide"
        if not name:
            continue
        if bound and bound[0] == name and str(bound[1].data.get(f"{name}-report")) == str(report.pk):
            form = bound[1]
        else:
            form = CASE_ACTIONS[name].form(
                prefix=name, auto_id=f"id_r{report.pk}_%s", initial={"report": report.pk}
            )
        forms.append((report, name, form))
    if bound and bound[0] in PER_REPORT_ACTIONS and not any(form is bound[1] for _r, _n, form in forms):
        wanted = str(bound[1].data.get(f"{bound[0]}-report"))
        forms += [(report, bound[0], bound[1]) for report in reports if str(report.pk) == wanted]
    return forms


def _case_context(
    request: HttpRequest, case: Case, bound: tuple[str, f.OfficeForm] | None = None, unmasked: bool = False
) -> dict[str, Any]:
    user = _user(request)
    assignments = list(case.assignments.select_related("department", "officer", "assigned_by"))
    open_assignments = [a for a in assignments if a.ended_at is None]
    powers = CasePowers.of(user, case, open_assignments)
    avoidance = list(
        case.avoidance_requests.select_related(
            "department", "suggested_department", "requested_by", "decided_by"
        )
    )
    pending_avoidance = next((a for a in avoidance if a.status == DecisionStatus.PENDING), None)
    reports = list(
        case.reports.select_related("department", "requested_by", "submitted_by", "decided_by").order_by(
            "requested_at", "id"
        )
    )
    available = _available(powers, case, pending_avoidance)
    action_forms = []
    for name, allowed in available.items():
        # A refused form stays on the page with its message, even when the action is no longer offered.
        if not allowed and not (bound and bound[0] == name):
            continue
        spec = CASE_ACTIONS[name]
        if bound and bound[0] == name:
            form = bound[1]
        else:
            initial: dict[str, Any] = {}
            if name == "flags":
                initial = {field: getattr(case, field) for field in actions.FLAG_FIELDS}
            if name == "assign" and case.handling_department_id:
                initial = {"department": case.handling_department_id, "officer": case.officer_id}
            form = spec.form(prefix=name, initial=initial)
        action_forms.append({"name": name, "title": spec.title, "button": spec.button, "form": form})
    events = Event.objects.for_target(case).select_related("actor").order_by("created_at", "id")
    return {
        "case": case,
        "powers": powers,
        "is_meeting": case.channel in MEETING_CHANNELS,
        "overdue": case.is_overdue(),
        "assignments": assignments,
        "transfers": case.transfers.select_related("from_department", "to_department", "transferred_by"),
        "avoidance": avoidance,
        "extensions": case.extensions.select_related("extended_by"),
        "reports": reports,
        "report_forms": _report_forms(user, case, reports, powers, bound),
        "notes": case.notes.select_related("author"),
        "answers": case.answers.select_related("department", "answered_by"),
        "attachments": case.attachments.all(),
        "surveys": case.surveys.all(),
        "related": case.related.all(),
        "merged_cases": case.merged_cases.all(),
        "sent_messages": Message.objects.about(case).order_by("created_at"),
        "events": [(event, VERB_LABELS.get(event.verb, event.verb)) for event in events],
        "action_forms": action_forms,
        "bound_action": bound[0] if bound else "",
        "unmask_form": f.UnmaskForm(prefix="unmask") if powers.works_on else None,
        "unmasked": unmasked,
        "full_phone": format_phone(case.citizen_phone) if unmasked else "",
    }


@_staff(*CASE_ROLES)
@require_http_methods(["GET"])
def case_detail(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """민원 상세: summary, contact (masked), meeting, work, reports, answers, messages and timeline."""
    case = _visible_case(request, receipt_no)
    return render(request, "cases/office/case_detail.html", _case_context(request, case))


@_staff(*CASE_ROLES)
@require_POST
def case_action(request: HttpRequest, receipt_no: str, action: str) -> HttpResponse:
    """One action form of the case page: the action runs, or its Korean message shows next to the form."""
    spec = CASE_ACTIONS.get(action)
    if spec is None:
        raise Http404
    case = _visible_case(request, receipt_no)
    form = spec.form(request.POST, request.FILES, prefix=action)
    if action in PER_REPORT_ACTIONS:
        form.auto_id = f"id_r{request.POST.get(f'{action}-report', '')}_%s"
    status = 400
    if form.is_valid():
        try:
            message = spec.perform(request, case, form)
        except DomainError as error:
            form.add_domain_error(error)
            status = error.status_code
        else:
            messages.success(request, message)
            return redirect(reverse("cases_office:detail", args=[case.receipt_no]) + "#case-actions")
    return render(
        request, "cases/office/case_detail.html", _case_context(request, case, (action, form)), status=status
    )


@_staff(*CASE_ROLES)
@require_POST
def unmask_contact(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """연락처 보기: the citizen's name, phone and e-mail in full, written to the personal-data access log."""
    case = _visible_case(request, receipt_no)
    powers = CasePowers.of(_user(request), case, list(case.assignments.filter(ended_at__isnull=True)))
    if not powers.works_on:
        raise PermissionDenied(_("이 민원의 연락처를 볼 권한이 없습니다."))
    form = f.UnmaskForm(request.POST, prefix="unmask")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    log_personal_data_access(
        request,
        subject=case,
        action=PersonalDataAction.VIEW,
        fields=_("신청인 이름, 휴대전화, 전자우편"),
        reason=reason,
        path=request.path,
    )
    return render(request, "cases/office/case_detail.html", _case_context(request, case, unmasked=True))


# Intake --------------------------------------------------------------------------------------------------


def _intake_departments(user: User) -> QuerySet[Department]:
    if user.has_role(Role.COORDINATOR):
        return f.active_departments()
    return (
        departments_for(user, Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER)
        .filter(is_active=True)
        .order_by("path")
    )


@_staff(*INTAKE_ROLES)
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """민원 등록: staff register a case from any channel; meeting channels with their meeting."""
    user = _user(request)
    departments = _intake_departments(user)
    initial = {"intake_department": user.department_id} if user.department_id else {}
    form = f.IntakeForm(request.POST or None, departments=departments, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    meeting = data["meeting"]
                    if data["channel"] in MEETING_CHANNELS and meeting is None:
                        meeting = actions.register_meeting(
                            actor=user,
                            channel=data["channel"],
                            title=data["meeting_title"],
                            held_on=data["meeting_held_on"],
                            intake_department=data["intake_department"],
                            place=data["meeting_place"],
                            attendees=data["meeting_attendees"],
                        )
                    case = actions.submit_case(
                        actor=user,
                        kind=data["kind"],
                        channel=data["channel"],
                        title=data["title"],
                        body=data["body"],
                        intake_department=data["intake_department"],
                        citizen_name=data["citizen_name"],
                        citizen_phone=data["citizen_phone"],
                        citizen_email=data["citizen_email"],
                        notify_sms=data["notify_sms"],
                        notify_email=data["notify_email"],
                        category=data["category"],
                        statutory_type=data["statutory_type"],
                        address=data["address"],
                        dong=data["dong"],
                        meeting=meeting,
                        proposer_details=data["proposer_details"],
                        is_urgent_safety=data["is_urgent_safety"],
                        is_serious_civic_disaster=data["is_serious_civic_disaster"],
                        is_multi_party=data["is_multi_party"],
                    )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("%(no)s 접수번호로 등록했습니다. 처리기한: %(deadline)s")
                    % {"no": case.receipt_no, "deadline": _deadline_text(case)},
                )
                return redirect("cases_office:detail", case.receipt_no)
    return render(request, "cases/office/case_new.html", {"form": form}, status=status)


def _deadline_text(case: Case) -> str:
    from django.utils import timezone

    if case.deadline_at is None:
        return "-"
    return timezone.localtime(case.deadline_at).strftime("%Y-%m-%d %H:%M")


# Bulk import ---------------------------------------------------------------------------------------------

IMPORT_SESSION_KEY = "cases_import"


@_staff(*IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """제안 일괄 등록 1/2: upload, parse and check every row; show the preview with each row's errors."""
    user = _user(request)
    departments: QuerySet[Department] = f.active_departments()
    if not user.has_role(Role.COORDINATOR):
        departments = departments_for(user, Role.INTAKE).filter(is_active=True).order_by("path")
    form = f.ImportUploadForm(request.POST or None, request.FILES or None, departments=departments)
    rows: list[imports.ImportRow] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                rows = imports.validate(imports.parse(form.cleaned_data["file"]))
            except DomainError as error:
                form.add_domain_error(error)
            else:
                status = 200
                request.session[IMPORT_SESSION_KEY] = {
                    "department": form.cleaned_data["intake_department"].pk,
                    "rows": imports.serialise(rows),
                }
    return render(
        request,
        "cases/office/import.html",
        {
            "form": form,
            "rows": rows,
            "valid": sum(1 for row in rows if row.ok),
            "invalid": sum(1 for row in rows if not row.ok),
            "columns": imports.COLUMNS,
        },
        status=status,
    )


@_staff(*IMPORT_ROLES)
@require_POST
def import_commit(request: HttpRequest) -> HttpResponse:
    """제안 일괄 등록 2/2: register the valid rows of the checked file; a result per row."""
    user = _user(request)
    stored = request.session.pop(IMPORT_SESSION_KEY, None)
    if not stored:
        messages.error(request, _("먼저 파일을 올려 확인해 주세요."))
        return redirect("cases_office:import")
    department = get_object_or_404(Department, pk=stored["department"])
    results = imports.commit(imports.restore(stored["rows"]), actor=user, intake_department=department)
    done = sum(1 for result in results if result.ok)
    return render(
        request,
        "cases/office/import_result.html",
        {"results": results, "done": done, "failed": len(results) - done},
    )


@_staff(*IMPORT_ROLES)
@require_http_methods(["GET"])
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        imports.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="sotong-proposals-template.xlsx"'
    return response


__all__ = [
    "CASE_ACTIONS",
    "bulk_action",
    "case_action",
    "case_detail",
    "case_new",
    "case_queues",
    "import_commit",
    "import_template",
    "import_upload",
    "unmask_contact",
]
