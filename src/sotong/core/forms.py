"""What every citizen form shares: KRDS widgets and error marks, the consent answers, and the contact
fields (name, mobile, e-mail) with their Korean messages. The cases portal and the registry's sign-up
build their forms from these, so both read and behave the same."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sotong.messaging.text import normalize_mobile

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

AGREE, DISAGREE = "agree", "disagree"
AGREE_CHOICES = [(AGREE, _("동의함")), (DISAGREE, _("동의안함"))]


class KrdsFormMixin:
    """KRDS input classes, and aria-invalid / aria-describedby pointing at the hint and the error."""

    fields: dict[str, forms.Field]
    errors: Any
    auto_id: Any

    def _krds_widgets(self) -> None:
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput | forms.CheckboxSelectMultiple):
                continue
            css = "krds-form-select" if isinstance(widget, forms.Select) else "krds-input"
            widget.attrs.setdefault("class", css)
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}_hint"

    def mark_errors(self) -> None:
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            described = [f"id_{name}_error"]
            if self.fields[name].help_text:
                described.insert(0, f"id_{name}_hint")
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = " ".join(described)


class PortalForm(KrdsFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._krds_widgets()

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound:
            self.mark_errors()


class PhoneCodeForm(PortalForm):
    code = forms.CharField(
        label=_("인증번호 6자리"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
        error_messages={"required": _("문자로 받은 인증번호 6자리를 입력해 주세요.")},
    )


def name_field() -> forms.CharField:
    """이름: required, at most 50 characters."""
    return forms.CharField(
        label=_("이름"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": _("이름을 입력해 주세요."),
            "max_length": _("이름은 50자 이내로 입력해 주세요."),
        },
    )


def mobile_field(help_text: StrOrPromise, *, required: bool = True) -> forms.CharField:
    """휴대전화 번호 as typed (hyphens and spaces accepted); clean it with `clean_mobile`."""
    return forms.CharField(
        label=_("휴대전화 번호"),
        required=required,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
        error_messages={"required": _("휴대전화 번호를 입력해 주세요.")},
    )


def clean_mobile(value: str | None) -> str:
    """The mobile number as digits ("" when empty), or a Korean `ValidationError`."""
    value = (value or "").strip()
    if not value:
        return ""
    digits = normalize_mobile(value)
    if digits is None:
        raise ValidationError(_("휴대전화 번호를 확인해 주세요. 예: 010-1234-5678"), code="invalid_phone")
    return digits


def email_field(
    label: StrOrPromise,
    help_text: StrOrPromise,
    *,
    invalid: StrOrPromise,
    required_message: StrOrPromise | None = None,
) -> forms.EmailField:
    """An e-mail address field; required when `required_message` is given."""
    messages = {"invalid": invalid}
    if required_message is not None:
        messages["required"] = required_message
    return forms.EmailField(
        label=label,
        required=required_message is not None,
        max_length=254,
        help_text=help_text,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=messages,
    )
