"""Forms of the registry's staff pages: the one-screen filter, lists and segments, a person's page,
import, export and summaries.

Forms only collect and shape input; the rules are the actions' (`sotong.people.actions`, `imports`,
`exports`), whose `PeopleError` the view puts back on the form (`add_domain_error`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sotong.cases.forms_office import OfficeForm
from sotong.people.import_files import FIELD_LABELS, FIELDS
from sotong.people.models import (
    AgeBand,
    ConsentPurpose,
    ContactChannel,
    Gender,
    MembershipKind,
    Person,
    PersonList,
    Segment,
    Source,
)
from sotong.people.segments import SegmentFilter

__all__ = ["OfficeForm"]

ANY = [("", _("전체"))]


def active_purposes() -> QuerySet[ConsentPurpose]:
    return ConsentPurpose.objects.filter(is_active=True).order_by("sort_order", "code")


def _distinct(field: str) -> list[tuple[str, str]]:
    """The values of `field` among active people (indexed column; one query)."""
    values = (
        Person.objects.active()
        .exclude(**{field: ""})
        .order_by(field)
        .values_list(field, flat=True)
        .distinct()
    )
    return [(value, value) for value in values]


class PurposeChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", active_purposes())
        kwargs.setdefault("to_field_name", "code")
        super().__init__(**kwargs)

    def label_from_instance(self, obj: ConsentPurpose) -> str:  # type: ignore[override]
        return f"{obj.name} (광고성)" if obj.is_advertising else obj.name


# The one screen (seed 001) ------------------------------------------------------------------------------


class PeopleFilterForm(OfficeForm):
    """Filters (saved as segments) and search (name, organization, exact contact); all optional."""

    memberships = forms.MultipleChoiceField(
        label=_("참여 구분"),
        choices=MembershipKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    age_bands = forms.MultipleChoiceField(
        label=_("연령대"), choices=AgeBand.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    genders = forms.MultipleChoiceField(
        label=_("성별"), choices=Gender.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    dong = forms.ChoiceField(label=_("행정동"), required=False)
    occupation = forms.ChoiceField(label=_("직업"), required=False)
    consent_purpose = forms.ChoiceField(label=_("동의 목적"), required=False)
    consent_channel = forms.ChoiceField(
        label=_("수신 방법"), choices=[*ANY, *ContactChannel.choices], required=False
    )
    name = forms.CharField(
        label=_("성명"),
        required=False,
        max_length=50,
        help_text=_(
            "성명만으로는 정확히 일치하는 사람을 찾습니다. 일부만 입력하려면 행정동이나 단체도 고르세요."
        ),
    )
    organization = forms.CharField(label=_("단체·위원회"), required=False, max_length=200)
    contact = forms.CharField(
        label=_("휴대전화 또는 전자우편"),
        required=False,
        max_length=254,
        help_text=_("연락처는 전체가 정확히 일치할 때만 찾습니다."),
    )

    FILTER_FIELDS = ("memberships", "age_bands", "genders", "dong", "occupation", "consent_purpose")
    SEARCH_FIELDS = ("name", "contact")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dong = self.fields["dong"]
        occupation = self.fields["occupation"]
        purpose = self.fields["consent_purpose"]
        assert isinstance(dong, forms.ChoiceField)
        assert isinstance(occupation, forms.ChoiceField)
        assert isinstance(purpose, forms.ChoiceField)
        dong.choices = [*ANY, *_distinct("dong")]
        occupation.choices = [*ANY, *_distinct("occupation")]
        purpose.choices = [*ANY, *((p.code, p.name) for p in active_purposes())]
        self.fields["contact"].widget.attrs["autocomplete"] = "off"

    def segment_filter(self) -> SegmentFilter:
        """The filter part (what a segment saves); call after `is_valid()`."""
        data = self.cleaned_data
        return SegmentFilter(
            age_bands=list(data.get("age_bands") or []),
            genders=list(data.get("genders") or []),
            dongs=[data["dong"]] if data.get("dong") else [],
            occupations=[data["occupation"]] if data.get("occupation") else [],
            memberships=list(data.get("memberships") or []),
            organization=data.get("organization", "").strip(),
            consent_purpose=data.get("consent_purpose") or "",
            consent_channel=data.get("consent_channel") or "",
        )

    def search_terms(self) -> dict[str, str]:
        """Arguments of `queries.search_people`, or {} when nothing needs a search."""
        data = self.cleaned_data
        name = data.get("name", "").strip()
        contact = data.get("contact", "").strip()
        if not name and not contact:
            return {}
        terms = {
            "name": name,
            "organization": data.get("organization", "").strip(),
            "dong": data.get("dong") or "",
        }
        if contact:
            terms["email" if "@" in contact else "mobile"] = contact
        return terms

    @staticmethod
    def initial_from_segment(segment: Segment) -> dict[str, Any]:
        rule = SegmentFilter.from_dict(segment.filters)
        return {
            "memberships": rule.memberships,
            "age_bands": rule.age_bands,
            "genders": rule.genders,
            "dong": rule.dongs[0] if rule.dongs else "",
            "occupation": rule.occupations[0] if rule.occupations else "",
            "consent_purpose": rule.consent_purpose,
            "consent_channel": rule.consent_channel,
            "organization": rule.organization,
        }


class SegmentForm(OfficeForm):
    name = forms.CharField(label=_("조건 이름"), max_length=100)


class AddToListForm(OfficeForm):
    """Add the ticked people, or everyone the filter finds, to a list (an existing one or a new one)."""

    SCOPES = [("selected", _("선택한 사람")), ("all", _("검색 결과 전체"))]

    scope = forms.ChoiceField(label=_("대상"), choices=SCOPES, initial="selected", widget=forms.RadioSelect)
    person_list = forms.ModelChoiceField(
        label=_("명단"), queryset=PersonList.objects.none(), required=False, empty_label=_("새 명단 만들기")
    )
    new_name = forms.CharField(label=_("새 명단 이름"), max_length=100, required=False)
    people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), required=False, widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lists = self.fields["person_list"]
        people = self.fields["people"]
        assert isinstance(lists, forms.ModelChoiceField)
        assert isinstance(people, forms.ModelMultipleChoiceField)
        lists.queryset = PersonList.objects.order_by("-created_at", "-id")
        people.queryset = Person.objects.active()
        people.error_messages["invalid_choice"] = _("선택한 정책고객을 찾을 수 없습니다.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("person_list") and not (data.get("new_name") or "").strip():
            self.add_error("new_name", _("명단을 고르거나 새 명단 이름을 입력해 주세요."))
        if data.get("scope") == "selected" and not data.get("people"):
            self.add_error(None, _("명단에 넣을 사람을 선택해 주세요."))
        return data


# A person's page ----------------------------------------------------------------------------------------


class UnmaskForm(OfficeForm):
    reason = forms.CharField(
        label=_("조회 사유"),
        max_length=200,
        help_text=_("예: 위원 위촉 통보, 본인 요청 처리"),
    )


class DownloadReasonForm(OfficeForm):
    reason = forms.CharField(
        label=_("내려받는 사유"), max_length=200, help_text=_("개인정보 접근기록에 남습니다.")
    )


class PersonEditForm(OfficeForm):
    """정보 변경. Contacts are left blank to keep them; the action checks every value."""

    name = forms.CharField(label=_("성명"), max_length=50, required=False)
    gender = forms.ChoiceField(label=_("성별"), choices=[("", _("미상")), *Gender.choices], required=False)
    birth_year = forms.IntegerField(label=_("출생연도"), required=False, min_value=1900, max_value=2100)
    dong = forms.CharField(label=_("행정동"), max_length=40, required=False)
    occupation = forms.CharField(label=_("직업"), max_length=100, required=False)
    mobile = forms.CharField(
        label=_("새 휴대전화"),
        max_length=30,
        required=False,
        help_text=_("바꿀 때만 입력하세요."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("새 전자우편"),
        required=False,
        help_text=_("바꿀 때만 입력하세요."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class ConsentGiveForm(OfficeForm):
    """동의 기록 on the person's behalf: a signed paper form is the evidence (its scan or file number)."""

    purpose = PurposeChoiceField(label=_("동의 목적"))
    sms = forms.BooleanField(label=_("문자 수신"), required=False)
    email = forms.BooleanField(label=_("전자우편 수신"), required=False)
    scan_ref = forms.CharField(
        label=_("서면 동의서 번호·스캔 파일"),
        max_length=200,
        help_text=_("받아 둔 서면 동의서를 찾을 수 있는 번호나 파일 이름"),
    )


