"""Registering a case by staff from any channel, and bulk import of meeting proposals (xlsx/csv)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sotong.accounts.models import Department, Role, User, departments_for
from sotong.cases import actions, imports
from sotong.cases import forms_office as f
from sotong.cases.models import (
    MEETING_CHANNELS,
    Case,
)
from sotong.cases.views.office._common import (
    IMPORT_ROLES,
    INTAKE_ROLES,
    _staff,
    _user,
)
from sotong.core.errors import DomainError


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
