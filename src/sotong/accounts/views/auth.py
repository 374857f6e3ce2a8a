"""Login, two-factor (TOTP), logout and the session endpoints behind the expiry warning."""

from __future__ import annotations

import datetime as dt
from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sotong.accounts import actions
from sotong.accounts.forms import OTPTokenForm, StaffAuthenticationForm


def demo_logins_visible() -> bool:
    """Demo logins are shown only on a demo or development instance, never in production."""
    return bool(settings.DEBUG or settings.SOTONG_DEMO)


def _safe_next(request: HttpRequest, default: str | None = None) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


class StaffLoginView(auth_views.LoginView):
    """직원 로그인. django-axes locks the account after AXES_FAILURE_LIMIT failures (locked_out.html)."""

    template_name = "accounts/login.html"
    authentication_form = StaffAuthenticationForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if demo_logins_visible():
            from sotong.accounts.demo import DEMO_LOGINS

            context["demo_logins"] = DEMO_LOGINS
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        super().form_valid(form)
        user = form.get_user()
        target = self.get_success_url()
        if getattr(user, "needs_two_factor", False):
            # Password alone is not enough for these roles: the OTP page comes next.
            return HttpResponseRedirect(f"{reverse('accounts:otp')}?{urlencode({'next': target})}")
        return HttpResponseRedirect(target)


login_view = StaffLoginView.as_view()
logout_view = auth_views.LogoutView.as_view()


def _current_code(device: TOTPDevice) -> str:
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    return f"{code:0{device.digits}d}"


def _qr_svg(device: TOTPDevice) -> str:
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=5, border=2, title=_("OTP 앱 등록용 QR 코드"), svgclass="otp-qr")
    return mark_safe(svg)  # noqa: S308 - segno writes the SVG itself and escapes the title


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def otp_view(request: HttpRequest) -> HttpResponse:
    """2단계 인증: enrol a TOTP app on first use (QR code + secret), then verify a code each login."""
    next_url = _safe_next(request)
    user = request.user
    if user.is_verified() or not user.needs_two_factor:  # type: ignore[union-attr]
        return redirect(next_url)
    device = actions.confirmed_totp_device(user)  # type: ignore[arg-type]
    enrolling = device is None
    if device is None:
        device = actions.start_totp_enrolment(user)  # type: ignore[arg-type]

    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            allowed, _details = device.verify_is_allowed()
            verified = allowed and device.verify_token(form.cleaned_data["token"])
        if not allowed:
            form.add_error(None, _("인증 시도가 너무 많습니다. 잠시 후 다시 시도해 주세요."))
        elif not verified:
            form.add_error(
                "token", _("인증번호가 올바르지 않습니다. 앱에 표시된 6자리 숫자를 다시 확인해 주세요.")
            )
        else:
            if enrolling:
                actions.confirm_totp_device(user, device)  # type: ignore[arg-type]
            otp_login(request, device)
            return redirect(next_url)

    context: dict[str, Any] = {"form": form, "enrolling": enrolling, "next": next_url}
    if enrolling:
        context["qr_svg"] = _qr_svg(device)
        context["secret"] = _grouped(b32encode(device.bin_key).decode())
    if settings.SOTONG_DEMO:
        context["demo_code"] = _current_code(device)
    return render(request, "accounts/otp.html", context)


# Session expiry warning --------------------------------------------------------------------------------


def _stored_expiry(request: HttpRequest) -> dt.datetime | None:
    """When the session expires as stored, without touching it (db and cached_db backends)."""
    session = request.session
    key = session.session_key
    model = getattr(session, "model", None)
    if not key or model is None:
        return None
    return model.objects.filter(session_key=key).values_list("expire_date", flat=True).first()


@require_GET
@never_cache
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left in the session, for the expiry warning. Reading it must not extend the session."""
    request.session_readonly = True  # type: ignore[attr-defined]  # see TwoFactorRequiredMiddleware
    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False, "seconds_left": 0, "expires_at": None})
    expires_at = _stored_expiry(request)
    if expires_at is None:
        expires_at = timezone.now() + dt.timedelta(seconds=request.session.get_expiry_age())
    seconds_left = max(0, int((expires_at - timezone.now()).total_seconds()))
    return JsonResponse(
        {
            "authenticated": True,
            "seconds_left": seconds_left,
            "expires_at": expires_at.isoformat(),
            "warning_seconds": settings.SESSION_WARNING_SECONDS,
        }
    )


@require_POST
@never_cache
def session_extend(request: HttpRequest) -> JsonResponse:
    """연장: touch the session so it lasts SESSION_COOKIE_AGE from now; answers the new expiry."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"authenticated": False, "error": _("세션이 만료되었습니다. 다시 로그인해 주세요.")}, status=401
        )
    request.session.modified = True
    seconds = request.session.get_expiry_age()
    expires_at = timezone.now() + dt.timedelta(seconds=seconds)
    return JsonResponse(
        {"authenticated": True, "seconds_left": seconds, "expires_at": expires_at.isoformat()}
    )