class ConsentWithdrawForm(OfficeForm):
    CHANNELS = [("", _("동의 전체")), *ContactChannel.choices]

    channel = forms.ChoiceField(label=_("철회 범위"), choices=CHANNELS, required=False)


class MergeForm(OfficeForm):
    other = forms.IntegerField(
        label=_("병합할 정책고객 번호"), min_value=1, help_text=_("중복된 다른 정책고객의 번호(#)")
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


# Import ---------------------------------------------------------------------------------------------------

IMPORT_SOURCES = [
    (Source.HOMEPAGE, Source.HOMEPAGE.label),
    (Source.MOBILE_WEB, Source.MOBILE_WEB.label),
    (Source.EMAIL_LIST, Source.EMAIL_LIST.label),
    (Source.MEETING, Source.MEETING.label),
    (Source.IMPORT, Source.IMPORT.label),
]


class ImportUploadForm(OfficeForm):
    file = forms.FileField(
        label=_("파일 (xlsx, csv)"),
        help_text=_("첫 행은 열 이름입니다. 주민등록번호 열이 있는 파일은 받지 않습니다."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    source = forms.ChoiceField(label=_("출처"), choices=IMPORT_SOURCES, initial=Source.HOMEPAGE)
    purposes = forms.ModelMultipleChoiceField(
        label=_("동의 목적"),
        queryset=ConsentPurpose.objects.none(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("파일의 사람들이 동의한 목적 (동의 증빙은 이 파일과 행 번호입니다)."),
    )
    channels = forms.MultipleChoiceField(
        label=_("수신 방법"),
        choices=ContactChannel.choices,
        initial=[ContactChannel.SMS, ContactChannel.EMAIL],
        widget=forms.CheckboxSelectMultiple,
    )
    membership = forms.ChoiceField(
        label=_("참여 구분 추가"), choices=[("", _("추가하지 않음")), *MembershipKind.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        purposes = self.fields["purposes"]
        assert isinstance(purposes, forms.ModelMultipleChoiceField)
        purposes.queryset = active_purposes()
        if not self.is_bound:
            purposes.initial = list(active_purposes().filter(code="e_sotong").values_list("code", flat=True))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("xlsx 또는 csv 파일만 올릴 수 있습니다."))
        return upload


FIELD_CHOICES = [("", _("가져오지 않음")), *((name, FIELD_LABELS[name]) for name in FIELDS)]


class ImportMappingForm(OfficeForm):
    """One select per column of the file: which field of a person it holds ("" to ignore)."""

    def __init__(self, *args: Any, header: list[str], guesses: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header = header
        for position, title in enumerate(header):
            self.fields[f"col{position}"] = forms.ChoiceField(
                label=title or _("(이름 없는 열 %(n)d)") % {"n": position + 1},
                choices=FIELD_CHOICES,
                required=False,
                initial=guesses.get(position, ""),
            )
            self.fields[f"col{position}"].widget.attrs["class"] = "krds-form-select"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: list[str] = [str(data[f"col{i}"]) for i in range(len(self.header)) if data.get(f"col{i}")]
        for name in set(chosen):
            if chosen.count(name) > 1:
                raise forms.ValidationError(
                    _("'%(field)s' 항목을 두 열에 지정했습니다. 한 열만 고르세요.")
                    % {"field": FIELD_LABELS[name]}
                )
        if not {"mobile", "email"} & set(chosen):
            raise forms.ValidationError(_("휴대전화나 전자우편 열을 하나 이상 지정해 주세요."))
        return data

    def mapping(self) -> dict[str, str]:
        """header → field ("" to ignore), as `imports.preview(mapping=...)` takes it."""
        return {
            title: self.cleaned_data.get(f"col{position}") or ""
            for position, title in enumerate(self.header)
            if title.strip()
        }


# Export and summaries ------------------------------------------------------------------------------------


class ExportForm(OfficeForm):
    fmt = forms.ChoiceField(
        label=_("파일 형식"),
        choices=[("xlsx", _("엑셀 (xlsx)")), ("csv", _("CSV"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    unmasked = forms.BooleanField(
        label=_("마스킹하지 않은 연락처 포함 (권한이 있는 담당자만)"), required=False
    )
    reason = forms.CharField(
        label=_("내려받는 사유"),
        max_length=200,
        help_text=_("개인정보 접근기록에 남습니다. 예: 주민참여예산 설명회 안내 문자 발송"),
    )

    def __init__(self, *args: Any, may_unmask: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_unmask:
            del self.fields["unmasked"]
