"""급증 목록, 안전 위험 민원 지도 and the keyword list (staff pages of the alerts)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sotong.accounts.models import Role, User
from sotong.insights.alerts import actions
from sotong.insights.alerts.read import flags_for, map_points, recent_surges
from sotong.insights.board.rollup import seoul_today
from sotong.insights.errors import InsightsError
from sotong.insights.models_alerts import SafetyFlag, SafetyFlagStatus, SafetyTerm, SurgeDimension
from sotong.insights.views.periods import PeriodForm

SURGE_ROLES = (Role.COORDINATOR, Role.SYSADMIN)
MAP_ROLES = (Role.COORDINATOR, Role.SYSADMIN, Role.HANDLER, Role.INTAKE)


def _user(request: HttpRequest, *roles: str, message: str) -> User:
    user = cast(User, request.user)
    if not user.has_role(*roles):
        raise PermissionDenied(message)
    return user


class SurgeFilterForm(PeriodForm):
    dimension = forms.ChoiceField(
        label=gettext_lazy("구분"),
        required=False,
        choices=[("", gettext_lazy("전체")), *SurgeDimension.choices],
    )


@login_required
@require_GET
def surges(request: HttpRequest) -> HttpResponse:
    """급증 목록: the surges of the period, each with a link to its cases."""
    _user(request, *SURGE_ROLES, message=_("급증 목록을 볼 권한이 없습니다."))
    form = SurgeFilterForm(request.GET or None)
    first, last = form.period(seoul_today())
    dimension = form.cleaned_data.get("dimension", "") if form.is_bound and form.is_valid() else ""
    return render(
        request,
        "insights/office/surges.html",
        {"form": form, "first": first, "last": last, "rows": recent_surges(first, last, dimension)},
    )


class SafetyFilterForm(PeriodForm):
    status = forms.ChoiceField(
        label=gettext_lazy("상태"),
        required=False,
        choices=[("", gettext_lazy("전체")), *SafetyFlagStatus.choices],
    )


@login_required
@require_GET
def safety_map(request: HttpRequest) -> HttpResponse:
    """안전 위험 민원 지도: flagged cases on a Leaflet map, the same cases in the table beside it."""
    user = _user(request, *MAP_ROLES, message=_("안전 위험 민원을 볼 권한이 없습니다."))
    form = SafetyFilterForm(request.GET or None)
    first, last = form.period(seoul_today())
    status = form.cleaned_data.get("status", "") if form.is_bound and form.is_valid() else ""
    rows = flags_for(user, first, last, status)
    return render(
        request,
        "insights/office/safety_map.html",
        {
            "form": form,
            "first": first,
            "last": last,
            "rows": rows,
            "points": map_points(rows),
            "unplaced": sum(1 for row in rows if not row.placement),
            "approximate": sum(1 for row in rows if row.placement == "dong"),
            "map_config": {
                "tileUrl": settings.SOTONG_MAP_TILE_URL,
                "center": list(settings.SOTONG_MAP_CENTER),
            },
            "may_manage_terms": actions.may_manage_terms(user),
            "back": request.get_full_path(),
        },
    )


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@login_required
@require_POST
def safety_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm or dismiss one flag (POST status=confirmed|dismissed)."""
    user = _user(request, *MAP_ROLES, message=_("안전 위험 민원을 볼 권한이 없습니다."))
    flag = get_object_or_404(SafetyFlag.objects.select_related("case"), pk=pk)
    try:
        actions.decide_flag(user, flag, request.POST.get("status", ""))
    except InsightsError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(receipt)s: %(status)s(으)로 판단했습니다.")
            % {"receipt": flag.case.receipt_no, "status": SafetyFlagStatus(request.POST["status"]).label},
        )
    return redirect(_back(request, reverse("insights_office:safety")))


class TermForm(forms.Form):
    term = forms.CharField(
        label=gettext_lazy("새 핵심어"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "예: 가스 누출. 띄어쓰기는 무시하고 찾습니다. 새로 접수되는 민원부터 적용됩니다."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def safety_terms(request: HttpRequest) -> HttpResponse:
    """안전 위험 핵심어 관리: add a term (POST), see every term with its switch and delete buttons."""
    user = _user(request, *actions.TERM_MANAGERS, message=_("핵심어를 관리할 권한이 없습니다."))
    form = TermForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            term = actions.add_term(user, form.cleaned_data["term"])
        except InsightsError as exc:
            form.add_error("term", exc.message)
            status = 400
        else:
            messages.success(request, _("핵심어를 추가했습니다: %(term)s") % {"term": term.term})
            return redirect("insights_office:safety_terms")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "insights/office/safety_terms.html",
        {"form": form, "terms": SafetyTerm.objects.order_by("-is_active", "term")},
        status=status,
    )


@login_required
@require_POST
def safety_term_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch a term on or off, or remove it (POST action=on|off|remove)."""
    user = _user(request, *actions.TERM_MANAGERS, message=_("핵심어를 관리할 권한이 없습니다."))
    term = get_object_or_404(SafetyTerm, pk=pk)
    action = request.POST.get("action", "")
    if action == "remove":
        actions.remove_term(user, term)
        messages.success(request, _("핵심어를 삭제했습니다: %(term)s") % {"term": term.term})
    elif action in ("on", "off"):
        actions.set_term_active(user, term, action == "on")
        message = (
            _("핵심어를 다시 사용합니다: %(term)s")
            if action == "on"
            else _("핵심어를 중지했습니다: %(term)s")
        )
        messages.success(request, message % {"term": term.term})
    else:
        messages.error(request, _("알 수 없는 요청입니다."))
        return redirect("insights_office:safety_terms")
    return redirect("insights_office:safety_terms")
