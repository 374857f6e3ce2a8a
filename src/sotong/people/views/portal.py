"""전자소통 가입 on the portal: 정보 입력 → 개인정보 동의 → 확인·본인 인증 → 완료.

The pending sign-up lives in the session (`SIGNUP`) until the citizen proves a contact: with a mobile
number by the SMS code of the cases portal (`cases.actions.verification`, the same limits and the same
`_phone_verification.html` block), otherwise by an e-mail link that carries the sign-up itself. Only then
does `people.actions.signup.sign_up` write the person and the consents, in one transaction. The completion
page says the same whether the person was new or already registered.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sotong.cases.actions.verification import code_ttl, send_phone_code, verify_phone_code
from sotong.cases.errors import CasesError
from sotong.cases.models import PhoneVerification
from sotong.core.crypto import phone_index_for
from sotong.core.errors import DomainError
from sotong.core.masking import format_phone
from sotong.core.privacy import client_ip
from sotong.people.actions import signup as signup_actions
from sotong.people.forms_portal import PhoneCodeForm, SignupConsentForm, SignupForm, signup_notices
from sotong.people.models import ConsentMethod, Gender

SIGNUP = "people.portal.signup"
SIGNUP_DONE = "people.portal.signup_done"
PURPOSE_SIGNUP = "people_signup"

STEPS = (
    ("details", "people:signup", gettext_lazy("정보 입력")),
    ("consent", "people:signup_consent", gettext_lazy("개인정보 동의")),
    ("confirm", "people:signup_confirm", gettext_lazy("확인·본인 인증")),
)


def verification_valid_for() -> timedelta:
    """How long a verified phone stays good for finishing the sign-up (10 minutes)."""
    return timedelta(seconds=int(getattr(settings, "SOTONG_PEOPLE_VERIFICATION_VALID_SECONDS", 10 * 60)))


def steps_context(current: str, steps: tuple[tuple[str, str, Any], ...] = STEPS) -> dict[str, Any]:
    """The KRDS step indicator (`cases/portal/_steps.html`) for `current`."""
    reached = False
    items = []
    for number, (slug, url_name, label) in enumerate(steps, start=1):
        if slug == current:
            state, reached = "active", True
        else:
            state = "" if reached else "done"
        items.append({"number": number, "label": label, "state": state, "url": reverse(url_name)})
    active = next(item for item in items if item["state"] == "active")
    return {"steps": items, "step": active, "step_count": len(items)}


def _draft(request: HttpRequest) -> dict[str, Any]:
    draft = request.session.get(SIGNUP)
    return draft if isinstance(draft, dict) else {}


def _save(request: HttpRequest, draft: dict[str, Any]) -> None:
    request.session[SIGNUP] = draft
    request.session.modified = True


def _user_agent(request: HttpRequest) -> str:
    return request.headers.get("User-Agent", "")[:300]


def phone_verified(draft: dict[str, Any], phone: str, valid_for: timedelta) -> bool:
    """Whether `draft` holds a fresh verification of `phone` (digits)."""
    if not phone or draft.get("verified_phone") != phone or not draft.get("verified_at"):
        return False
    return timezone.now() - datetime.fromisoformat(draft["verified_at"]) < valid_for


def send_code(request: HttpRequest, draft: dict[str, Any], phone: str, *, purpose: str) -> PhoneCodeForm:
    """인증번호 받기 for `phone`; the outcome is shown in the verification block."""
    code_form = PhoneCodeForm()
    try:
        send_phone_code(phone, ip=client_ip(request), purpose=purpose)
    except CasesError as error:
        code_form.phone_error = error.message  # type: ignore[attr-defined]
        return code_form
    from sotong.messaging.text import normalize_mobile

    draft["code_phone"] = normalize_mobile(phone) or ""
    draft.pop("verified_phone", None)
    draft.pop("verified_at", None)
    code_form.notice = _("인증번호를 보냈습니다. 문자로 받은 6자리 숫자를 입력해 주세요.")  # type: ignore[attr-defined]
    return code_form


def verify_code(request: HttpRequest, draft: dict[str, Any], phone: str, *, purpose: str) -> PhoneCodeForm:
    """인증번호 확인; on success the draft records the phone, the time and the verification's id."""
    code_form = PhoneCodeForm(request.POST)
    if not code_form.is_valid():
        return code_form
    try:
        verified_at = verify_phone_code(phone, code_form.cleaned_data["code"], purpose=purpose)
    except CasesError as error:
        if error.field == "phone":
            code_form.phone_error = error.message  # type: ignore[attr-defined]
        else:
            code_form.add_error("code", error.message)
            code_form.mark_errors()
        return code_form
    verification = (
        PhoneVerification.objects.filter(
            phone_index=phone_index_for(phone), purpose=purpose, verified_at=verified_at
        )
        .values_list("pk", flat=True)
        .first()
    )
    draft["verified_phone"] = phone
    draft["verified_at"] = verified_at.isoformat()
    draft["verification"] = f"phone:{verification}"
    return PhoneCodeForm()


