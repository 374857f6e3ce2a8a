"""Campaign sweeps: start what is scheduled, hand a crashed run's campaign to a new one, and delete the
recipient rows of campaigns that ended longer ago than the retention period."""

from __future__ import annotations

from datetime import datetime, timedelta

from sotong.campaigns.actions import purge_recipients, resume_stalled_campaigns, start_due_campaigns
from sotong.core.scheduler import sweep


@sweep("campaigns.start_due", every=timedelta(minutes=1))
def start_due(now: datetime) -> str:
    """Start campaigns whose scheduled time has come."""
    return f"started={start_due_campaigns(now)}"


@sweep("campaigns.resume", every=timedelta(minutes=1))
def resume(now: datetime) -> str:
    """Re-enqueue running campaigns whose run stopped (lease ran out) or whose night hold has ended."""
    return f"resumed={resume_stalled_campaigns(now)}"


@sweep("campaigns.purge_recipients", every=timedelta(hours=1))
def purge_old_recipients(now: datetime) -> str:
    """발송 대상 기록 파기: recipient rows SOTONG_CAMPAIGN_RECIPIENT_KEEP_DAYS (183) days after the campaign
    ended, in keyed batches for at most SOTONG_CAMPAIGN_PURGE_SECONDS (20) seconds a run."""
    done = purge_recipients(now)
    return f"rows={done['rows']} campaigns={done['campaigns']}"
