"""Outbox sweeps."""

from __future__ import annotations

from datetime import datetime, timedelta

from sotong.core.scheduler import sweep
from sotong.messaging.actions import recover_stalled_messages


@sweep("messaging.recover_stalled", every=timedelta(minutes=1))
def recover_stalled(now: datetime) -> str:
    """Re-enqueue messages stuck in sending (the worker stopped) or due without a task."""
    counts = recover_stalled_messages(now)
    return ", ".join(f"{name}={count}" for name, count in counts.items())
