"""Pages and endpoints that work without a login: unsubscribe (RFC 8058 one-click POST and a preference
page) and the inbound webhooks of the SMS gateway's delivery reports and the mail provider's bounces.

The unsubscribe URL carries a signed token, so neither a session nor a CSRF cookie is needed (a mail
client's one-click POST has neither); webhooks are signed with SOTONG_CAMPAIGN_WEBHOOK_SECRET.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from sotong.campaigns import inbound
from sotong.campaigns.models import Channel, EventKind, Newsletter
from sotong.campaigns.tokens import read_purpose_token, read_unsubscribe_token
from sotong.people.models import Consent, ConsentPurpose

MAX_WEBHOOK_BYTES = 1_000_000


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the preference page. POST "List-Unsubscribe=One-Click" (RFC 8058): withdraw at once, answer 200.
    POST from the page: the whole consent, or only the channel the message came by."""
    read = read_unsubscribe_token(token)
    newsletter = Newsletter.objects.filter(pk=read[0]).first() if read else None
    if read is None or newsletter is None:
        if request.method == "POST" and "List-Unsubscribe" in request.POST:
            return HttpResponse(
                _("잘못된 수신 거부 링크입니다."), status=400, content_type="text/plain; charset=utf-8"
            )
        return render(request, "campaigns/public/invalid.html", status=404)
    _newsletter_id, person_id, channel = read
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        scope = request.POST.get("scope", "all")
        if not one_click and scope not in ("all", "channel"):
            return render(
                request,
                "campaigns/public/preferences.html",
                _context(
                    newsletter.name,
                    newsletter.purpose_id,
                    person_id,
                    channel,
                    token,
                    error=_("수신 거부 범위를 골라 주세요."),
                ),
                status=400,
            )
        done = inbound.unsubscribe(
            token,
            only_channel=scope == "channel" and not one_click,
            source="one-click" if one_click else "page",
        )
        if one_click:
            return HttpResponse(_("수신 거부되었습니다."), content_type="text/plain; charset=utf-8")
        return render(
            request,
            "campaigns/public/done.html",
            {"name": newsletter.name, "done": done, "scope": scope, "channel": channel},
        )
    return render(
        request,
        "campaigns/public/preferences.html",
        _context(newsletter.name, newsletter.purpose_id, person_id, channel, token),
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def purpose_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The same for the registry's message screen, whose e-mails are sent for a consent purpose: GET the
    confirmation page, POST "List-Unsubscribe=One-Click" withdraws that purpose's consent (RFC 8058)."""
    read = read_purpose_token(token)
    purpose = ConsentPurpose.objects.filter(pk=read[0]).first() if read else None
    if read is None or purpose is None:
        if request.method == "POST" and "List-Unsubscribe" in request.POST:
            return HttpResponse(
                _("잘못된 수신 거부 링크입니다."), status=400, content_type="text/plain; charset=utf-8"
            )
        return render(request, "campaigns/public/invalid.html", status=404)
    _purpose_id, person_id, channel = read
    if request.method == "GET":
        return render(
            request,
            "campaigns/public/preferences.html",
            _context(purpose.name, purpose.pk, person_id, channel, token),
        )
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    scope = request.POST.get("scope", "all")
    if not one_click and scope not in ("all", "channel"):
        context = _context(
            purpose.name, purpose.pk, person_id, channel, token, error=_("수신 거부 범위를 골라 주세요.")
        )
        return render(request, "campaigns/public/preferences.html", context, status=400)
    inbound.unsubscribe_purpose(token, only_channel=scope == "channel" and not one_click)
    if one_click:
        return HttpResponse(_("수신 거부되었습니다."), content_type="text/plain; charset=utf-8")
    return render(
        request, "campaigns/public/done.html", {"name": purpose.name, "scope": scope, "channel": channel}
    )


def _context(
    name: str, purpose_id: int, person_id: int, channel: str, token: str, error: str = ""
) -> dict[str, Any]:
    consent = Consent.objects.open().filter(person_id=person_id, purpose_id=purpose_id).first()
    return {
        "name": name,
        "consent": consent,
        "subscribed": consent is not None,
        "channel_label": Channel(channel).label,
        "token": token,
        "error": error,
    }


def _verified(request: HttpRequest) -> JsonResponse | dict[str, Any]:
    secret = getattr(settings, "SOTONG_CAMPAIGN_WEBHOOK_SECRET", "")
    if not secret:
        return _error(
            503, "not_configured", _("수신 설정이 되어 있지 않습니다 (SOTONG_CAMPAIGN_WEBHOOK_SECRET).")
        )
    if len(request.body) > MAX_WEBHOOK_BYTES:
        return _error(413, "too_large", _("요청이 너무 큽니다."))
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Sotong-Signature", "")):
        return _error(401, "bad_signature", _("서명이 올바르지 않습니다."), field="X-Sotong-Signature")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return _error(400, "invalid_json", _("JSON 형식이 아닙니다."))
    return body if isinstance(body, dict) else {}


def _error(status: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    return JsonResponse({"error": code, "message": message, "field": field}, status=status)


def _items(body: dict[str, Any], key: str) -> list[dict[str, Any]] | JsonResponse:
    items = body.get(key)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return _error(400, "invalid", _("'%(key)s' 목록이 필요합니다.") % {"key": key}, field=key)
    return items


@csrf_exempt
@require_POST
def sms_reports(request: HttpRequest) -> JsonResponse:
    """SMS delivery reports: {"reports": [{"messageId": "c1r2", "statusCode": "4000", "statusMessage": ""}]}."""
    body = _verified(request)
    if isinstance(body, JsonResponse):
        return body
    items = _items(body, "reports")
    if isinstance(items, JsonResponse):
        return items
    counts = {"recorded": 0, "unmatched": 0}
    for item in items:
        event = inbound.record_delivery_report(
            str(item.get("messageId", "")),
            status_code=str(item.get("statusCode", "")),
            detail=str(item.get("statusMessage", ""))[:300],
        )
        counts["recorded" if event else "unmatched"] += 1
    return JsonResponse(counts)


KINDS = {"hard": EventKind.HARD_BOUNCE, "soft": EventKind.SOFT_BOUNCE, "complaint": EventKind.COMPLAINT}


@csrf_exempt
@require_POST
def email_bounces(request: HttpRequest) -> JsonResponse:
    """E-mail bounces: {"events": [{"reference": "c1r2", "type": "hard"|"soft"|"complaint", "detail": ""}]}."""
    body = _verified(request)
    if isinstance(body, JsonResponse):
        return body
    items = _items(body, "events")
    if isinstance(items, JsonResponse):
        return items
    for item in items:
        if item.get("type") not in KINDS:
            return _error(
                400, "invalid_type", _("type 은 hard, soft, complaint 중 하나여야 합니다."), field="type"
            )
    counts = {"recorded": 0, "unmatched": 0}
    for item in items:
        event = inbound.record_bounce(
            str(item.get("reference", "")), kind=KINDS[item["type"]], detail=str(item.get("detail", ""))[:300]
        )
        counts["recorded" if event else "unmatched"] += 1
    return JsonResponse(counts)
