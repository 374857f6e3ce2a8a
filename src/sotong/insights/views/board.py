"""상황판 (situation board), read from the rollups: the whole government for the coordinator and the system
administrator (who may also open any bureau's or department's board), and a department's own board (with
its subtree) for the staff who handle its cases (주관·처리 roles granted there or above). Exports: the
board as XLSX (one sheet per breakdown) and the monthly report as PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from sotong.accounts.models import Department, Role, User
from sotong.insights.alerts.read import board_alerts
from sotong.insights.board.exports import board_workbook
from sotong.insights.board.read import Board, board
from sotong.insights.board.report import ReportError, monthly_report_pdf
from sotong.insights.board.rollup import seoul_today
from sotong.insights.views.periods import PeriodForm

BOARD_ROLES = (Role.COORDINATOR, Role.SYSADMIN)
# 부서 상황판: the staff who handle a department's cases (the case queues' department roles) see the board
# of the departments where they hold one of these roles, with everything below them.
DEPARTMENT_BOARD_ROLES = (Role.INTAKE, Role.HANDLER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MonthForm(forms.Form):
    month = forms.RegexField(
        label=gettext_lazy("보고 월"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": gettext_lazy("보고 월은 2026-05처럼 연-월로 입력해 주세요.")},
        widget=forms.TextInput(attrs={"type": "month"}),
    )


@dataclass(frozen=True)
class Access:
    """Which boards a user may open: every one (`departments` None) or those of `departments`."""

    scope: Department | None
    departments: list[Department]
    whole: bool


def _allowed_departments(user: User) -> QuerySet[Department]:
    return (
        Department.objects.with_roles(user, *DEPARTMENT_BOARD_ROLES).filter(is_active=True).order_by("path")
    )


def board_access(request: HttpRequest) -> Access:
    """The scope asked for (`dept`), checked against the user's roles; 403 when it is not theirs."""
    user = cast(User, request.user)
    dept_id = request.GET.get("dept", "")
    if dept_id and not dept_id.isdigit():
        raise Http404
    if user.has_role(*BOARD_ROLES):
        departments = list(Department.objects.active().order_by("path"))
        scope = next((d for d in departments if str(d.pk) == dept_id), None) if dept_id else None
        if dept_id and scope is None:
            raise Http404
        return Access(scope, departments, whole=True)
    if not user.has_role(*DEPARTMENT_BOARD_ROLES):
        raise PermissionDenied(_("상황판을 볼 권한이 없습니다."))
    departments = list(_allowed_departments(user))
    if dept_id:
        scope = next((d for d in departments if str(d.pk) == dept_id), None)
        if scope is None:
            raise PermissionDenied(_("이 부서의 상황판을 볼 권한이 없습니다."))
    else:
        # The highest department where the role was granted (a bureau head lands on the bureau).
        granted = set(user.departments_with(*DEPARTMENT_BOARD_ROLES))
        scope = next((d for d in departments if d.pk in granted), None)
        if scope is None:
            raise PermissionDenied(_("상황판을 볼 권한이 없습니다."))
    return Access(scope, departments, whole=False)


def _charts(data: Board) -> dict[str, dict[str, Any]]:
    charts: dict[str, dict[str, Any]] = {}
    for name, rows in data.breakdowns.items():
        charts[name] = {"labels": [row.label for row in rows], "values": [row.received for row in rows]}
    departments = [row for row in data.breakdowns["department"] if row.on_time_rate is not None]
    charts["on_time"] = {
        "labels": [row.label for row in departments],
        "values": [row.on_time_rate for row in departments],
        "percent": True,
    }
    speed = [row for row in data.breakdowns["department"] if row.speed_index is not None]
    charts["speed"] = {"labels": [row.label for row in speed], "values": [row.speed_index for row in speed]}
    total = data.total
    charts["status"] = {
        "labels": [_("처리중"), _("지연"), _("핑퐁"), _("미보고")],
        "values": [total.open_count, total.overdue_open, total.ping_pong, total.unreported],
    }
    charts["trend"] = {
        "line": True,
        "labels": [point.label for point in data.trend],
        "series": [
            {"name": _("접수"), "values": [point.received for point in data.trend]},
            {"name": _("답변"), "values": [point.answered for point in data.trend]},
            {"name": _("지연"), "values": [point.overdue_open for point in data.trend]},
        ],
    }
    return charts


SECTIONS = (
    ("channel", gettext_lazy("접수 경로별 접수 건수"), gettext_lazy("접수 경로")),
    ("kind", gettext_lazy("민원 종류별 접수 건수"), gettext_lazy("종류")),
    ("category", gettext_lazy("분야별 접수 건수"), gettext_lazy("분야")),
    ("department", gettext_lazy("처리부서별 접수 건수"), gettext_lazy("처리부서")),
    ("dong", gettext_lazy("행정동별 접수 건수"), gettext_lazy("행정동")),
)


def _scope_query(access: Access) -> str:
    return f"dept={access.scope.pk}" if access.scope is not None else ""


@login_required
@require_GET
def situation_board(request: HttpRequest) -> HttpResponse:
    """상황판: volumes by channel, kind, category, department, dong and day; open, overdue, ping-pong and
    unreported; on-time rate, speed index and satisfaction per department and for the whole government."""
    access = board_access(request)
    form = PeriodForm(request.GET or None)
    first, last = form.period(seoul_today())
    data = board(first, last, access.scope)
    query = request.GET.copy()
    return render(
        request,
        "insights/office/board.html",
        {
            "form": form,
            "board": data,
            "access": access,
            "sections": [(key, heading, title, data.breakdowns[key]) for key, heading, title in SECTIONS],
            "departments": data.breakdowns["department"],
            "charts": _charts(data),
            "query": query.urlencode(),
            "scope_query": _scope_query(access),
            "picker": [(dept.pk, "· " * dept.depth + dept.name) for dept in access.departments],
            "month_form": MonthForm(initial={"month": f"{last:%Y-%m}"}),
            # Surges and safety flags are the whole government's: shown on its board only.
            "alerts": board_alerts(first, last) if access.scope is None else None,
        },
    )


@login_required
@require_GET
def board_export(request: HttpRequest) -> HttpResponse:
    """상황판 내려받기 (XLSX): the board as shown (period and scope), one sheet per breakdown; figures only."""
    access = board_access(request)
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("기간을 확인해 주세요."))
        return redirect(f"{reverse('insights_office:board')}?{request.GET.urlencode()}")
    first, last = form.period(seoul_today())
    data = board(first, last, access.scope)
    response = HttpResponse(board_workbook(data), content_type=XLSX)
    suffix = f"-{access.scope.code}" if access.scope is not None else ""
    response["Content-Disposition"] = (
        f'attachment; filename="board{suffix}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"'
    )
    return response


@login_required
@require_GET
def monthly_report(request: HttpRequest) -> HttpResponse:
    """월간 민원 보고서 (PDF): the month's totals, breakdowns, on-time rate, speed index and satisfaction."""
    access = board_access(request)
    form = MonthForm(request.GET)
    back = f"{reverse('insights_office:board')}?{_scope_query(access)}"
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors.get("month", [])))
        return redirect(back)
    year, month = (int(part) for part in form.cleaned_data["month"].split("-"))
    try:
        pdf = monthly_report_pdf(year, month, access.scope)
    except ReportError as error:
        messages.error(request, error.message)
        return redirect(back)
    response = HttpResponse(pdf, content_type="application/pdf")
    suffix = f"-{access.scope.code}" if access.scope is not None else ""
    response["Content-Disposition"] = f'attachment; filename="report{suffix}-{year}{month:02d}.pdf"'
    return response
