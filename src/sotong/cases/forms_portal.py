"""Forms of the citizen pages: the four submission steps, the look-up, the rating and the additional-answer
request. KRDS classes on every widget; errors are Korean and tied to their field (aria-describedby)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sotong.cases.models import CaseKind
from sotong.cases.queries import PORTAL_KINDS, normalize_receipt_no
from sotong.core.codes import code_choices
from sotong.core.files import DOCUMENT_ACCEPT, upload_content_type
from sotong.core.forms import (
    AGREE,
    AGREE_CHOICES,
    PortalForm,
    clean_mobile,
    email_field,
    mobile_field,
    name_field,
)

UPLOAD_ACCEPT = DOCUMENT_ACCEPT


def max_attachments() -> int:
    """The same limits `add_attachment` applies, checked here so the citizen hears of them at step 1."""
    return int(getattr(settings, "SOTONG_CASES_ATTACHMENTS_PER_CASE", 5))


def max_attachment_bytes() -> int:
    return int(getattr(settings, "SOTONG_CASES_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def _kind_choices() -> list[tuple[str, Any]]:
    return [(kind.value, kind.label) for kind in PORTAL_KINDS]


KIND_HELP: dict[str, Promise] = {
    CaseKind.SUGGESTION: _("행정 제도나 운영을 고쳐 달라는 요청 (처리기간 14일)"),
    CaseKind.INQUIRY_PROCEDURE: _("제도·절차에 대한 설명이나 해석 요청 (처리기간 7일)"),
    CaseKind.INQUIRY_LAW: _("법령에 대한 설명이나 해석 요청 (처리기간 14일)"),
    CaseKind.GRIEVANCE: _(
        "행정기관의 처분이나 불합리한 행정으로 권리가 침해되거나 불편·부담을 겪는 경우 (처리기간 7일)"
    ),
    CaseKind.OTHER: _("불편 사항 신고, 단순 문의 등 (즉시 처리, 근무시간 3시간 이내)"),
    CaseKind.PROPOSAL: _("구정 발전을 위한 제안 (7일 안에 첫 진행 상황, 이후 매월 안내)"),
}


class CaseContentForm(PortalForm):
    """1단계 유형·내용."""

    kind = forms.ChoiceField(
        label=_("신청 유형"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("신청 유형을 선택해 주세요."),
            "invalid_choice": _("신청 유형을 다시 선택해 주세요."),
        },
    )
    title = forms.CharField(
        label=_("제목"),
        max_length=200,
        error_messages={
            "required": _("제목을 입력해 주세요."),
            "max_length": _("제목은 %(limit_value)d자 이내로 입력해 주세요."),
        },
    )
    body = forms.CharField(
        label=_("내용"),
        max_length=4000,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "언제, 어디서, 무엇이 불편한지 구체적으로 적어 주세요. 주민등록번호 등 다른 사람의 개인정보는 적지 마세요."
        ),
        error_messages={
            "required": _("내용을 입력해 주세요."),
            "min_length": _("내용을 %(limit_value)d자 이상 입력해 주세요."),
            "max_length": _("내용은 %(limit_value)d자 이내로 입력해 주세요."),
        },
    )
    category = forms.ChoiceField(
        label=_("분야"), required=False, error_messages={"invalid_choice": _("분야를 다시 선택해 주세요.")}
    )
    address = forms.CharField(
        label=_("위치(주소)"),
        max_length=300,
        required=False,
        help_text=_("불편한 곳의 주소나 가까운 건물 이름 (선택)"),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = forms.FloatField(
        label=_("위도"),
        required=False,
        min_value=33.0,
        max_value=38.7,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("위도는 숫자로 입력해 주세요. 예: 37.5634"),
            "min_value": _("위도가 우리나라 범위(33~38.7)를 벗어났습니다."),
            "max_value": _("위도가 우리나라 범위(33~38.7)를 벗어났습니다."),
        },
    )
    longitude = forms.FloatField(
        label=_("경도"),
        required=False,
        min_value=124.5,
        max_value=132.0,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("경도는 숫자로 입력해 주세요. 예: 127.0369"),
            "min_value": _("경도가 우리나라 범위(124.5~132)를 벗어났습니다."),
            "max_value": _("경도가 우리나라 범위(124.5~132)를 벗어났습니다."),
        },
    )
    attachments = MultipleFileField(
        label=_("첨부파일"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )

    def __init__(self, *args: Any, kept_attachments: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept_attachments = kept_attachments
        cast(forms.ChoiceField, self.fields["kind"]).choices = _kind_choices()
        categories = code_choices("case_category")
        category = cast(forms.ChoiceField, self.fields["category"])
        if categories:
            category.choices = [("", _("분야를 선택해 주세요")), *categories]
            category.required = True
            category.error_messages["required"] = _("분야를 선택해 주세요.")
        else:
            category.widget = forms.HiddenInput()
            category.choices = [("", "")]
        self.fields["attachments"].help_text = _(
            "사진(JPG, PNG, GIF, WEBP)이나 PDF를 %(count)d개까지, 한 파일에 %(mb)dMB까지 올릴 수 있습니다."
        ) % {"count": max_attachments(), "mb": max_attachment_bytes() // (1024 * 1024)}
        self.fields["attachments"].widget.attrs["aria-describedby"] = "id_attachments_hint"
        self.fields["title"].widget.attrs.setdefault("autocomplete", "off")

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_body(self) -> str:
        return self.cleaned_data["body"].strip()

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        if self.kept_attachments + len(files) > max_attachments():
            raise ValidationError(
                _("첨부파일은 %(count)d개까지 올릴 수 있습니다.") % {"count": max_attachments()},
                code="too_many",
            )
        problems = []
        for upload in files:
            if upload.size is not None and upload.size > max_attachment_bytes():
                problems.append(
                    _("%(name)s: 파일이 너무 큽니다. 한 파일에 %(mb)dMB까지 올릴 수 있습니다.")
                    % {"name": upload.name, "mb": max_attachment_bytes() // (1024 * 1024)}
                )
            elif not upload.size:
                problems.append(_("%(name)s: 빈 파일입니다.") % {"name": upload.name})
            elif upload_content_type(upload) is None:
                problems.append(
                    _("%(name)s: 사진(JPG, PNG, GIF, WEBP)이나 PDF 파일만 올릴 수 있습니다.")
                    % {"name": upload.name}
                )
        if problems:
            raise ValidationError(problems)
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lng = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lng is None) and not (self.has_error("latitude") or self.has_error("longitude")):
            missing = "longitude" if lng is None else "latitude"
            self.add_error(missing, _("위도와 경도를 함께 입력하거나 둘 다 비워 주세요."))
        return data


class ContactForm(PortalForm):
    """2단계 연락처·알림: one name field, a mobile number (hyphens and spaces accepted), e-mail."""

    citizen_name = name_field()
    phone = mobile_field(
        _("숫자만 또는 010-1234-5678처럼 입력해 주세요. 접수번호와 이 번호로 신청 내역을 조회합니다.")
    )
    email = email_field(
        _("이메일 주소"),
        _("선택. 이메일로 처리 결과를 받으려면 입력해 주세요."),
        invalid=_("이메일 주소를 확인해 주세요. 예: hong@example.com"),
    )
    notify_sms = forms.BooleanField(label=_("문자(SMS)"), required=False, initial=True)
    notify_email = forms.BooleanField(label=_("이메일"), required=False)

    def clean_citizen_name(self) -> str:
        return " ".join(self.cleaned_data["citizen_name"].split())

    def clean_phone(self) -> str:
        return clean_mobile(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("notify_email") and not data.get("email") and not self.has_error("email"):
            self.add_error("email", _("이메일로 알림을 받으려면 이메일 주소를 입력해 주세요."))
        return data


@dataclass(frozen=True)
class ConsentItem:
    """One purpose of the consent notice (개인정보 보호법 §15·§22): its own yes/no."""

    key: str
    required: bool
    title: Promise
    purpose: Promise
    items: Promise
    retention: Promise
    refusal: Promise

    def record(self, agreed: bool, at: str) -> dict[str, Any]:
        return {
            "key": self.key,
            "purpose": str(self.purpose),
            "items": str(self.items),
            "retention": str(self.retention),
            "required": self.required,
            "agreed": agreed,
            "at": at,
        }


CONSENT_ITEMS: tuple[ConsentItem, ...] = (
    ConsentItem(
        key="case_handling",
        required=True,
        title=_("민원 처리를 위한 개인정보 수집·이용"),
        purpose=_("민원·제안 접수와 처리, 처리 결과와 진행 상황 통지, 신청 내역 조회, 만족도 조사"),
        items=_("이름, 휴대전화 번호, 신청 내용, 첨부파일"),
        retention=_("처리가 끝난 날부터 10년 (「공공기록물 관리에 관한 법률」에 따른 민원 기록 보존기간)"),
        refusal=_("동의하지 않을 수 있습니다. 다만 동의하지 않으면 민원·제안을 신청할 수 없습니다."),
    ),
    ConsentItem(
        key="case_extra",
        required=False,
        title=_("이메일 주소와 위치 정보 수집·이용"),
        purpose=_("이메일로 처리 결과 통지, 현장 확인을 위한 위치 파악"),
        items=_("이메일 주소, 위치(주소, 지도 좌표)"),
        retention=_("처리가 끝난 날부터 10년 (민원 기록과 같은 기간)"),
        refusal=_(
            "동의하지 않아도 신청할 수 있습니다. 이때 입력한 이메일 주소와 위치는 저장하지 않으며, 처리 결과는 문자와 신청 내역 조회로 알려 드립니다."
        ),
    ),
)


class ConsentForm(PortalForm):
    """3단계 개인정보 동의: "모두 동의합니다" plus each item with 동의함/동의안함."""

    agree_all = forms.BooleanField(label=_("모두 동의합니다."), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in CONSENT_ITEMS:
            self.fields[item.key] = forms.ChoiceField(
                label=str(item.title),
                choices=AGREE_CHOICES,
                widget=forms.RadioSelect,
                required=False,
            )

    def items(self) -> list[tuple[ConsentItem, forms.BoundField]]:
        return [(item, self[item.key]) for item in CONSENT_ITEMS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("agree_all"):
            for item in CONSENT_ITEMS:
                data[item.key] = AGREE
        for item in CONSENT_ITEMS:
            answer = data.get(item.key)
            if item.required and answer != AGREE:
                self.add_error(item.key, _("[필수] 항목에 동의해야 신청할 수 있습니다."))
            elif not answer:
                self.add_error(item.key, _("동의함 또는 동의안함을 선택해 주세요."))
        return data

    def agreed(self) -> dict[str, bool]:
        return {item.key: self.cleaned_data.get(item.key) == AGREE for item in CONSENT_ITEMS}


class LookupForm(PortalForm):
    """신청 내역 조회: receipt number and the phone given at submission."""

    receipt_no = forms.CharField(
        label=_("접수번호"),
        max_length=30,
        help_text=_("신청을 마칠 때 받은 접수번호"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        error_messages={"required": _("접수번호를 입력해 주세요.")},
    )
    phone = forms.CharField(
        label=_("휴대전화 번호"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
        error_messages={"required": _("휴대전화 번호를 입력해 주세요.")},
    )

    def clean_receipt_no(self) -> str:
        return normalize_receipt_no(self.cleaned_data["receipt_no"])


SCORE_CHOICES = [
    (5, _("매우 만족")),
    (4, _("만족")),
    (3, _("보통")),
    (2, _("불만족")),
    (1, _("매우 불만족")),
]


class RatingForm(PortalForm):
    score = forms.TypedChoiceField(
        label=_("답변에 얼마나 만족하십니까?"),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("만족도를 선택해 주세요.")},
    )
    comment = forms.CharField(
        label=_("의견"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("선택. 1,000자 이내"),
        error_messages={"max_length": _("의견은 %(limit_value)d자 이내로 입력해 주세요.")},
    )


class AdditionalAnswerForm(PortalForm):
    reason = forms.CharField(
        label=_("추가로 답변을 바라는 내용"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("추가로 답변을 바라는 내용을 입력해 주세요."),
            "max_length": _("%(limit_value)d자 이내로 입력해 주세요."),
        },
    )
