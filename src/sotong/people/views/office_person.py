"""One person's page: details masked, 연락처 보기 (logged), consents with evidence and history,
memberships, the Event timeline; changes, consents given or withdrawn on the person's behalf, merging.

Every form posts to its own URL; a refused action shows its Korean message on the page (status 400 or
403) and writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sotong.core.errors import DomainError
from sotong.core.models import Event, PersonalDataAction
from sotong.core.privacy import log_personal_data_access
from sotong.people import actions
from sotong.people.exports import reveal_contact
from sotong.people.forms_office import (
    ConsentGiveForm,
    ConsentWithdrawForm,
    MergeForm,
    PersonEditForm,
    UnmaskForm,
)
from sotong.people.models import Consent, ConsentMethod, Person
from sotong.people.views.office_common import can, registry_page, user_of

TIMELINE_LENGTH = 100
VERB_LABELS = {
    "people.registered": gettext_lazy("등록"),
    "people.updated": gettext_lazy("정보 변경"),
    "people.merged": gettext_lazy("중복 병합"),
    "people.anonymised": gettext_lazy("파기(익명화)"),
    "people.membership_added": gettext_lazy("참여 구분 추가"),
    "people.membership_ended": gettext_lazy("참여 종료"),
    "people.consent_given": gettext_lazy("동의"),
    "people.consent_withdrawn": gettext_lazy("동의 철회"),
    "people.consent_channel_withdrawn": gettext_lazy("수신 방법 철회"),
    "people.consent_reconfirmed": gettext_lazy("동의 재확인"),
    "people.reconfirm_notice_sent": gettext_lazy("재확인 안내"),
}
EVIDENCE_LABELS = {
    "ip": gettext_lazy("IP"),
    "user_agent": gettext_lazy("브라우저"),
    "scan_ref": gettext_lazy("서면 동의서"),
    "file": gettext_lazy("파일"),
    "row": gettext_lazy("행"),
    "batch": gettext_lazy("일괄 등록 번호"),
    "verification": gettext_lazy("인증"),
    "token_ref": gettext_lazy("확인 링크"),
    "recorded_by": gettext_lazy("기록한 직원"),
}


def _person(pk: int) -> Person:
    return get_object_or_404(Person, pk=pk)


def _consent_state(consent: Consent, now: Any) -> tuple[str, str]:
    if consent.withdrawn_at is not None:
        return "withdrawn", _("철회")
    if consent.superseded_at is not None:
        return "superseded", _("새 동의로 대체")
    if consent.expires_at <= now:
        return "expired", _("보유기간 만료")
    return "live", _("유효")


def _evidence(consent: Consent) -> list[tuple[str, str]]:
    shown = []
    for key, value in (consent.evidence or {}).items():
        if key in ("method", "reconfirmations"):
            continue
        shown.append((str(EVIDENCE_LABELS.get(key, key)), str(value)))
    for number, again in enumerate((consent.evidence or {}).get("reconfirmations", []), start=1):
        shown.append((_("재확인 %(n)d") % {"n": number}, str(again.get("at", ""))))
    return shown


def _page(
    request: HttpRequest,
    person: Person,
    *,
    unmasked: dict[str, str] | None = None,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    now = timezone.now()
    consents = list(
        Consent.objects.filter(person=person)
        .select_related("purpose")
        .order_by("purpose__sort_order", "purpose__code", "-given_at", "-id")
    )
    may_consent = can(request, "people.manage_consent") and not person.is_anonymised
    events = Event.objects.for_target(person).select_related("actor")[:TIMELINE_LENGTH]
    duplicates = (
        Person.objects.active().filter(name=person.name).exclude(pk=person.pk).order_by("pk")[:5]
        if person.name and can(request, "people.merge_person")
        else []
    )
    context = {
        "person": person,
        "masked": person.masked(),
        "unmasked": unmasked,
        "consents": [
            {
                "consent": consent,
                "state": _consent_state(consent, now),
                "evidence": _evidence(consent),
                "withdraw_form": ConsentWithdrawForm(prefix=f"withdraw{consent.pk}")
                if may_consent and consent.is_live(now)
                else None,
            }
            for consent in consents
        ],
        "memberships": person.memberships.order_by("-started_on", "-id"),
        "events": [(event, VERB_LABELS.get(event.verb, event.verb)) for event in events],
        "unmask_form": forms.get("unmask_form")
        or (UnmaskForm(prefix="unmask") if can(request, "people.view_contact") else None),
        "consent_form": forms.get("consent_form")
        or (ConsentGiveForm(prefix="consent") if may_consent else None),
        "merge_form": forms.get("merge_form")
        or (
            MergeForm(prefix="merge")
            if can(request, "people.merge_person") and not person.is_anonymised
            else None
        ),
        "may_edit": can(request, "people.change_person") and not person.is_anonymised,
        "duplicates": [(other, other.masked()) for other in duplicates],
        "error": forms.get("error", ""),
    }
    return render(request, "people/office/person.html", context, status=status)


@registry_page("people.view_person")
@require_http_methods(["GET"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """정책고객 상세: masked; nothing here is logged until the contact is unmasked."""
    return _page(request, _person(pk))


@registry_page("people.view_contact")
@require_POST
def unmask(request: HttpRequest, pk: int) -> HttpResponse:
    """연락처 보기: name and contact in full, with a reason, written to the personal-data access log."""
    person = _person(pk)
    form = UnmaskForm(request.POST, prefix="unmask")
    if not form.is_valid():
        return _page(request, person, unmask_form=form, status=400)
    try:
        shown = reveal_contact(user_of(request), person, request=request, reason=form.cleaned_data["reason"])
    except DomainError as error:
        form.add_domain_error(error)
        return _page(request, person, unmask_form=form, status=error.status_code)
    return _page(request, person, unmasked={**shown, "birth_year": str(person.birth_year or "")})


@registry_page("people.change_person")
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """정보 변경. The form shows the full name and year of birth, so opening it is logged (조회); contacts
    are not shown, only replaced."""
    person = _person(pk)
    if person.is_anonymised:
        messages.error(request, _("익명화된 정책고객은 변경할 수 없습니다."))
        return redirect("people_office:person", pk)
    user = user_of(request)
    initial = {
        "name": person.name,
        "gender": person.gender,
        "birth_year": person.birth_year,
        "dong": person.dong,
        "occupation": person.occupation,
    }
    form = PersonEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            changes = {name: data[name] for name in initial}
            changes.update({name: data[name] for name in ("mobile", "email") if data[name]})
            try:
                actions.update_person(user, person, **changes)
            except actions.DuplicatePerson as error:
                form.add_domain_error(error)
                form.add_error(
                    None,
                    _("이미 등록된 정책고객 #%(id)d의 연락처입니다. 같은 사람이면 병합하세요.")
                    % {"id": error.existing.pk},
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.status_code if error.status_code != 422 else 400
            else:
                log_personal_data_access(
                    request,
                    subject=person,
                    action=PersonalDataAction.UPDATE,
                    fields=", ".join(sorted(changes)),
                )
                messages.success(request, _("정책고객 정보를 바꿨습니다."))
                return redirect("people_office:person", pk)
    else:
        log_personal_data_access(
            request, subject=person, action=PersonalDataAction.VIEW, fields="성명, 출생연도"
        )
    return render(request, "people/office/person_edit.html", {"person": person, "form": form}, status=status)


@registry_page("people.manage_consent")
@require_POST
def consent_give(request: HttpRequest, pk: int) -> HttpResponse:
    """동의 기록 on the person's behalf, with the paper form as evidence."""
    person = _person(pk)
    form = ConsentGiveForm(request.POST, prefix="consent")
    if not form.is_valid():
        return _page(request, person, consent_form=form, status=400)
    data = form.cleaned_data
    try:
        actions.give_consent(
            user_of(request),
            person,
            data["purpose"],
            sms=data["sms"],
            email=data["email"],
            method=ConsentMethod.PAPER,
            evidence={"scan_ref": data["scan_ref"], "recorded_by": user_of(request).get_username()},
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _page(request, person, consent_form=form, status=400)
    messages.success(request, _("'%(purpose)s' 동의를 기록했습니다.") % {"purpose": data["purpose"].name})
    return redirect("people_office:person", pk)


@registry_page("people.manage_consent")
@require_POST
def consent_withdraw(request: HttpRequest, pk: int, consent_id: int) -> HttpResponse:
    """동의 철회 on the person's behalf: the whole consent or one channel."""
    person = _person(pk)
    consent = get_object_or_404(Consent.objects.select_related("purpose"), pk=consent_id, person=person)
    form = ConsentWithdrawForm(request.POST, prefix=f"withdraw{consent.pk}")
    channel = form.cleaned_data["channel"] if form.is_valid() else ""
    actions.withdraw_consent(user_of(request), consent, channel=channel or None)
    messages.success(request, _("'%(purpose)s' 동의를 철회했습니다.") % {"purpose": consent.purpose.name})
    return redirect("people_office:person", pk)


@registry_page("people.merge_person")
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """중복 병합: first a side-by-side confirmation (masked), then the merge into the older record."""
    person = _person(pk)
    form = MergeForm(request.POST, prefix="merge")
    if not form.is_valid():
        return _page(request, person, merge_form=form, status=400)
    other = Person.objects.filter(pk=form.cleaned_data["other"]).first()
    if other is None or other.pk == person.pk or other.is_anonymised:
        form.add_error("other", _("병합할 수 있는 다른 정책고객 번호를 입력해 주세요."))
        return _page(request, person, merge_form=form, status=400)
    if not form.cleaned_data["confirm"]:
        keep, gone = sorted([person, other], key=lambda p: p.pk)
        return render(
            request,
            "people/office/merge_confirm.html",
            {"person": person, "other": other, "keep": keep, "gone": gone, "pair": [
                (keep, keep.masked(), True), (gone, gone.masked(), False)
            ]},
        )  # fmt: skip
    try:
        kept = actions.merge_persons(user_of(request), person, other)
    except DomainError as error:
        form.add_domain_error(error)
        return _page(request, person, merge_form=form, status=400)
    messages.success(request, _("두 정책고객을 #%(id)d(으)로 병합했습니다.") % {"id": kept.pk})
    return redirect("people_office:person", kept.pk)
