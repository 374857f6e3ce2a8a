import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# The date the current 개인정보 처리방침 took effect; a deployment sets its own.
DEFAULT_PRIVACY_POLICY_DATE = datetime.date(2026, 1, 1)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def privacy(request: HttpRequest) -> HttpResponse:
    """개인정보 처리방침 (개인정보 보호법 §30): the officer's details come from settings."""
    officer = {
        "department": "",
        "title": "",
        "phone": "",
        "email": "",
        **getattr(settings, "SOTONG_PRIVACY_OFFICER", {}),
    }
    effective = getattr(settings, "SOTONG_PRIVACY_POLICY_DATE", None) or DEFAULT_PRIVACY_POLICY_DATE
    if isinstance(effective, str):
        effective = datetime.date.fromisoformat(effective)
    return render(request, "portal/privacy.html", {"officer": officer, "effective_date": effective})
