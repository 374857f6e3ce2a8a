"""Kernel sweeps."""

from __future__ import annotations

from datetime import datetime, timedelta

from sotong.core.scheduler import sweep
from sotong.core.tasks import record_worker_heartbeat


@sweep("core.worker_heartbeat", every=timedelta(seconds=30))
def enqueue_worker_heartbeat(now: datetime) -> str:
    """Put a heartbeat task on the queue; the worker records the time when it runs it."""
    record_worker_heartbeat.enqueue()
    return "enqueued"
