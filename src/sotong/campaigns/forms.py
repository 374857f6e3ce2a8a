"""Forms of the campaign office pages (the actions check everything again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sotong.campaigns.models import Channel, Newsletter, Template
from sotong.people.models import Person, PersonList, Segment


class NewsletterForm(forms.Form):
    name = forms.CharField(label=_("뉴스레터 이름"), max_length=100)
    code = forms.CharField(
        label=_("코드"),
        max_length=31,
        help_text=_("영문 소문자와 숫자 (예: sd-news). 동의 목적의 코드가 됩니다."),
    )
    sender_name = forms.CharField(label=_("발신자 명칭"), max_length=100)
    sender_email = forms.EmailField(label=_("발신 전자우편"))
    sender_phone = forms.CharField(label=_("발신번호"), max_length=20, help_text=_("사전 등록된 번호"))
    contact_line = forms.CharField(label=_("발신자 연락처"), max_length=100)
    is_advertising = forms.BooleanField(
        label=_("광고성 정보 (정보통신망법 제50조: (광고) 표시, 무료수신거부, 야간 발송 제한)"),
        required=False,
    )
    opt_out_number = forms.CharField(label=_("무료수신거부 번호"), max_length=20, required=False)
    description = forms.CharField(label=_("소개"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("서식 이름"), max_length=100)
    channel = forms.ChoiceField(label=_("채널"), choices=Channel.choices, widget=forms.RadioSelect)
    subject = forms.CharField(label=_("제목"), max_length=255, required=False)
    body_text = forms.CharField(
        label=_("본문"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "{{ name }}, {{ masked_name }}, {{ dong }}, {{ district }}, {{ birth_year }}, {{ occupation }}"
        ),
    )
    body_html = forms.CharField(
        label=_("HTML 본문 (전자우편)"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )


class PreviewForm(forms.Form):
    person = forms.IntegerField(
        label=_("정책고객 번호"), min_value=1, help_text=_("미리 볼 사람의 번호 (명부의 #번호)")
    )
    to = forms.CharField(
        label=_("시험 발송 주소"),
        max_length=254,
        required=False,
        help_text=_("시험 발송할 담당자 전자우편 또는 휴대전화"),
    )

    def clean_person(self) -> Person:
        person = Person.objects.active().filter(pk=self.cleaned_data["person"]).first()
        if person is None:
            raise forms.ValidationError(_("그 번호의 정책고객이 없습니다."))
        return person


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("캠페인 이름"), max_length=200)
    template = forms.ModelChoiceField(
        label=_("발송 서식"), queryset=Template.objects.select_related("newsletter")
    )
    lists = forms.ModelMultipleChoiceField(
        label=_("명단"),
        queryset=PersonList.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    segments = forms.ModelMultipleChoiceField(
        label=_("저장된 조건"),
        queryset=Segment.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rate_per_second = forms.IntegerField(
        label=_("초당 발송 한도"), min_value=1, max_value=100_000, initial=200
    )
    concurrency = forms.IntegerField(label=_("동시 연결 수"), min_value=1, max_value=32, initial=4)
    max_errors = forms.IntegerField(label=_("자동 정지 연속 오류 수"), min_value=1, initial=100)


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("예약 시각"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class UrgentForm(forms.Form):
    newsletter = forms.ModelChoiceField(
        label=_("알림 종류 (동의 목적)"),
        queryset=Newsletter.objects.filter(is_advertising=False),
        empty_label=None,
    )
    dongs = forms.MultipleChoiceField(label=_("행정동"), required=False, widget=forms.CheckboxSelectMultiple)
    segment = forms.ModelChoiceField(label=_("저장된 조건"), queryset=Segment.objects.all(), required=False)
    text = forms.CharField(
        label=_("문자 내용"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=200,
        help_text=_("단문 90바이트 이내 (한글 2바이트)"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        dongs = (
            Person.objects.active()
            .exclude(dong="")
            .values_list("dong", flat=True)
            .distinct()
            .order_by("dong")
        )
        self.fields["dongs"].choices = [(d, d) for d in dongs]  # type: ignore[attr-defined]
