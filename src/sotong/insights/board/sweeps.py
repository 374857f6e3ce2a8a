"""Sweep of the situation board (imported by `insights.sweeps`, where the scheduler finds it).

insights.rollup   every 10 minutes: the recent days' rollups recomputed on the worker
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sotong.core.scheduler import sweep
from sotong.insights import tasks
from sotong.insights.board import tasks as board_tasks


@sweep("insights.rollup", every=timedelta(minutes=10))
def enqueue_rollup(now: datetime) -> str:
    """Recompute the board's rollups of recent days on the worker (one task waiting at most)."""
    return "enqueued" if tasks.enqueue_once(board_tasks.rollup_recent) else "already queued"
