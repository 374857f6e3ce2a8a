"""The queue page (tabs, filters, search, paging, 배정 지연 and the coordinator's late-routing count) and
bulk actions on the cases ticked there (merge at receipt among them)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sotong.accounts.models import Role
from sotong.cases import actions
from sotong.cases import forms_office as f
from sotong.cases.models import (
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
    # The picker and the filter's department list from one query (rendering only: a bound form still
    # validates against the queryset).
    picker = list(departments)
    department_field = cast(f.DepartmentField, form.fields["department"])
    department_field.choices = [
        ("", _("전체")),
        *((dept.pk, department_field.label_from_instance(dept)) for dept in picker),
    ]
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
    now, calendar = timezone.now(), business_calendar()
    late_only = request.GET.get("routing") == "late"
    if late_only:
        late = late_to_route(scoped_cases(user, department), now, calendar)
        cases = cases.filter(pk__in=[case.pk for case in late])
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
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
            "departments": picker,
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
