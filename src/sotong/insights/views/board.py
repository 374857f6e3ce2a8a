"""상황판 (situation board) for the coordinator and the system administrator, read from the rollups."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from sotong.accounts.models import Role, User
from sotong.insights.board.read import Board, board
from sotong.insights.board.rollup import seoul_today

BOARD_ROLES = (Role.COORDINATOR, Role.SYSADMIN)
DEFAULT_DAYS = 30
MAX_DAYS = 366 * 3


class PeriodForm(forms.Form):
    received_from = forms.DateField(
        label=gettext_lazy("접수일(부터)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=gettext_lazy("접수일(까지)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("received_from"), data.get("received_to")
        if first and last and last < first:
            self.add_error("received_to", gettext_lazy("끝나는 날이 시작하는 날보다 앞섭니다."))
        elif first and last and (last - first).days >= MAX_DAYS:
            self.add_error("received_to", gettext_lazy("기간은 3년을 넘을 수 없습니다."))
        return data


def _period(form: PeriodForm, today: date) -> tuple[date, date]:
    default_first = today - timedelta(days=DEFAULT_DAYS - 1)
    if not form.is_bound or not form.is_valid():
        return default_first, today
    last = form.cleaned_data["received_to"] or today
    first = form.cleaned_data["received_from"] or min(default_first, last - timedelta(days=DEFAULT_DAYS - 1))
    return first, last


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
    return charts


@login_required
@require_GET
def situation_board(request: HttpRequest) -> HttpResponse:
    """상황판: volumes by channel, kind, category and department and the on-time rate per department."""
    user = cast(User, request.user)
    if not user.has_role(*BOARD_ROLES):
        raise PermissionDenied(_("상황판을 볼 권한이 없습니다."))
    form = PeriodForm(request.GET or None)
    first, last = _period(form, seoul_today())
    data = board(first, last)
    sections = [
        ("channel", _("접수 경로별 접수 건수"), _("접수 경로")),
        ("kind", _("민원 종류별 접수 건수"), _("종류")),
        ("category", _("분야별 접수 건수"), _("분야")),
        ("department", _("처리부서별 접수 건수"), _("처리부서")),
        ("dong", _("행정동별 접수 건수"), _("행정동")),
    ]
    return render(
        request,
        "insights/office/board.html",
        {
            "form": form,
            "board": data,
            "sections": [(key, heading, title, data.breakdowns[key]) for key, heading, title in sections],
            "departments": data.breakdowns["department"],
            "charts": _charts(data),
        },
    )
