"""The case page: timeline, contact (unmasking logged), attachments, reports, routing time limits
(배정 지연, 이송 기한), on-site investigation, and every action form offered by the rules the actions
check again (`CasePowers`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sotong.accounts.models import Role, User
from sotong.cases import actions
from sotong.cases import forms_office as f
from sotong.cases.actions.grievance import is_grievance
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
    OnsiteInvestigation,
    ProgressReport,
    ReportStatus,
)
from sotong.cases.views.office._common import (
    CASE_ROLES,
    PENDING_FOR_DEPARTMENT,
    VERB_LABELS,
    _staff,
    _user,
)
from sotong.cases.workflow import END_STATUSES
from sotong.core.business_calendar import business_calendar
from sotong.core.errors import DomainError
from sotong.core.masking import format_phone
from sotong.core.models import Event, PersonalDataAction
from sotong.core.privacy import log_personal_data_access
from sotong.messaging.models import Message


@dataclass(frozen=True)
class CasePowers:
    """What the user may do to one case, by the same rules the actions check (cases/actions)."""

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


# Timeline labels of the steps added with the routing limits, merge at receipt and investigations.
MORE_VERB_LABELS = {
    "cases.merged_at_receipt": gettext_lazy("접수 단계 병합"),
    "cases.report_cancelled": gettext_lazy("보고요청 취소"),
    "cases.route_late": gettext_lazy("배정 지연 알림"),
    "cases.onsite_started": gettext_lazy("현지조사 시작"),
    "cases.onsite_extended": gettext_lazy("현지조사 연장"),
    "cases.onsite_ended": gettext_lazy("현지조사 종료"),
    "cases.onsite_closed": gettext_lazy("현지조사 종료 (민원 종결)"),
}
WORKING_STATUSES = (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS)


def _available(
    powers: CasePowers,
    case: Case,
    pending_avoidance: AvoidanceRequest | None,
    investigation: OnsiteInvestigation | None = None,
) -> dict[str, bool]:
    """Which of the case page's action forms to offer (the actions decide in the end)."""
    is_open = case.status in OPEN_STATUSES
    movable = not case.is_ping_pong or powers.oversees
    investigating = investigation is not None and investigation.is_open and case.status in WORKING_STATUSES
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
        "onsite_start": powers.handles
        and case.status in WORKING_STATUSES
        and is_grievance(case)
        and investigation is None,
        "onsite_extend": powers.handles and investigating and not getattr(investigation, "extension_days", 0),
        "onsite_end": powers.handles and investigating,
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
    "onsite_start": CaseAction(
        f.OnsiteStartForm,
        _data(
            lambda r, c, d: (
                actions.start_onsite_investigation(c, actor=_user(r), reason=d["reason"], days=d["days"]),
                _("현지조사를 시작했습니다. 조사 기간은 처리기간에 넣지 않습니다."),
            )[1]
        ),
        gettext_lazy("현지조사 시작 (고충민원)"),
        gettext_lazy("시작"),
    ),
    "onsite_extend": CaseAction(
        f.OnsiteExtendForm,
        _data(
            lambda r, c, d: (
                actions.extend_onsite_investigation(c, actor=_user(r), days=d["days"], reason=d["reason"]),
                _("현지조사를 연장했습니다."),
            )[1]
        ),
        gettext_lazy("현지조사 연장"),
        gettext_lazy("연장"),
    ),
    "onsite_end": CaseAction(
        f.OnsiteEndForm,
        _data(
            lambda r, c, d: (
                actions.end_onsite_investigation(c, actor=_user(r), note=d["note"]),
                _("현지조사를 마쳤습니다."),
            )[1]
        ),
        gettext_lazy("현지조사 종료"),
        gettext_lazy("종료"),
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
    investigation = case.investigations.select_related("started_by", "extended_by", "ended_by").first()
    available = _available(powers, case, pending_avoidance, investigation)
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
    labels = {**VERB_LABELS, **MORE_VERB_LABELS}
    now, calendar = timezone.now(), business_calendar()
    route_due = actions.route_due(case, calendar) if case.is_open else None
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
        "events": [(event, labels.get(event.verb, event.verb)) for event in events],
        "route_due": route_due,
        "route_late": route_due is not None and route_due < now,
        "investigation": investigation,
        "download_form": f.AttachmentDownloadForm(prefix="download"),
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
