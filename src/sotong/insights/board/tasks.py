"""Worker tasks of the situation board: the rollup of recent days, and a backfill of a range."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from sotong.insights.board import rollup


@task()
def rollup_recent() -> str:
    """상황판 집계: the last `RECENT_DAYS` days, each rewritten in one transaction."""
    return str(rollup.recompute_recent())


@task()
def rollup_range(first: str, last: str) -> str:
    """상황판 집계 for the days from `first` to `last` (ISO dates), both included."""
    return str(rollup.recompute_range(date.fromisoformat(first), date.fromisoformat(last)))
