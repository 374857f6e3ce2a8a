"""Coordinators and system administrators must pass TOTP before any staff page (the admin included)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class TwoFactorRequiredMiddleware:
    """Send a signed-in user who needs two-factor and has not passed it to `accounts:otp`.

    Only the pages needed to get through login are exempt: login, logout, the OTP page itself and the
    session endpoints. The role-management pages under /accounts/staff/ are not.

    It also keeps read-only requests from extending the session: with SESSION_SAVE_EVERY_REQUEST every
    response re-saves the session and pushes its expiry back, which would make the expiry warning's
    own polling (`accounts:session_status`) keep the session alive. A view that sets
    `request.session_readonly = True` has its session left untouched.
    """

    exempt_prefixes = ("/static/", "/healthz", "/i18n/", "/favicon.ico")
    exempt_url_names = ("login", "logout", "otp", "session_status", "session_extend")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._exempt_paths: tuple[str, ...] | None = None

    def exempt_paths(self) -> tuple[str, ...]:
        if self._exempt_paths is None:
            self._exempt_paths = tuple(reverse(f"accounts:{name}") for name in self.exempt_url_names)
        return self._exempt_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.exempt_prefixes)
            and request.path not in self.exempt_paths()
            and getattr(user, "needs_two_factor", False)
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
        ):
            if request.path.startswith("/api/"):
                body = {
                    "error": "two_factor_required",
                    "message": "2단계 인증을 먼저 마쳐야 합니다.",
                    "field": None,
                }
                return JsonResponse(body, status=403)
            return redirect(f"{reverse('accounts:otp')}?{urlencode({'next': request.get_full_path()})}")
        response = self.get_response(request)
        if getattr(request, "session_readonly", False) and hasattr(request, "session"):
            # SessionMiddleware (earlier in MIDDLEWARE, so later on the way out) saves nothing when the
            # request carries no session; the cookie and the stored expiry stay as they were.
            del request.session
        return response
