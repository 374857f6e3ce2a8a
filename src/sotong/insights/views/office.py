"""Staff side: the live suggestion panel of the intake form (similar cases, departments, answers)."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sotong.accounts.models import Role, User
from sotong.cases.models import Case
from sotong.insights.errors import InsightsError
from sotong.insights.suggestions import Insight, for_staff_text

STAFF_ROLES = (Role.COORDINATOR, Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER, Role.SYSADMIN)


@login_required
@require_GET
def intake_suggestions(request: HttpRequest) -> HttpResponse:
    """처리부서 추천 and 유사민원 for the text typed on the intake form (an HTML fragment)."""
    user = cast(User, request.user)
    if not user.has_role(*STAFF_ROLES):
        raise PermissionDenied(_("민원 업무 권한이 없습니다."))
    error = ""
    try:
        insight = for_staff_text(
            request.GET.get("title", ""), request.GET.get("body", ""), Case.objects.visible_to(user)
        )
    except InsightsError as exc:
        insight, error = Insight(), exc.message
    return render(request, "insights/office/_suggestions.html", {"insight": insight, "error": error})
