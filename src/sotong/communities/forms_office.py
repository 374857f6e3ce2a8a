"""Forms of the organization and committee staff pages.

Forms only collect and shape input; the rules are the actions' (`sotong.communities.actions`), whose
`CommunitiesError` the view puts back on the form (`add_domain_error`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sotong.cases.forms_office import OfficeForm, active_departments
from sotong.communities.models import OrganizationType

ANY = [("", _("전체"))]
DATE = forms.DateInput(attrs={"type": "date"})


class OrganizationSearchForm(OfficeForm):
    text = forms.CharField(label=_("단체명"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("유형"), required=False, choices=ANY + OrganizationType.choices)
    dong = forms.CharField(label=_("행정동"), required=False, max_length=40)
    active_only = forms.BooleanField(label=_("활동 중인 단체만"), required=False)


class RecordSearchForm(OfficeForm):
    """단체 활동·회의록 검색: 기간별, 내용별 (seed 001)."""

    start = forms.DateField(label=_("시작일"), required=False, widget=DATE)
    end = forms.DateField(label=_("종료일"), required=False, widget=DATE)
    text = forms.CharField(label=_("내용"), required=False, max_length=100)


class CommitteeSearchForm(OfficeForm):
    text = forms.CharField(label=_("위원회명·설치 근거"), required=False, max_length=100)
    active_only = forms.BooleanField(label=_("운영 중인 위원회만"), required=False)


class OrganizationForm(OfficeForm):
    name = forms.CharField(label=_("단체명"), max_length=100)
    type = forms.ChoiceField(label=_("유형"), choices=OrganizationType.choices)
    dong = forms.CharField(label=_("행정동"), required=False, max_length=40)
    founded_on = forms.DateField(label=_("설립일"), required=False, widget=DATE)
    description = forms.CharField(label=_("소개"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    is_active = forms.BooleanField(label=_("활동 중"), required=False, initial=True)


class CommitteeForm(OfficeForm):
    name = forms.CharField(label=_("위원회명"), max_length=100)
    department = forms.ModelChoiceField(label=_("소관 부서"), queryset=active_departments())
    legal_basis = forms.CharField(label=_("설치 근거"), required=False, max_length=200)
    purpose = forms.CharField(label=_("설치 목적"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    term_start = forms.DateField(label=_("임기 시작"), required=False, widget=DATE)
    term_end = forms.DateField(label=_("임기 종료"), required=False, widget=DATE)
    is_active = forms.BooleanField(label=_("운영 중"), required=False, initial=True)


class MemberForm(OfficeForm):
    person = forms.IntegerField(
        label=_("정책고객 번호"),
        min_value=1,
        help_text=_("주민 명부에 등록된 사람의 번호(#)를 입력하세요."),
    )
    role = forms.CharField(label=_("직위·역할"), required=False, max_length=100)
    started_on = forms.DateField(label=_("시작일"), required=False, widget=DATE)
    ended_on = forms.DateField(label=_("종료일(임기 만료)"), required=False, widget=DATE)


class EndMemberForm(OfficeForm):
    ended_on = forms.DateField(label=_("종료일"), required=False, widget=DATE)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(PhotosField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class ActivityForm(OfficeForm):
    date = forms.DateField(label=_("활동일"), widget=DATE)
    title = forms.CharField(label=_("제목"), max_length=200)
    text = forms.CharField(label=_("내용"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(
        label=_("사진"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
        help_text=_("JPG, PNG, GIF, WEBP 사진을 10장까지 올릴 수 있습니다."),
    )


class MinutesForm(OfficeForm):
    date = forms.DateField(label=_("회의일"), widget=DATE)
    attendees = forms.CharField(label=_("참석자"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    agenda = forms.CharField(label=_("안건"), widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(
        label=_("결정 사항"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = forms.FileField(
        label=_("첨부파일"), required=False, help_text=_("PDF 또는 사진 파일 하나를 올릴 수 있습니다.")
    )
