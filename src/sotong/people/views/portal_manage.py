"""가입 정보 관리 on the portal: the citizen proves a contact again, then sees their data (contacts masked)
and consents, changes channels, withdraws a consent or all of them in one step, and updates details.

The proof is kept in the session (`MANAGE`) for `SOTONG_PEOPLE_MANAGE_SECONDS` (10 minutes) after the
last page, then dropped. Every change goes through the people actions, which write the Events; a
withdrawal is effective at once (`may_contact` reads the consent rows).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sotong.cases.actions.verification import code_ttl
from sotong.core.errors import DomainError
from sotong.core.privacy import client_ip
from sotong.people import actions
from sotong.people.actions import signup as signup_actions
from sotong.people.cleaning import email_index_for, phone_index_for
from sotong.people.forms_portal import (
    ChannelsForm,
    DetailsForm,
    EmailLinkForm,
    PhoneCodeForm,
    VerifyPhoneForm,
)
from sotong.people.models import Consent, ConsentMethod, Person
from sotong.people.views.portal import phone_verified, send_code, verify_code

MANAGE = "people.portal.manage"
MANAGE_CODE = "people.portal.manage_code"
PURPOSE_MANAGE = "people_manage"


def manage_valid_for() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "SOTONG_PEOPLE_MANAGE_SECONDS", 10 * 60)))


def _start(request: HttpRequest, person: Person, method: str, reference: str) -> None:
    now = timezone.now().isoformat()
    request.session.cycle_key()
    request.session[MANAGE] = {
        "person": person.pk,
        "method": str(method),
        "reference": reference,
        "verified_at": now,
        "seen": now,
    }
    request.session.pop(MANAGE_CODE, None)


def _proof(request: HttpRequest) -> dict[str, Any] | None:
    """The session's proof if still fresh (sliding: every page restarts the clock), else None."""
    proof = request.session.get(MANAGE)
    if not isinstance(proof, dict):
        return None
    if timezone.now() - datetime.fromisoformat(proof["seen"]) >= manage_valid_for():
        request.session.pop(MANAGE, None)
        messages.warning(
            request, _("개인정보 보호를 위해 본인 확인 시간이 지났습니다. 다시 본인 확인을 해 주세요.")
        )
        return None
    proof["seen"] = timezone.now().isoformat()
    request.session[MANAGE] = proof
    return proof


def _person(request: HttpRequest) -> tuple[Person, dict[str, Any]] | None:
    proof = _proof(request)
    if proof is None:
        return None
    person = Person.objects.active().filter(pk=proof["person"]).first()
    if person is None:
        request.session.pop(MANAGE, None)
        return None
    return person, proof


def _to_verify() -> HttpResponse:
    return redirect("people:manage_verify")


