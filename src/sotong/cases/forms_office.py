"""Forms of the staff case pages: queue filters, bulk actions, the case page's action forms, intake, import.

Forms only collect and shape input; every rule about cases is the action's (`sotong.cases.actions`),
whose `CasesError` the view puts back on the form (`add_domain_error`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sotong.accounts.models import Department, Role, RoleGrant, User
from sotong.cases.models import (
    MEETING_CHANNEL_CHOICES,
    Case,
    CaseKind,
    CaseStatus,
    Channel,
    Meeting,
    NoteVisibility,
    TransferKind,
)
from sotong.cases.queues import FLAGS
from sotong.core.errors import DomainError

FLAG_LABELS = {
    "urgent_safety": _("긴급 안전"),
    "serious_civic_disaster": _("중대시민재해"),
    "grievance": _("고충민원"),
    "multi_party": _("다수인관련"),
    "ping_pong": _("핑퐁민원"),
    "additional_answer": _("추가 답변 요청"),
}

# 처리 현황 of the office list's `state` filter (the situation board's counts; see views.office.queues).
LIST_STATES = [
    ("answered", _("답변")),
    ("open", _("처리중")),
    ("overdue", _("지연")),
    ("ping_pong", _("핑퐁(3회 이상 이송)")),
    ("unreported", _("미보고")),
]


class OfficeForm(forms.Form):
    """KRDS classes on inputs, and aria-invalid / aria-describedby on the fields with an error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            widget.attrs.setdefault(
                "class", "krds-form-select" if isinstance(widget, forms.Select) else "krds-input"
            )

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound:
            for name in self.errors:
                if name in self.fields:
                    bound = self[name]
                    self.fields[name].widget.attrs["aria-invalid"] = "true"
                    self.fields[name].widget.attrs["aria-describedby"] = f"{bound.auto_id}_error"

    def add_domain_error(self, error: DomainError) -> None:
        """Show an action's Korean message next to its field (or above the form)."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)
        if field:
            self.fields[field].widget.attrs["aria-invalid"] = "true"
            self.fields[field].widget.attrs["aria-describedby"] = f"{self[field].auto_id}_error"


def active_departments() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).order_by("path")


def handlers() -> QuerySet[User]:
    """Active staff holding the handler role somewhere (the action checks the department)."""
    ids = RoleGrant.objects.active().filter(role=Role.HANDLER).values("user_id")
    return User.objects.filter(is_active=True, pk__in=ids).order_by("name")


class DepartmentField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", active_departments())
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Department) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.code})"


class OfficerField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", handlers())
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("담당자"))
        super().__init__(**kwargs)

    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.username})"


def _text(label: Any, *, required: bool = True, rows: int = 3, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
    )


def receipt_numbers(value: str) -> list[str]:
    """Receipt numbers typed one per line or separated by commas or spaces."""
    return [part.strip() for part in value.replace(",", " ").split() if part.strip()]


# Queues -------------------------------------------------------------------------------------------------


class QueueFilterForm(OfficeForm):
    status = forms.ChoiceField(
        label=_("상태"), choices=[("", _("전체")), *CaseStatus.choices], required=False
    )
    kind = forms.ChoiceField(label=_("종류"), choices=[("", _("전체")), *CaseKind.choices], required=False)
    channel = forms.ChoiceField(
        label=_("접수 경로"), choices=[("", _("전체")), *Channel.choices], required=False
    )
    category = forms.CharField(label=_("분야 코드"), required=False, max_length=40)
    department = DepartmentField(label=_("부서"), required=False, empty_label=_("전체"))
    dong = forms.CharField(label=_("행정동"), required=False, max_length=40)
    received_from = forms.DateField(
        label=_("접수일(부터)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("접수일(까지)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # The situation board's drill-down: the handling department alone (not the departments that received
    # or cooperate on a case), with its subtree when asked, and a state the board counts.
    handling_department = DepartmentField(label=_("처리부서"), required=False, empty_label=_("전체"))
    handling_subtree = forms.BooleanField(label=_("처리부서의 하위 부서 포함"), required=False)
    state = forms.ChoiceField(label=_("처리 현황"), choices=[("", _("전체")), *LIST_STATES], required=False)
    flags = forms.MultipleChoiceField(
        label=_("표시"),
        choices=[(name, FLAG_LABELS[name]) for name in FLAGS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    q = forms.CharField(
        label=_("검색어"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("제목, 내용, 접수번호"),
    )

    def __init__(
        self,
        *args: Any,
        departments: QuerySet[Department] | None = None,
        handling_departments: QuerySet[Department] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        if handling_departments is not None:
            self.fields["handling_department"].queryset = handling_departments  # type: ignore[attr-defined]


class BulkForm(OfficeForm):
    OPERATIONS = (
        ("reassign", _("일괄 재지정")),
        ("extend", _("일괄 기한 연장")),
        ("approve", _("보고 일괄 승인")),
        ("merge_receipt", _("접수 단계 병합 (5건 이상)")),
    )
    operation = forms.ChoiceField(label=_("일괄 작업"), choices=OPERATIONS)
    cases: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=Case.objects.none(), widget=forms.MultipleHiddenInput
    )
    department = DepartmentField(label=_("새 처리부서"), required=False)
    days = forms.IntegerField(label=_("연장 일수"), required=False, min_value=1, max_value=365)
    reason = forms.CharField(label=_("사유"), required=False, max_length=500)
    citizen_consent = forms.CharField(label=_("신청인 동의 기록(2차 연장)"), required=False, max_length=500)
    representative = forms.CharField(
        label=_("대표 민원 접수번호 (병합)"),
        required=False,
        max_length=20,
        help_text=_("선택한 민원 중 나머지를 이 민원에 병합합니다."),
    )

    def __init__(self, *args: Any, cases: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases  # type: ignore[attr-defined]
        self.fields["cases"].error_messages["required"] = _("목록에서 민원을 하나 이상 선택해 주세요.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        operation = data.get("operation")
        if operation == "reassign" and not data.get("department"):
            self.add_error("department", _("새 처리부서를 선택해 주세요."))
        if operation == "extend" and not data.get("days"):
            self.add_error("days", _("연장 일수를 입력해 주세요."))
        if operation in ("reassign", "extend", "merge_receipt") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("사유를 입력해 주세요."))
        if operation == "merge_receipt":
            number = (data.get("representative") or "").strip()
            chosen = {case.receipt_no: case for case in data.get("cases") or []}
            if number not in chosen:
                self.add_error("representative", _("선택한 민원 중 대표 민원의 접수번호를 입력해 주세요."))
            data["representative"] = chosen.get(number)
        return data


# The case page's actions --------------------------------------------------------------------------------


class AssignForm(OfficeForm):
    department = DepartmentField(label=_("처리부서"))
    officer = OfficerField()
    cooperating = forms.ModelMultipleChoiceField(
        label=_("협조부서"), queryset=active_departments(), required=False, help_text=_("여러 부서 선택 가능")
    )


class OfficerForm(OfficeForm):
    officer = OfficerField(required=True)


class TransferForm(OfficeForm):
    kind = forms.ChoiceField(
        label=_("이송 구분"),
        choices=[(k.value, k.label) for k in TransferKind if k != TransferKind.DESIGNATED],
        initial=TransferKind.REASSIGN,
    )
    to_department = DepartmentField(label=_("받는 부서"), required=False)
    to_agency = forms.CharField(label=_("받는 기관 (타기관 이송)"), required=False, max_length=100)
    reason = _text(_("이송 사유"))


class DesignateForm(OfficeForm):
    department = DepartmentField(label=_("지정할 처리부서"))
    officer = OfficerField()
    reason = _text(_("지정 사유"))


class AvoidanceRequestForm(OfficeForm):
    reason = _text(_("기피 사유"))
    suggested_department = DepartmentField(label=_("추천 부서"), required=False)


class AvoidanceDecisionForm(OfficeForm):
    decision = forms.ChoiceField(
        label=_("결정"),
        choices=[("approve", _("승인 (이송)")), ("reject", _("반려"))],
        widget=forms.RadioSelect,
    )
    to_department = DepartmentField(label=_("새 처리부서 (승인 시, 비우면 추천 부서)"), required=False)
    note = _text(_("결정 사유"), required=False)


class ExtendForm(OfficeForm):
    days = forms.IntegerField(label=_("연장 일수"), min_value=1, max_value=365)
    reason = _text(_("연장 사유"))
    citizen_consent = _text(
        _("신청인 동의 기록"), required=False, help_text=_("두 번째 연장부터 필요합니다 (동의 일시, 방법).")
    )


class NoteForm(OfficeForm):
    visibility = forms.ChoiceField(
        label=_("공개 여부"),
        choices=NoteVisibility.choices,
        initial=NoteVisibility.INTERNAL,
        widget=forms.RadioSelect,
    )
    body = _text(_("내용"), rows=4)


class EmptyForm(OfficeForm):
    pass


class AnswerForm(OfficeForm):
    body = _text(_("답변 내용"), rows=8)
    is_rejection = forms.BooleanField(label=_("불수용(거부) 답변"), required=False)
    rejection_reasons = _text(_("거부 사유"), required=False)
    remedies = _text(
        _("구제 절차 안내"), required=False, help_text=_("행정심판·행정소송 등 불복 방법과 기간")
    )


class CloseForm(OfficeForm):
    note = _text(_("종결 의견"), required=False)


class ReopenForm(OfficeForm):
    reason = _text(_("재처리 사유"))


class ReceiptNumbersForm(OfficeForm):
    receipt_nos = forms.CharField(
        label=_("접수번호"),
        help_text=_("여러 건은 쉼표나 줄바꿈으로 구분"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_receipt_nos(self) -> list[str]:
        numbers = receipt_numbers(self.cleaned_data["receipt_nos"])
        if not numbers:
            raise forms.ValidationError(_("접수번호를 입력해 주세요."))
        return numbers


class MergeForm(ReceiptNumbersForm):
    reason = _text(_("병합 사유"))


class FlagsForm(OfficeForm):
    is_urgent_safety = forms.BooleanField(label=_("긴급 안전"), required=False)
    is_serious_civic_disaster = forms.BooleanField(label=_("중대시민재해 공중이용시설"), required=False)
    is_grievance = forms.BooleanField(label=_("고충민원"), required=False)
    is_multi_party = forms.BooleanField(label=_("다수인관련민원"), required=False)


class ReportRequestForm(OfficeForm):
    department = DepartmentField(label=_("보고 부서 (비우면 처리부서)"), required=False)
    note = _text(_("요청 내용"), required=False)


class ReportSubmitForm(OfficeForm):
    report = forms.IntegerField(widget=forms.HiddenInput)
    body = _text(_("보고 내용"), rows=5)


class ReportDecisionForm(OfficeForm):
    report = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("결정"), choices=[("approve", _("보고승인")), ("return", _("반려"))], widget=forms.RadioSelect
    )
    note = _text(_("의견 (반려 시 필수)"), required=False)


class OnsiteStartForm(OfficeForm):
    days = forms.IntegerField(
        label=_("조사 기간 (근무일)"), min_value=1, max_value=14, initial=14, help_text=_("14일 이내")
    )
    reason = _text(_("현지조사 사유"))


class OnsiteExtendForm(OfficeForm):
    days = forms.IntegerField(
        label=_("연장 일수 (근무일)"), min_value=1, max_value=7, help_text=_("한 번, 7일 이내")
    )
    reason = _text(_("연장 사유"))


class OnsiteEndForm(OfficeForm):
    note = _text(_("현지조사 결과"))


class AttachmentDownloadForm(OfficeForm):
    reason = forms.CharField(
        label=_("내려받는 사유"),
        required=False,
        max_length=200,
        help_text=_("신청인이 낸 파일은 사유가 필요하며 개인정보 접근기록에 남습니다."),
    )


class AttachmentForm(OfficeForm):
    file = forms.FileField(label=_("파일 (사진, PDF)"))


class UnmaskForm(OfficeForm):
    reason = forms.CharField(label=_("조회 사유 (선택)"), required=False, max_length=200)


# Intake -------------------------------------------------------------------------------------------------


class IntakeForm(OfficeForm):
    kind = forms.ChoiceField(label=_("종류"), choices=[("", _("선택해 주세요")), *CaseKind.choices])
    statutory_type = forms.CharField(
        label=_("법정민원 유형 코드"), required=False, max_length=40, help_text=_("법정민원만")
    )
    channel = forms.ChoiceField(label=_("접수 경로"), choices=[("", _("선택해 주세요")), *Channel.choices])
    intake_department = DepartmentField(label=_("주관부서"))
    title = forms.CharField(label=_("제목"), max_length=200)
    body = _text(_("내용"), rows=6)
    category = forms.CharField(label=_("분야 코드"), required=False, max_length=40)
    address = forms.CharField(label=_("위치(주소)"), required=False, max_length=300)
    dong = forms.CharField(label=_("행정동"), required=False, max_length=40)
    citizen_name = forms.CharField(label=_("신청인(제안자) 이름"), max_length=50)
    citizen_phone = forms.CharField(
        label=_("휴대전화"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    citizen_email = forms.EmailField(label=_("전자우편"), required=False)
    notify_sms = forms.BooleanField(label=_("문자 알림"), required=False)
    notify_email = forms.BooleanField(label=_("전자우편 알림"), required=False)
    proposer_details = _text(_("제안자 정보 (소속, 단체 등)"), required=False, rows=2)
    # Meeting channels: an existing meeting, or a new one.
    meeting = forms.ModelChoiceField(
        label=_("회의 (기존)"), queryset=Meeting.objects.all(), required=False, empty_label=_("새 회의 등록")
    )
    meeting_title = forms.CharField(label=_("회의명"), required=False, max_length=200)
    meeting_held_on = forms.DateField(
        label=_("회의 일자"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    meeting_place = forms.CharField(label=_("회의 장소"), required=False, max_length=200)
    meeting_attendees = _text(
        _("참석자"), required=False, rows=3, help_text=_("한 줄에 한 명씩 (이름, 소속·직위)")
    )
    is_urgent_safety = forms.BooleanField(label=_("긴급 안전"), required=False)
    is_serious_civic_disaster = forms.BooleanField(label=_("중대시민재해 공중이용시설"), required=False)
    is_multi_party = forms.BooleanField(label=_("다수인관련민원"), required=False)

    def __init__(self, *args: Any, departments: QuerySet[Department] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["intake_department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["meeting"].queryset = Meeting.objects.order_by("-held_on", "-id")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("channel")
        is_meeting = channel in {value for value, _label in MEETING_CHANNEL_CHOICES}
        if is_meeting and not data.get("meeting"):
            if not (data.get("meeting_title") or "").strip():
                self.add_error(
                    "meeting_title", _("회의 경로는 회의명을 입력하거나 기존 회의를 선택해 주세요.")
                )
            if not data.get("meeting_held_on"):
                self.add_error("meeting_held_on", _("회의 일자를 입력해 주세요."))
        if not is_meeting:
            data["meeting"] = None
        return data


class ImportUploadForm(OfficeForm):
    file = forms.FileField(label=_("파일 (xlsx, csv)"), help_text=_("양식 파일의 열 이름을 그대로 쓰십시오."))
    intake_department = DepartmentField(label=_("주관부서"))

    def __init__(self, *args: Any, departments: QuerySet[Department] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["intake_department"].queryset = departments  # type: ignore[attr-defined]
