"""Kernel tasks."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from sotong.core.models import Heartbeat


@task()
def record_worker_heartbeat() -> str:
    """Proves the worker takes tasks off the queue: /healthz reads the time it last ran."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name="worker", defaults={"beat_at": now})
    return now.isoformat()
