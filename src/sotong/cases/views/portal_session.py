"""The citizen's session on the portal: a warning before it runs out, 연장, 끝내기, and the page after expiry.

An anonymous citizen keeps two things in the session: the wizard's draft (with uploaded files waiting in
the draft folder) and the cases looked up with receipt number and phone. Both vanish with the session after
SESSION_COOKIE_AGE of inactivity, so pages that show them carry the KRDS session-expiry modal
(`cases/portal/_session_warning.html`, driven by static/sotong/js/session.js like the office's).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from sotong.cases.views.portal import DRAFT, LOOKED_UP, _discard_draft


def session_kept(request: HttpRequest) -> bool:
    """Whether this browser's session holds a draft or looked-up cases the citizen would lose."""
    session = getattr(request, "session", None)
    return session is not None and bool(session.get(DRAFT) or session.get(LOOKED_UP))


@require_POST
@never_cache
def session_extend(request: HttpRequest) -> JsonResponse:
    """연장: keep the draft and the looked-up cases for another SESSION_COOKIE_AGE; 410 when already gone."""
    if not session_kept(request):
        return JsonResponse(
            {"error": _("이용 시간이 지나 작성 중인 내용이 지워졌습니다. 처음부터 다시 해 주세요.")},
            status=410,
        )
    request.session.modified = True
    seconds = request.session.get_expiry_age()
    return JsonResponse(
        {"seconds_left": seconds, "expires_at": (timezone.now() + timedelta(seconds=seconds)).isoformat()}
    )


@require_POST
def session_end(request: HttpRequest) -> HttpResponse:
    """끝내기: discard the draft (and its waiting files) and forget the looked-up cases in this browser."""
    _discard_draft(request)
    request.session.pop(LOOKED_UP, None)
    messages.info(request, _("작성 중인 신청서와 조회한 신청 내역을 이 브라우저에서 지웠습니다."))
    return redirect("portal:home")


@require_GET
@never_cache
def session_expired(request: HttpRequest) -> HttpResponse:
    """Where the page goes when the countdown ends: whatever is left is discarded, and the citizen is told."""
    _discard_draft(request)
    request.session.pop(LOOKED_UP, None)
    messages.warning(
        request,
        _("이용 시간이 지나 작성 중인 신청서와 조회한 신청 내역을 지웠습니다. 처음부터 다시 해 주세요."),
    )
    return redirect("portal:home")
