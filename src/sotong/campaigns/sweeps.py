"""Campaign sweeps: start what is scheduled, and hand a crashed run's campaign to a new one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sotong.campaigns.actions import resume_stalled_campaigns, start_due_campaigns
from sotong.core.scheduler import sweep


@sweep("campaigns.start_due", every=timedelta(minutes=1))
def start_due(now: datetime) -> str:
    """Start campaigns whose scheduled time has come."""
    return f"started={start_due_campaigns(now)}"


@sweep("campaigns.resume", every=timedelta(minutes=1))
def resume(now: datetime) -> str:
    """Re-enqueue running campaigns whose run stopped (lease ran out) or whose night hold has ended."""
    return f"resumed={resume_stalled_campaigns(now)}"
