"""Role management in the office (권한 관리): staff by department, grant and revoke with a reason, history.

Coordinators and system administrators only (`accounts.manage_roles`); every change goes through
`sotong.accounts.actions`, which checks again who may grant what.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sotong.accounts import actions
from sotong.accounts.forms import GrantRoleForm, RevokeRoleForm, StaffFilterForm
from sotong.accounts.models import Department, RoleGrant, User

STAFF_PER_PAGE = 100
GRANTS_PER_PAGE = 50


def manages_roles(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    return login_required(permission_required("accounts.manage_roles", raise_exception=True)(view))


def _active_grants() -> Prefetch:
    return Prefetch(
        "role_grants",
        queryset=RoleGrant.objects.active().select_related("department").order_by("department__path", "role"),
        to_attr="active_grant_list",
    )


def _status_for(error: actions.AccountsError) -> int:
    return 403 if isinstance(error, actions.NotAllowed) else 400


@manages_roles
def staff_list(request: HttpRequest) -> HttpResponse:
    """직원 권한 현황: active staff grouped by department, each with the roles they hold."""
    form = StaffFilterForm(request.GET or None)
    staff = (
        User.objects.filter(is_active=True)
        .select_related("department")
        .prefetch_related(_active_grants())
        .order_by("department__path", "name", "username")
    )
    if form.is_valid():
        department: Department | None = form.cleaned_data["department"]
        if department is not None:
            staff = staff.filter(department__path__startswith=department.path)
        if query := form.cleaned_data["q"].strip():
            staff = staff.filter(Q(name__icontains=query) | Q(username__icontains=query))
        if role := form.cleaned_data["role"]:
            staff = staff.filter(pk__in=RoleGrant.objects.active().filter(role=role).values("user_id"))
    page = Paginator(staff, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/staff_list.html",
        {"form": form, "page": page, "staff": page.object_list, "query": query.urlencode()},
    )


def _detail_context(request: HttpRequest, staff_member: User, **forms: Any) -> dict[str, Any]:
    grants = (
        RoleGrant.objects.filter(user=staff_member)
        .select_related("department", "granted_by", "revoked_by")
        .order_by("-granted_at", "-pk")
    )
    return {
        "staff_member": staff_member,
        "active_grants": [g for g in grants if g.is_active],
        "past_grants": [g for g in grants if not g.is_active],
        "grant_form": forms.get("grant_form") or GrantRoleForm(actor=request.user),  # type: ignore[arg-type]
        "revoke_form": forms.get("revoke_form") or RevokeRoleForm(),
        "revoke_grant_id": forms.get("revoke_grant_id"),
        "may_grant_sysadmin": request.user.has_perm("accounts.grant_sysadmin"),
    }


@manages_roles
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staff_member = get_object_or_404(User.objects.select_related("department"), pk=pk)
    return render(request, "accounts/staff_detail.html", _detail_context(request, staff_member))


@require_POST
@manages_roles
def grant(request: HttpRequest, pk: int) -> HttpResponse:
    """역할 부여 (POST): calls `grant_role`; a refused grant comes back as a Korean message on the form."""
    staff_member = get_object_or_404(User, pk=pk)
    form = GrantRoleForm(request.POST, actor=request.user)  # type: ignore[arg-type]
    status = 400
    if form.is_valid():
        try:
            new_grant = actions.grant_role(
                request.user,  # type: ignore[arg-type]
                staff_member,
                form.cleaned_data["department"],
                form.cleaned_data["role"],
                form.cleaned_data["reason"],
            )
        except actions.AccountsError as exc:
            form.add_error(None, exc.message)
            status = _status_for(exc)
        else:
            messages.success(
                request,
                _("%(name)s님에게 %(department)s %(role)s 역할을 부여했습니다.")
                % {
                    "name": staff_member,
                    "department": new_grant.department.name,
                    "role": new_grant.get_role_display(),
                },
            )
            return redirect("accounts:staff_detail", pk=staff_member.pk)
    context = _detail_context(request, staff_member, grant_form=form)
    return render(request, "accounts/staff_detail.html", context, status=status)


@require_POST
@manages_roles
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """역할 회수 (POST): calls `revoke_role` with the reason given."""
    role_grant = get_object_or_404(RoleGrant.objects.select_related("user", "department"), pk=pk)
    staff_member = role_grant.user
    form = RevokeRoleForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            actions.revoke_role(request.user, role_grant, form.cleaned_data["reason"])  # type: ignore[arg-type]
        except actions.AccountsError as exc:
            form.add_error(None, exc.message)
            status = _status_for(exc)
        else:
            messages.success(
                request,
                _("%(name)s님의 %(department)s %(role)s 역할을 회수했습니다.")
                % {
                    "name": staff_member,
                    "department": role_grant.department.name,
                    "role": role_grant.get_role_display(),
                },
            )
            return redirect("accounts:staff_detail", pk=staff_member.pk)
    context = _detail_context(request, staff_member, revoke_form=form, revoke_grant_id=role_grant.pk)
    return render(request, "accounts/staff_detail.html", context, status=status)


@manages_roles
def grant_history(request: HttpRequest) -> HttpResponse:
    """권한 부여·회수 이력: every grant with who granted and revoked it, when and why (kept 3 years)."""
    grants = RoleGrant.objects.select_related("user", "department", "granted_by", "revoked_by").order_by(
        "-granted_at", "-pk"
    )
    page = Paginator(grants, GRANTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/grant_history.html", {"page": page, "grants": page.object_list})
