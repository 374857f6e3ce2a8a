"""Kernel views: the health check."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from sotong.core.models import Heartbeat


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachable, worker and scheduler alive (heartbeat younger than SOTONG_HEARTBEAT_MAX_AGE)."""
    checks: dict[str, dict[str, object]] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"ok": True, "vendor": connection.vendor}
        beats = {b.name: b for b in Heartbeat.objects.filter(name__in=["worker", "scheduler"])}
    except Exception as exc:
        checks["database"] = {"ok": False, "error": type(exc).__name__}
        beats = {}
    max_age = timedelta(seconds=settings.SOTONG_HEARTBEAT_MAX_AGE)
    now = timezone.now()
    for name in ("worker", "scheduler"):
        beat = beats.get(name)
        if beat is None:
            checks[name] = {"ok": False, "last_beat": None}
        else:
            age = (now - beat.beat_at).total_seconds()
            checks[name] = {
                "ok": now - beat.beat_at <= max_age,
                "last_beat": beat.beat_at.isoformat(),
                "age_seconds": round(age),
            }
    healthy = all(bool(c["ok"]) for c in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )
