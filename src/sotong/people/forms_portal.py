"""Forms of the citizen pages of the registry: 전자소통 가입 (details, consent) and self-service.

The KRDS widgets, the error marks, the phone-code form and the contact fields are the shared ones of
`core.forms`, as in the cases portal, so both services read and behave the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from sotong.core.forms import (
    AGREE,
    AGREE_CHOICES,
    PhoneCodeForm,
    PortalForm,
    clean_mobile,
    email_field,
    mobile_field,
    name_field,
)
from sotong.people.cleaning import (
    DONG_CODE_GROUP,
    clean_birth_year,
    clean_name,
    looks_like_resident_number,
)
from sotong.people.errors import PeopleError
from sotong.people.models import ConsentPurpose, Gender

__all__ = [
    "ChannelsForm",
    "ConsentNotice",
    "DetailsForm",
    "EmailLinkForm",
    "PhoneCodeForm",
    "SignupConsentForm",
    "SignupForm",
    "VerifyPhoneForm",
    "signup_notices",
]

# The purposes offered on the sign-up page, in order: the first is the service itself ([필수]), the
# others optional; an advertising purpose is shown apart and flagged.
SIGNUP_PURPOSES = ("e_sotong", "committee", "advertising")
REQUIRED_PURPOSE = "e_sotong"

_PURPOSE_TEXT: dict[str, Any] = {
    "e_sotong": _(
        "구정 소식, 정책 의견 조사, 공청회·설명회 안내 등 전자소통 정책정보를 문자·전자우편으로 보내 드리기 위해"
    ),
    "committee": _("구 위원회 위원 공개 모집과 위원회 운영 참여 안내를 보내 드리기 위해"),
    "advertising": _("구가 주최하거나 후원하는 행사·축제, 할인·이벤트 등 광고성 정보를 보내 드리기 위해"),
}
_GENDER_CHOICES = [("", _("선택 안 함")), *Gender.choices]


@dataclass(frozen=True)
class ConsentNotice:
    """One purpose on the consent page (개인정보 보호법 §15·§22): what, which items, how long, the right
    to refuse and what refusing means; its own 동의함/동의안함."""

    key: str
    required: bool
    advertising: bool
    title: str
    purpose: str
    items: str
    retention: str
    refusal: str


def signup_notices() -> list[ConsentNotice]:
    """The consent notices of the sign-up, from the active `ConsentPurpose` rows (one query)."""
    found = {p.code: p for p in ConsentPurpose.objects.filter(code__in=SIGNUP_PURPOSES, is_active=True)}
    notices = []
    for code in SIGNUP_PURPOSES:
        purpose = found.get(code)
        if purpose is None:
            continue
        required = code == REQUIRED_PURPOSE
        if required:
            refusal = _g(
                "동의하지 않을 수 있습니다. 다만 동의하지 않으면 전자소통에 가입할 수 없고 정책정보를 받을 수 없습니다."
            )
        else:
            refusal = _g(
                "동의하지 않아도 전자소통에 가입할 수 있습니다. 동의하지 않으면 이 목적의 안내만 보내지 않습니다."
            )
        notices.append(
            ConsentNotice(
                key=code,
                required=required,
                advertising=purpose.is_advertising,
                title=_g("%(name)s을(를) 위한 개인정보 수집·이용") % {"name": purpose.name},
                purpose=purpose.description or str(_PURPOSE_TEXT.get(code, purpose.name)),
                items=purpose.items,
                retention=_g(
                    "동의한 날부터 %(months)d개월 또는 동의를 철회할 때까지 (기간이 지나거나 철회하면 지체 없이 파기)"
                )
                % {"months": purpose.retention_months},
                refusal=refusal,
            )
        )
    return notices


def _dong_field() -> forms.Field:
    from sotong.core.codes import code_choices

    names = [name for _code, name in code_choices(DONG_CODE_GROUP)]
    if names:
        return forms.ChoiceField(
            label=_("행정동"),
            required=False,
            choices=[("", _("선택 안 함")), *((name, name) for name in names)],
            error_messages={"invalid_choice": _("행정동을 목록에서 골라 주세요.")},
        )
    return forms.CharField(
        label=_("행정동"),
        required=False,
        max_length=40,
        help_text=_("선택. 예: 왕십리도선동"),
        widget=forms.TextInput(attrs={"autocomplete": "address-level3"}),
        error_messages={"max_length": _("행정동은 %(limit_value)d자 이내로 입력해 주세요.")},
    )


class DetailsForm(PortalForm):
    """Name and the optional details (성별, 출생연도, 행정동, 직업): sign-up and self-service share it."""

    name = name_field()
    gender = forms.ChoiceField(
        label=_("성별"),
        required=False,
        choices=_GENDER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("성별을 다시 골라 주세요.")},
    )
    birth_year = forms.CharField(
        label=_("출생연도"),
        required=False,
        max_length=20,
        help_text=_("선택. 네 자리 연도 (예: 1985). 연령대별 통계에만 씁니다."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"}),
        error_messages={"max_length": _("출생연도는 네 자리 연도로 입력해 주세요 (예: 1985).")},
    )
    occupation = forms.CharField(
        label=_("직업"),
        required=False,
        max_length=100,
        help_text=_("선택. 예: 회사원, 자영업, 교사"),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        error_messages={"max_length": _("직업은 %(limit_value)d자 이내로 입력해 주세요.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dong"] = _dong_field()
        self._krds_widgets()
        # The details come in this order on the page.
        order = ["name", "mobile", "email", "gender", "birth_year", "dong", "occupation"]
        self.order_fields([name for name in order if name in self.fields])

    def clean_name(self) -> str:
        try:
            return clean_name(self.cleaned_data["name"])
        except PeopleError as error:
            raise ValidationError(error.message) from None

    def clean_birth_year(self) -> int | None:
        value = self.cleaned_data.get("birth_year") or ""
        if looks_like_resident_number(value):
            raise ValidationError(_("주민등록번호는 받지 않습니다. 출생연도 네 자리만 입력해 주세요."))
        try:
            return clean_birth_year(value)
        except PeopleError as error:
            raise ValidationError(error.message) from None

    def clean_occupation(self) -> str:
        return " ".join(self.cleaned_data.get("occupation", "").split())


class SignupForm(DetailsForm):
    """가입 1단계 정보 입력: name, mobile and/or e-mail, the optional details, and how to be reached."""

    mobile = mobile_field(
        _("숫자만 또는 010-1234-5678처럼 입력해 주세요. 문자로 받은 인증번호로 본인 번호인지 확인합니다."),
        required=False,
    )
    email = email_field(
        _("전자우편 주소"),
        _("휴대전화 번호가 없으면 전자우편으로 보내는 확인 링크로 가입을 마칩니다."),
        invalid=_("전자우편 주소를 확인해 주세요. 예: hong@example.com"),
    )
    sms = forms.BooleanField(label=_("문자(SMS)"), required=False)
    email_channel = forms.BooleanField(label=_("전자우편"), required=False)

    def clean_mobile(self) -> str:
        return clean_mobile(self.cleaned_data.get("mobile"))

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        contacts_ok = not (self.has_error("mobile") or self.has_error("email"))
        if contacts_ok and not data.get("mobile") and not data.get("email"):
            self.add_error("mobile", _("휴대전화 번호나 전자우편 주소 중 하나는 입력해 주세요."))
            return data
        if not data.get("sms") and not data.get("email_channel"):
            self.add_error("sms", _("받을 방법(문자 또는 전자우편)을 하나 이상 골라 주세요."))
        if data.get("sms") and not data.get("mobile") and not self.has_error("mobile"):
            self.add_error("mobile", _("문자로 받으려면 휴대전화 번호를 입력해 주세요."))
        if data.get("email_channel") and not data.get("email") and not self.has_error("email"):
            self.add_error("email", _("전자우편으로 받으려면 전자우편 주소를 입력해 주세요."))
        return data


class SignupConsentForm(PortalForm):
    """가입 2단계 개인정보 동의: "모두 동의합니다" plus each purpose with 동의함/동의안함."""

    agree_all = forms.BooleanField(label=_("모두 동의합니다."), required=False)

    def __init__(self, *args: Any, notices: list[ConsentNotice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notices = notices
        for notice in notices:
            self.fields[notice.key] = forms.ChoiceField(
                label=notice.title, choices=AGREE_CHOICES, widget=forms.RadioSelect, required=False
            )

    def items(self) -> list[tuple[ConsentNotice, forms.BoundField]]:
        return [(notice, self[notice.key]) for notice in self.notices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("agree_all"):
            for notice in self.notices:
                data[notice.key] = AGREE
        for notice in self.notices:
            answer = data.get(notice.key)
            if notice.required and answer != AGREE:
                self.add_error(notice.key, _("[필수] 항목에 동의해야 가입할 수 있습니다."))
            elif not answer:
                self.add_error(notice.key, _("동의함 또는 동의안함을 골라 주세요."))
        return data

    def agreed(self) -> list[str]:
        return [n.key for n in self.notices if self.cleaned_data.get(n.key) == AGREE]


class VerifyPhoneForm(PortalForm):
    """본인 확인 (휴대전화): the number whose SMS code proves the citizen."""

    phone = mobile_field(_("가입할 때 입력한 번호. 숫자만 또는 010-1234-5678처럼 입력해 주세요."))

    def clean_phone(self) -> str:
        return clean_mobile(self.cleaned_data["phone"])


class EmailLinkForm(PortalForm):
    """본인 확인 (전자우편): the address a confirmation link goes to."""

    email = email_field(
        _("전자우편 주소"),
        _("가입할 때 입력한 주소로 확인 링크를 보냅니다."),
        invalid=_("전자우편 주소를 확인해 주세요. 예: hong@example.com"),
        required_message=_("전자우편 주소를 입력해 주세요."),
    )


class ChannelsForm(PortalForm):
    """수신 방법 변경 for one consent: which of the person's contacts it may use."""

    sms = forms.BooleanField(label=_("문자(SMS)"), required=False)
    email = forms.BooleanField(label=_("전자우편"), required=False)

    def __init__(self, *args: Any, has_mobile: bool, has_email: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_mobile:
            cast(forms.BooleanField, self.fields["sms"]).disabled = True
        if not has_email:
            cast(forms.BooleanField, self.fields["email"]).disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("sms") and not data.get("email"):
            raise ValidationError(
                _("받을 방법을 하나 이상 골라 주세요. 모두 받지 않으려면 ‘동의 철회’를 눌러 주세요.")
            )
        return data
