"""Forms of the login, two-factor and role-management pages (KRDS input classes)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sotong.accounts.models import Department, Role, User


class StaffAuthenticationForm(AuthenticationForm):
    """직원 로그인: username and password, with a Korean message that names the lockout rule."""

    error_messages = {
        "invalid_login": _(
            "아이디 또는 비밀번호가 올바르지 않습니다. %(limit)s회 연속으로 틀리면 계정이 %(minutes)s분 동안 잠깁니다."
        ),
        "inactive": _("사용이 중지된 계정입니다. 시스템 관리자에게 문의해 주세요."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("아이디")
        self.fields["username"].widget.attrs.update(
            {"class": "krds-input", "autocomplete": "username", "autocapitalize": "none"}
        )
        self.fields["password"].label = _("비밀번호")
        self.fields["password"].widget.attrs.update(
            {"class": "krds-input", "autocomplete": "current-password"}
        )

    def get_invalid_login_error(self) -> ValidationError:
        return ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={
                "limit": settings.AXES_FAILURE_LIMIT,
                "minutes": int(float(settings.AXES_COOLOFF_TIME or 0) * 60),
            },
        )


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("인증번호 6자리"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "class": "krds-input",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
            }
        ),
        error_messages={"required": _("인증번호를 입력해 주세요.")},
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise ValidationError(_("인증번호는 숫자만 입력해 주세요."))
        return token


class DepartmentChoiceField(forms.ModelChoiceField):
    """Departments in tree order, indented by level, with their code (one query, no ancestors)."""

    def label_from_instance(self, obj: Any) -> str:
        indent = "\u00a0" * 3 * max(obj.depth, 0)
        return f"{indent}{obj.name} ({obj.code})"


class ReasonField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("사유"))
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("error_messages", {"required": _("사유를 입력해 주세요.")})
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "krds-input"}))
        super().__init__(**kwargs)


class GrantRoleForm(forms.Form):
    """역할 부여: department, role and the reason that goes into the history."""

    department = DepartmentChoiceField(
        label=_("부서"),
        queryset=Department.objects.none(),
        empty_label=_("부서 선택"),
        widget=forms.Select(attrs={"class": "krds-form-select"}),
        error_messages={
            "required": _("부서를 선택해 주세요."),
            "invalid_choice": _("부서를 다시 선택해 주세요."),
        },
    )
    role = forms.ChoiceField(
        label=_("역할"),
        choices=Role.choices,
        widget=forms.Select(attrs={"class": "krds-form-select"}),
        error_messages={
            "required": _("역할을 선택해 주세요."),
            "invalid_choice": _("역할을 다시 선택해 주세요."),
        },
    )
    reason = ReasonField()

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department_field = self.fields["department"]
        assert isinstance(department_field, forms.ModelChoiceField)
        department_field.queryset = Department.objects.active()
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        if not actor.has_perm("accounts.grant_sysadmin"):
            role_field.choices = [c for c in Role.choices if c[0] != Role.SYSADMIN]


class RevokeRoleForm(forms.Form):
    reason = ReasonField()


class StaffFilterForm(forms.Form):
    department = DepartmentChoiceField(
        label=_("부서"),
        queryset=Department.objects.active(),
        required=False,
        empty_label=_("전체 부서"),
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    q = forms.CharField(
        label=_("이름 또는 아이디"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"class": "krds-input", "type": "search"}),
    )
    role = forms.ChoiceField(
        label=_("역할"),
        required=False,
        choices=[("", _("전체 역할")), *Role.choices],
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
