"""The queue page (tabs, filters, search, paging, 배정 지연 and the coordinator's late-routing count), its
XLSX export, and bulk actions on the cases ticked there (merge at receipt among them)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sotong.accounts.models import Department, Role, User
from sotong.cases import actions
from sotong.cases import forms_office as f
from sotong.cases.models import (
    OPEN_STATUSES,
    PING_PONG_TRANSFERS,
    Case,
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
from sotong.cases.route_limits import late_to_route, routing_counts
from sotong.cases.views.office._common import (
    CASE_ROLES,
    CASES_PER_PAGE,
    QUEUE_TABS,
    _picker_departments,
    _staff,
    _user,
)
from sotong.core.business_calendar import business_calendar
from sotong.core.errors import DomainError
from sotong.core.models import PersonalDataAction
from sotong.core.privacy import log_personal_data_access

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _case_list(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("handling_department", "intake_department", "officer")


def state_condition(name: str, now: datetime) -> Q:
    """The office list's `state` filter: the counts of the situation board (insights.board.rollup), so that
    a board number drills down to exactly its cases (overdue: as of `now`)."""
    match name:
        case "answered":
            return Q(answered_at__isnull=False)
        case "open":
            return Q(status__in=OPEN_STATUSES)
        case "overdue":
            return Q(status__in=OPEN_STATUSES, deadline_at__lt=now)
        case "ping_pong":
            return Q(transfer_count__gte=PING_PONG_TRANSFERS)
        case "unreported":
            return Q(reports_missed=True)
    raise ValueError(name)


@dataclass
class Listing:
    """The case list as the filters, the queue tab and the department picker chose it."""

    form: f.QueueFilterForm
    cases: QuerySet[Case]
    departments: list[Department]
    department: Department | None
    current: Queue | None
    late_only: bool
    now: datetime


def _handling_departments(user: User) -> QuerySet[Department]:
    if user.has_role(Role.COORDINATOR, Role.SYSADMIN):
        return f.active_departments()
    return Department.objects.visible_to(user).filter(is_active=True)


def _listing(request: HttpRequest) -> Listing:
    user = _user(request)
    departments = _picker_departments(user)
    department = None
    if dept_id := request.GET.get("dept", ""):
        department = departments.filter(pk=dept_id).first() if dept_id.isdigit() else None
    name = request.GET.get("queue", "")
    current = Queue(name) if name in Queue.__members__.values() else None
    handling = _handling_departments(user)
    form = f.QueueFilterForm(request.GET or None, departments=departments, handling_departments=handling)
    # The picker and the filter's department lists from one query each (rendering only: a bound form
    # still validates against the queryset).
    picker = list(departments)
    department_field = cast(f.DepartmentField, form.fields["department"])
    department_field.choices = [
        ("", _("전체")),
        *((dept.pk, department_field.label_from_instance(dept)) for dept in picker),
    ]
    handling_field = cast(f.DepartmentField, form.fields["handling_department"])
    # Coordinators pick from every active department in both lists: the one query serves both.
    handling_choices = picker if user.has_role(Role.COORDINATOR, Role.SYSADMIN) else list(handling)
    handling_field.choices = [
        ("", _("전체")),
        *((dept.pk, handling_field.label_from_instance(dept)) for dept in handling_choices),
    ]
    cases = (
        queue(user, current, department=department) if current else _case_list(scoped_cases(user, department))
    )
    now = timezone.now()
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
        if handling_department := data["handling_department"]:
            if data["handling_subtree"]:
                subtree = Department.objects.subtree_of([handling_department]).values_list("pk", flat=True)
                cases = cases.filter(handling_department_id__in=list(subtree))
            else:
                cases = cases.filter(handling_department=handling_department)
        if data["state"]:
            cases = cases.filter(state_condition(data["state"], now))
    late_only = request.GET.get("routing") == "late"
    if late_only:
        late = late_to_route(scoped_cases(user, department), now, business_calendar())
        cases = cases.filter(pk__in=[case.pk for case in late])
    return Listing(form, cases, picker, department, current, late_only, now)


@_staff(*CASE_ROLES)
@require_http_methods(["GET"])
def case_queues(request: HttpRequest) -> HttpResponse:
    """업무 목록: queue tabs with counts for the chosen department, a filtered, searchable page of cases."""
    user = _user(request)
    listing = _listing(request)
    form, department, current, late_only = (
        listing.form,
        listing.department,
        listing.current,
        listing.late_only,
    )
    now, calendar = listing.now, business_calendar()
    page = Paginator(listing.cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    late_ids = {case.pk for case in page.object_list if actions.is_route_late(case, now, calendar)}
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
            "current_label": _("배정 지연")
            if late_only
            else (QUEUE_LABELS[current] if current else _("전체 민원")),
            "late_ids": late_ids,
            "late_only": late_only,
            "routing": routing_counts(scoped_cases(user, department), now, calendar)
            if user.has_role(Role.COORDINATOR)
            else None,
            "departments": listing.departments,
            "department": department,
            "bulk_form": f.BulkForm(cases=Case.objects.none()),
            "can_bulk": user.has_role(Role.COORDINATOR, Role.INTAKE, Role.HANDLER),
            "export_max": EXPORT_MAX_ROWS,
            # 상황판: the whole government's for coordinators, their own department's for its staff.
            "can_board": user.has_role(Role.COORDINATOR, Role.SYSADMIN, Role.INTAKE, Role.HANDLER),
        },
    )


EXPORT_MAX_ROWS = 10_000
EXPORT_FIELDS = "신청인(마스킹)"


def _export_rows(cases: QuerySet[Case]) -> Iterator[list[Any]]:
    yield [
        _("접수번호"),
        _("접수 시각"),
        _("제목"),
        _("종류"),
        _("접수 경로"),
        _("분야 코드"),
        _("행정동"),
        _("주관부서"),
        _("처리부서"),
        _("담당자"),
        _("처리기한"),
        _("답변 시각"),
        _("상태"),
        _("이송 횟수"),
        _("신청인(마스킹)"),
    ]

    def moment(value: datetime | None) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    for case in cases:
        yield [
            case.receipt_no,
            moment(case.received_at),
            case.title,
            case.get_kind_display(),
            case.get_channel_display(),
            case.category,
            case.dong,
            case.intake_department.name,
            case.handling_department.name if case.handling_department else "",
            case.officer.name if case.officer else "",
            moment(case.deadline_at),
            moment(case.answered_at),
            case.get_status_display(),
            case.transfer_count,
            case.masked_name,
        ]


@_staff(*CASE_ROLES)
@require_POST
def case_list_export(request: HttpRequest) -> HttpResponse:
    """목록 내려받기 (XLSX): the cases the list shows with the same filters (the query string), the
    applicant's name masked, after an access-log row (download, with the reason asked for on the page)."""
    back = f"{reverse('cases_office:queues')}?{request.GET.urlencode()}"
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("목록을 내려받으려면 사유를 입력해 주세요."))
        return redirect(back)
    listing = _listing(request)
    if listing.form.is_bound and not listing.form.is_valid():
        messages.error(request, _("검색 조건을 확인해 주세요."))
        return redirect(back)
    count = listing.cases.count()
    if count > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _("한 번에 %(max)s건까지 내려받을 수 있습니다. 조건을 좁혀 주세요 (지금 %(count)s건).")
            % {"max": f"{EXPORT_MAX_ROWS:,}", "count": f"{count:,}"},
        )
        return redirect(back)
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("민원 목록"))
    for row in _export_rows(listing.cases.order_by("-received_at", "-id")):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    log_personal_data_access(
        request,
        subject=("cases.Case", "*", _("민원 %(count)d건") % {"count": count}),
        action=PersonalDataAction.DOWNLOAD,
        fields=EXPORT_FIELDS,
        reason=reason,
        record_count=count,
        path="cases.list.xlsx",
    )
    stamp = timezone.localtime(listing.now).strftime("%Y%m%d-%H%M")
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.xlsx"'
    return response


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
    elif data["operation"] == "merge_receipt":
        representative = data["representative"]
        others = [case for case in cases if case.pk != representative.pk]
        try:
            actions.merge_at_receipt(representative, others, actor=user, reason=data["reason"])
        except DomainError as error:
            rows = [(case.receipt_no, False, error.message) for case in cases]
        else:
            rows = [(representative.receipt_no, True, _("대표 민원 (다수인관련민원)"))]
            rows += [
                (case.receipt_no, True, _("%(no)s에 병합") % {"no": representative.receipt_no})
                for case in others
            ]
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
