"""Surges and urgent safety flags: their sweeps (imported by `insights.sweeps`, where the scheduler finds them).

insights.surges         hourly: a complete Seoul day not yet scanned → the detection task (so each day is
                        examined once, soon after midnight, whenever the scheduler started)
insights.safety_scan    every minute: cases or analyses above the scan watermarks → the scan task
insights.safety_refit   hourly: the classifier refitted when the representation changed, a day after the
                        last fit, or after staff decided a flag
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sotong.core.scheduler import sweep
from sotong.insights.alerts import safety, surges
from sotong.insights.alerts import tasks as alert_tasks
from sotong.insights.board.rollup import seoul_today
from sotong.insights.tasks import enqueue_once


@sweep("insights.surges", every=timedelta(hours=1))
def enqueue_surges(now: datetime) -> str:
    """Detect surges of the complete days not yet scanned."""
    if not surges.days_to_scan(seoul_today(now)):
        return "up to date"
    return "enqueued" if enqueue_once(alert_tasks.detect_surges) else "already queued"


@sweep("insights.safety_scan", every=timedelta(minutes=1))
def enqueue_safety_scan(now: datetime) -> str:
    """Flag new cases (keywords) and newly analysed ones (classifier) on the worker."""
    if not safety.pending():
        return "up to date"
    return "enqueued" if enqueue_once(alert_tasks.scan_safety) else "already queued"


@sweep("insights.safety_refit", every=timedelta(hours=1))
def enqueue_safety_refit(now: datetime) -> str:
    """Refit the urgent-safety classifier when it is due."""
    if not safety.refit_due(now):
        return "not due"
    return "enqueued" if enqueue_once(alert_tasks.refit_safety_classifier) else "already queued"