# --- 본인 확인 ------------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def manage_verify(request: HttpRequest) -> HttpResponse:
    """본인 확인: an SMS code to the phone, or a link to the e-mail address (sent only to a registered
    address; the answer is the same either way)."""
    state = request.session.get(MANAGE_CODE) or {}
    action = request.POST.get("action", "") if request.method == "POST" else ""
    phone_form = VerifyPhoneForm(request.POST if action in {"send_code", "verify_code"} else None)
    email_form = EmailLinkForm(request.POST if action == "send_link" else None)
    code_form = PhoneCodeForm()
    phone = ""
    link_notice = None
    if action in {"send_code", "verify_code"} and phone_form.is_valid():
        phone = phone_form.cleaned_data["phone"]
        if action == "send_code":
            code_form = send_code(request, state, phone, purpose=PURPOSE_MANAGE)
        else:
            code_form = verify_code(request, state, phone, purpose=PURPOSE_MANAGE)
        request.session[MANAGE_CODE] = state
        if phone_verified(state, _digits(phone), code_ttl() + timedelta(minutes=1)):
            person = Person.objects.active().by_contact_index("mobile_index", phone_index_for(phone)).first()
            if person is not None:
                _start(request, person, ConsentMethod.SMS_CODE, state.get("verification", "phone"))
                return _go_manage(request)
            code_form.phone_error = _(  # type: ignore[attr-defined]
                "이 번호로 가입한 전자소통 정보가 없습니다. 번호를 확인하거나 전자소통에 가입해 주세요."
            )
    elif action == "send_link" and email_form.is_valid():
        email = email_form.cleaned_data["email"]
        person = Person.objects.active().by_contact_index("email_index", email_index_for(email)).first()
        url = None
        if person is not None:
            token = signup_actions.make_manage_token(person)
            url = settings.SITE_URL + reverse("people:manage_link", kwargs={"token": token})
        try:
            signup_actions.send_link(email, kind="manage", url=url, ip=client_ip(request))
        except DomainError as exc:
            email_form.add_error("email", exc.message)
            email_form.mark_errors()
        else:
            link_notice = _(
                "입력한 주소로 가입되어 있으면 확인 메일을 보냈습니다. 메일의 링크를 %(minutes)d분 안에 열어 주세요."
            ) % {"minutes": int(signup_actions.link_ttl().total_seconds() // 60)}
    if phone_form.is_bound and phone_form.is_valid():
        phone = phone_form.cleaned_data["phone"]
    digits = _digits(phone)
    context = {
        "phone_form": phone_form,
        "email_form": email_form,
        "code_form": code_form,
        "code_sent": bool(digits) and state.get("code_phone") == digits,
        "phone_verified": False,
        "code_minutes": max(1, int(code_ttl().total_seconds() // 60)),
        "verification_url": reverse("people:manage_verify"),
        "link_notice": link_notice,
        "manage_minutes": int(manage_valid_for().total_seconds() // 60),
    }
    return render(request, "people/portal/manage_verify.html", context)


def _digits(phone: str) -> str:
    from sotong.messaging.text import normalize_mobile

    return normalize_mobile(phone or "") or ""


def _go_manage(request: HttpRequest) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("people:manage")
        return response
    return redirect("people:manage")


@never_cache
def manage_link(request: HttpRequest, token: str) -> HttpResponse:
    """The self-service e-mail link: proves the address, starts the session, opens the management page."""
    try:
        person = signup_actions.read_manage_token(token)
    except DomainError as exc:
        return render(request, "people/portal/link_invalid.html", {"error": exc.message}, status=410)
    _start(request, person, ConsentMethod.EMAIL_LINK, signup_actions.token_ref(token))
    return redirect("people:manage")


@require_POST
def manage_end(request: HttpRequest) -> HttpResponse:
    """확인 끝내기: forget the proof in this browser (a shared computer)."""
    request.session.pop(MANAGE, None)
    request.session.pop(MANAGE_CODE, None)
    messages.info(request, _("가입 정보 관리를 마쳤습니다. 다시 보려면 본인 확인을 해 주세요."))
    return redirect("people:manage_verify")


# --- the management page ------------------------------------------------------------------------------


def _live_consents(person: Person) -> list[Consent]:
    return list(
        Consent.objects.live().filter(person=person).select_related("purpose").order_by("purpose__sort_order")
    )


@never_cache
def manage(request: HttpRequest) -> HttpResponse:
    """가입 정보 관리: the person's data (contacts masked) and live consents with their buttons."""
    found = _person(request)
    if found is None:
        return _to_verify()
    person, proof = found
    return _render_manage(request, person, proof)


def _render_manage(
    request: HttpRequest,
    person: Person,
    proof: dict[str, Any],
    *,
    channel_forms: dict[int, ChannelsForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    consents = _live_consents(person)
    forms = channel_forms or {}
    rows = []
    for consent in consents:
        form = forms.get(consent.pk) or ChannelsForm(
            initial={"sms": consent.sms, "email": consent.email},
            prefix=f"c{consent.pk}",
            has_mobile=bool(person.mobile),
            has_email=bool(person.email),
        )
        rows.append({"consent": consent, "form": form})
    expires = datetime.fromisoformat(proof["seen"]) + manage_valid_for()
    context = {
        "person": person,
        "masked": person.masked(),
        "rows": rows,
        "expires_at": expires,
        "manage_minutes": int(manage_valid_for().total_seconds() // 60),
    }
    return render(request, "people/portal/manage.html", context, status=status)


def _evidence(request: HttpRequest, proof: dict[str, Any]) -> dict[str, Any]:
    key = "verification" if proof["method"] == ConsentMethod.SMS_CODE else "token_ref"
    return {
        key: proof["reference"],
        "form": "portal_manage",
        "ip": client_ip(request),
        "user_agent": request.headers.get("User-Agent", "")[:300],
        "verified_at": proof["verified_at"],
    }


def _own_consent(person: Person, pk: int) -> Consent | None:
    return Consent.objects.open().filter(person=person, pk=pk).select_related("purpose").first()


@require_POST
def manage_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """동의 철회 (one purpose), in one step."""
    found = _person(request)
    if found is None:
        return _to_verify()
    person, _proof_values = found
    consent = _own_consent(person, pk)
    if consent is None:
        messages.info(request, _("이미 철회했거나 없는 동의입니다."))
        return redirect("people:manage")
    actions.withdraw_consent(actions.CITIZEN, consent)
    messages.success(
        request,
        _("‘%(name)s’ 동의를 철회했습니다. 이 목적의 안내는 이제 보내지 않습니다.")
        % {"name": consent.purpose.name},
    )
    return redirect("people:manage")


@require_POST
def manage_withdraw_all(request: HttpRequest) -> HttpResponse:
    """전체 철회: every open consent of the person, in one transaction."""
    found = _person(request)
    if found is None:
        return _to_verify()
    person, _proof_values = found
    with transaction.atomic():
        consents = list(Consent.objects.open().filter(person=person))
        for consent in consents:
            actions.withdraw_consent(actions.CITIZEN, consent)
    if consents:
        messages.success(request, _("모든 동의를 철회했습니다. 이제 어떤 안내도 보내지 않습니다."))
    else:
        messages.info(request, _("철회할 동의가 없습니다."))
    return redirect("people:manage")


@require_POST
def manage_channels(request: HttpRequest, pk: int) -> HttpResponse:
    """수신 방법 변경 for one consent: dropping a channel withdraws it; adding one renews the consent with
    this session's proof as evidence."""
    found = _person(request)
    if found is None:
        return _to_verify()
    person, proof = found
    consent = _own_consent(person, pk)
    if consent is None:
        messages.info(request, _("이미 철회했거나 없는 동의입니다."))
        return redirect("people:manage")
    form = ChannelsForm(
        request.POST, prefix=f"c{pk}", has_mobile=bool(person.mobile), has_email=bool(person.email)
    )
    if not form.is_valid():
        return _render_manage(request, person, proof, channel_forms={pk: form}, status=422)
    sms, email = bool(form.cleaned_data["sms"]), bool(form.cleaned_data["email"])
    if (sms, email) == (consent.sms, consent.email):
        messages.info(request, _("바뀐 내용이 없습니다."))
        return redirect("people:manage")
    try:
        if (sms and not consent.sms) or (email and not consent.email):
            actions.give_consent(
                actions.CITIZEN,
                person,
                consent.purpose,
                sms=sms,
                email=email,
                method=proof["method"],
                evidence=_evidence(request, proof),
            )
        else:
            actions.withdraw_consent(actions.CITIZEN, consent, channel="sms" if not sms else "email")
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_manage(request, person, proof, channel_forms={pk: form}, status=422)
    messages.success(request, _("‘%(name)s’ 수신 방법을 바꿨습니다.") % {"name": consent.purpose.name})
    return redirect("people:manage")


@never_cache
@require_http_methods(["GET", "POST"])
def manage_details(request: HttpRequest) -> HttpResponse:
    """내 정보 변경: name, gender, birth year, dong, occupation (through `update_person`, with an Event)."""
    found = _person(request)
    if found is None:
        return _to_verify()
    person, _proof_values = found
    if request.method == "POST":
        form = DetailsForm(request.POST)
        if form.is_valid():
            changes = {
                key: form.cleaned_data.get(key)
                for key in ("name", "gender", "birth_year", "dong", "occupation")
            }
            try:
                actions.update_person(actions.CITIZEN, person, **changes)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                form.mark_errors()
            else:
                messages.success(request, _("내 정보를 고쳤습니다."))
                return redirect("people:manage")
    else:
        form = DetailsForm(
            initial={
                "name": person.name,
                "gender": person.gender,
                "birth_year": person.birth_year or "",
                "dong": person.dong,
                "occupation": person.occupation,
            }
        )
    return render(request, "people/portal/manage_details.html", {"form": form, "masked": person.masked()})
