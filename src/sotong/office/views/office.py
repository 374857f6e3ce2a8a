from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sotong.accounts.models import RoleGrant, User
from sotong.office.navigation import build_office_menu


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """업무 홈: the signed-in user's department and role grants; later issues add their counts here."""
    user = cast(User, request.user)  # login_required
    grants = (
        RoleGrant.objects.active()
        .filter(user=user)
        .select_related("department")
        .order_by("department__path", "role")
    )
    department = user.department
    shortcuts = [link for link in build_office_menu(user, request.path) if not link.current]
    return render(
        request,
        "office/home.html",
        {
            "grants": grants,
            "department_path": department.full_name() if department else "",
            "shortcuts": shortcuts,
        },
    )