# --- 1단계 정보 입력 ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """1단계 정보 입력: name, mobile and/or e-mail, optional details, the channels wanted."""
    draft = _draft(request)
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            details = dict(form.cleaned_data)
            if details.get("mobile") != (draft.get("details") or {}).get("mobile"):
                for key in ("code_phone", "verified_phone", "verified_at", "verification"):
                    draft.pop(key, None)
            draft["details"] = details
            draft.pop("link_sent_to", None)
            _save(request, draft)
            return redirect("people:signup_consent")
    else:
        form = SignupForm(initial=draft.get("details") or {"sms": True})
    return render(request, "people/portal/signup_details.html", {"form": form, **steps_context("details")})


# --- 2단계 개인정보 동의 -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup_consent(request: HttpRequest) -> HttpResponse:
    """2단계 개인정보 동의: [필수] 전자소통 정책정보 수신; [선택] purposes never block the sign-up."""
    draft = _draft(request)
    if not draft.get("details"):
        return redirect("people:signup")
    notices = signup_notices()
    if request.method == "POST":
        form = SignupConsentForm(request.POST, notices=notices)
        if form.is_valid():
            draft["consent"] = {"agreed": form.agreed(), "at": timezone.now().isoformat()}
            _save(request, draft)
            return redirect("people:signup_confirm")
    else:
        agreed = (draft.get("consent") or {}).get("agreed")
        initial = (
            {} if agreed is None else {n.key: "agree" if n.key in agreed else "disagree" for n in notices}
        )
        form = SignupConsentForm(initial=initial, notices=notices)
    return render(request, "people/portal/signup_consent.html", {"form": form, **steps_context("consent")})


# --- 3단계 확인·본인 인증 ------------------------------------------------------------------------------------


def _signup_of(request: HttpRequest, draft: dict[str, Any]) -> signup_actions.Signup:
    details, consent = draft["details"], draft["consent"]
    return signup_actions.Signup(
        name=details["name"],
        mobile=details.get("mobile") or "",
        email=details.get("email") or "",
        gender=details.get("gender") or "",
        birth_year=details.get("birth_year"),
        dong=details.get("dong") or "",
        occupation=details.get("occupation") or "",
        sms=bool(details.get("sms")),
        email_channel=bool(details.get("email_channel")),
        purposes=list(consent["agreed"]),
        consented_at=consent["at"],
        ip=client_ip(request),
        user_agent=_user_agent(request),
    )


def _summary(draft: dict[str, Any]) -> dict[str, Any]:
    details = draft["details"]
    notices = signup_notices()
    agreed = set(draft["consent"]["agreed"])
    channels = [
        str(label)
        for key, label in (("sms", _("문자")), ("email_channel", _("전자우편")))
        if details.get(key)
    ]
    return {
        "name": details["name"],
        "mobile": format_phone(details.get("mobile") or ""),
        "email": details.get("email") or "",
        "gender": str(Gender(details["gender"]).label) if details.get("gender") else "",
        "birth_year": details.get("birth_year") or "",
        "dong": details.get("dong") or "",
        "occupation": details.get("occupation") or "",
        "channels": channels,
        "consents": [(notice, notice.key in agreed) for notice in notices],
    }


