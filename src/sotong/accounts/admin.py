"""Admin for departments, staff and the role-grant history.

Every change goes through `sotong.accounts.actions` (so it writes an Event); role grants are read-only here
and are granted or revoked on the office page /accounts/staff/. The admin has no login form of its own:
it sends people to the staff login, so the same lockout and TOTP rule apply (TwoFactorRequiredMiddleware
covers /admin/).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sotong.accounts import actions as account_actions
from sotong.accounts.models import Department, RoleGrant, User


def _staff_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin's login URL: the staff login page (lockout, TOTP), then back to the admin."""
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect_to_login(next_url, reverse("accounts:login"))


admin.site.login = _staff_login  # type: ignore[method-assign]


def _actor(request: HttpRequest) -> User:
    """The signed-in member of staff (the admin only lets authenticated staff this far)."""
    return cast(User, request.user)


def _sysadmin(request: HttpRequest) -> bool:
    return request.user.has_perm("accounts.change_department")


class ActionAdminMixin:
    """Turns the domain error of an action into a Korean form error instead of a 500."""

    def _run(self, request: HttpRequest, call: Any) -> Any:
        try:
            return call()
        except account_actions.AccountsError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)  # type: ignore[attr-defined]
            return None


@admin.register(Department)
class DepartmentAdmin(ActionAdminMixin, admin.ModelAdmin):
    list_display = ["indented_name", "code", "level", "phone", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "name_en"]
    ordering = ["path"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    fields = ["code", "name", "name_en", "level", "parent", "phone", "sort_order", "is_active", "path"]
    readonly_fields = ["path"]

    @admin.display(description=_("부서명"), ordering="path")
    def indented_name(self, obj: Department) -> str:
        return format_html('<span style="padding-left:{}em">{}</span>', 1.5 * max(obj.depth, 0), obj.name)

    def get_readonly_fields(self, request: HttpRequest, obj: Department | None = None) -> list[str]:
        # The code is the department's identity in paths and other systems: fixed once created.
        return ["path", "code", "level"] if obj is not None else ["path"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.view_department")

    def has_view_permission(self, request: HttpRequest, obj: Department | None = None) -> bool:
        return request.user.has_perm("accounts.view_department", obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _sysadmin(request)

    def has_change_permission(self, request: HttpRequest, obj: Department | None = None) -> bool:
        return _sysadmin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Department | None = None) -> bool:
        return False  # departments are closed (사용 중지), never deleted: cases and grants point at them

    def save_model(self, request: HttpRequest, obj: Department, form: forms.ModelForm, change: bool) -> None:
        actor = _actor(request)
        data = form.cleaned_data
        if not change:
            created = account_actions.create_department(
                actor,
                code=data["code"],
                name=data["name"],
                name_en=data.get("name_en", ""),
                level=data["level"],
                parent=data.get("parent"),
                phone=data.get("phone", ""),
                sort_order=data.get("sort_order") or 0,
            )
            obj.pk = created.pk
            obj.path = created.path
            return
        current = Department.objects.get(pk=obj.pk)
        if "parent" in form.changed_data and data.get("parent") != current.parent:
            account_actions.move_department(
                actor, current, data.get("parent"), reason=str(_("관리자 화면에서 이동"))
            )  # type: ignore[arg-type]
        account_actions.update_department(
            actor,
            current,
            name=data["name"],
            name_en=data.get("name_en", ""),
            phone=data.get("phone", ""),
            sort_order=data.get("sort_order") or 0,
            is_active=data.get("is_active"),
        )

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except account_actions.AccountsError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponse(status=302, headers={"Location": request.get_full_path()})


class ActiveGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    fields = ["department", "role", "granted_at", "granted_by", "grant_reason", "revoked_at"]
    readonly_fields = ["department", "role", "granted_at", "granted_by", "grant_reason", "revoked_at"]
    extra = 0
    can_delete = False
    verbose_name_plural = _("역할 (부여·회수는 직원 권한 관리 화면에서)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("accounts.view_rolegrant")


class StaffCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "name", "department")


class DeactivateForm(ActionForm):
    reason = forms.CharField(label=_("사유"), required=False, max_length=200)


@admin.register(User)
class UserAdmin(ActionAdminMixin, DjangoUserAdmin):
    add_form = StaffCreationForm
    action_form = DeactivateForm
    list_display = ["username", "name", "department", "position", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "department__level"]
    list_select_related = ["department"]
    search_fields = ["username", "name", "email"]
    ordering = ["department__path", "name"]
    autocomplete_fields = ["department"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("직원 정보"), {"fields": ("name", "email", "department", "position", "office_phone")}),
        (_("계정 상태"), {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "name", "department", "password1", "password2")},
        ),
    )
    readonly_fields = ["is_active", "is_staff", "is_superuser", "last_login", "date_joined"]
    actions = ["deactivate", "reset_otp", "unlock"]

    def get_inlines(
        self, request: HttpRequest, obj: User | None
    ) -> list[type[admin.options.InlineModelAdmin]]:
        return [ActiveGrantInline] if obj is not None else []

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.view_user")

    def has_view_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return request.user.has_perm("accounts.view_user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.add_user")

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return request.user.has_perm("accounts.change_user")

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False  # accounts are deactivated, never deleted (the audit trail points at them)

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = account_actions.create_staff_user(
                _actor(request),
                username=data["username"],
                name=data["name"],
                department=data.get("department"),
                password=data.get("password1"),
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        account_actions.update_staff_user(
            _actor(request),
            obj,
            name=data.get("name"),
            email=data.get("email", ""),
            department=data.get("department"),
            position=data.get("position", ""),
            office_phone=data.get("office_phone", ""),
        )

    @admin.action(description=_("선택한 직원 계정 비활성화 (역할도 모두 회수)"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reason = request.POST.get("reason", "")
        done = 0
        for user in queryset:
            if self._run(request, lambda u=user: account_actions.deactivate_user(_actor(request), u, reason)):
                done += 1
        if done:
            self.message_user(request, _("%(count)d명의 계정을 비활성화했습니다.") % {"count": done})

    @admin.action(description=_("선택한 직원의 OTP 기기 초기화 (다음 로그인 때 다시 등록)"))
    def reset_otp(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reason = request.POST.get("reason", "")
        for user in queryset:
            self._run(request, lambda u=user: account_actions.reset_two_factor(_actor(request), u, reason))

    @admin.action(description=_("선택한 직원의 로그인 잠금 해제"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reason = request.POST.get("reason", "")
        for user in queryset:
            self._run(request, lambda u=user: account_actions.unlock_user(_actor(request), u, reason))


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """권한 부여·회수 이력 (read-only; kept 3 years)."""

    list_display = ["user", "department", "role", "granted_at", "granted_by", "revoked_at", "revoked_by"]
    list_filter = ["role", "revoked_at"]
    search_fields = ["user__username", "user__name", "department__name", "department__code"]
    list_select_related = ["user", "department", "granted_by", "revoked_by"]
    date_hierarchy = "granted_at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.view_rolegrant")

    def has_view_permission(self, request: HttpRequest, obj: RoleGrant | None = None) -> bool:
        return request.user.has_perm("accounts.view_rolegrant")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RoleGrant | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RoleGrant | None = None) -> bool:
        return False
