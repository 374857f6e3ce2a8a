"""Insights sweeps run by the scheduler; each only enqueues a task, and only when there is work.

insights.analyse_new    every minute: cases above the analysis watermark → one batch task
insights.backfill       hourly: cases missing analysis, analyses of an older pipeline, stale vectors
insights.rebuild_index  every 6 hours: the graph rebuilt from stored vectors (folds the delta in)
insights.refit          daily: a new representation and department classifier
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Max

from sotong.cases.models import Case
from sotong.core.scheduler import sweep
from sotong.insights import tasks
from sotong.insights.models import CaseAnalysis
from sotong.insights.pipeline import current_model, watermark


@sweep("insights.analyse_new", every=timedelta(minutes=1))
def enqueue_analysis(now: datetime) -> str:
    """New cases since the watermark are analysed in one batch task."""
    newest = Case.objects.aggregate(top=Max("pk"))["top"] or 0
    if newest <= watermark():
        return "up to date"
    return "enqueued" if tasks.enqueue_once(tasks.analyse_new_cases) else "already queued"


@sweep("insights.backfill", every=timedelta(hours=1))
def enqueue_backfill(now: datetime) -> str:
    """Backfill analyses and vectors; idempotent, so a full pass that finds nothing costs two queries."""
    return "enqueued" if tasks.enqueue_once(tasks.backfill_analysis) else "already queued"


@sweep("insights.rebuild_index", every=timedelta(hours=6))
def enqueue_rebuild(now: datetime) -> str:
    """Rebuild the similar-case graph when a model exists."""
    if current_model() is None:
        return "no model yet"
    return "enqueued" if tasks.enqueue_once(tasks.rebuild_index) else "already queued"


@sweep("insights.refit", every=timedelta(days=1))
def enqueue_refit(now: datetime) -> str:
    """Refit the representation on everything analysed so far."""
    if not CaseAnalysis.objects.exists():
        return "nothing analysed"
    return "enqueued" if tasks.enqueue_once(tasks.refit_model) else "already queued"


# The situation board's sweep lives with the board; importing it here registers it with the scheduler.
from sotong.insights import sweeps_alerts as _alert_sweeps  # noqa: E402, F401
from sotong.insights import sweeps_clusters as _cluster_sweeps  # noqa: E402, F401
from sotong.insights.board import sweeps as _board_sweeps  # noqa: E402, F401