@never_cache
@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest) -> HttpResponse:
    """3단계 확인·본인 인증: what will be recorded; the phone proven by an SMS code (then 가입하기), or,
    without a phone, a confirmation link sent to the e-mail address."""
    draft = _draft(request)
    if not draft.get("details"):
        return redirect("people:signup")
    if not draft.get("consent"):
        return redirect("people:signup_consent")
    phone = draft["details"].get("mobile") or ""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    code_form = PhoneCodeForm()
    error = None
    link_sent = False
    if phone and action == "send_code":
        code_form = send_code(request, draft, phone, purpose=PURPOSE_SIGNUP)
        _save(request, draft)
    elif phone and action == "verify_code":
        code_form = verify_code(request, draft, phone, purpose=PURPOSE_SIGNUP)
        _save(request, draft)
    elif phone and action == "submit":
        if phone_verified(draft, phone, verification_valid_for()):
            try:
                signup_actions.sign_up(
                    _signup_of(request, draft),
                    method=ConsentMethod.SMS_CODE,
                    reference=draft.get("verification") or "phone",
                    verified_at=datetime.fromisoformat(draft["verified_at"]),
                )
            except DomainError as exc:
                error = exc.message
            else:
                return _finished(request)
        else:
            code_form.phone_error = _(  # type: ignore[attr-defined]
                "휴대전화 인증을 마쳐 주세요. ‘인증번호 받기’를 누르고 문자로 받은 번호를 입력합니다."
            )
    elif not phone and action == "send_link":
        link_sent, error = _send_signup_link(request, draft)
    context = {
        **steps_context("confirm"),
        "summary": _summary(draft),
        "phone": phone,
        "code_form": code_form,
        "code_sent": bool(phone) and draft.get("code_phone") == phone,
        "phone_verified": phone_verified(draft, phone, verification_valid_for()),
        "code_minutes": max(1, int(code_ttl().total_seconds() // 60)),
        "verification_url": reverse("people:signup_confirm"),
        "link_sent": link_sent or bool(draft.get("link_sent_to")),
        "link_minutes": int(signup_actions.link_ttl().total_seconds() // 60),
        "error": error,
    }
    return render(request, "people/portal/signup_confirm.html", context)


def _send_signup_link(request: HttpRequest, draft: dict[str, Any]) -> tuple[bool, str | None]:
    pending = _signup_of(request, draft)
    token = signup_actions.make_signup_token(pending)
    url = settings.SITE_URL + reverse("people:signup_link", kwargs={"token": token})
    try:
        signup_actions.send_link(pending.email, kind="signup", url=url, ip=pending.ip)
    except DomainError as exc:
        return False, exc.message
    draft["link_sent_to"] = pending.email
    _save(request, draft)
    return True, None


def _finished(request: HttpRequest) -> HttpResponse:
    request.session.pop(SIGNUP, None)
    request.session[SIGNUP_DONE] = True
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("people:signup_done")
        return response
    return redirect("people:signup_done")


@never_cache
@require_http_methods(["GET", "POST"])
def signup_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail link: GET shows what will be recorded and a button (mail scanners open links too);
    POST finishes the sign-up. An expired or broken link says so; a used one goes to the completion page."""
    try:
        pending = signup_actions.read_signup_token(token)
    except DomainError as exc:
        return render(request, "people/portal/link_invalid.html", {"error": exc.message}, status=410)
    reference = signup_actions.token_ref(token)
    if signup_actions.signup_done_by(reference):
        return _finished(request)
    error = None
    if request.method == "POST":
        try:
            signup_actions.sign_up(
                pending, method=ConsentMethod.EMAIL_LINK, reference=reference, verified_at=timezone.now()
            )
        except DomainError as exc:
            error = exc.message
        else:
            return _finished(request)
    return render(
        request,
        "people/portal/signup_link.html",
        {"email": pending.email, "name": pending.name, "error": error},
    )


def signup_done(request: HttpRequest) -> HttpResponse:
    """완료: the same words whether the person was new or already registered."""
    if not request.session.get(SIGNUP_DONE):
        return redirect("people:signup")
    return render(request, "people/portal/signup_done.html")
