"""Topic clusters, their staff pages and the cluster sweeps (imported by `insights.sweeps`, where the scheduler finds them).

insights.assign_topics  every minute: analysed cases above the assignment cursor → one task
insights.recluster      checked every 10 minutes, a run a day: the last year up to yesterday re-clustered
                        (a new run) when no run covers yesterday yet and none is waiting or running, so the
                        first run follows the first model within minutes, not a day later
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sotong.core.scheduler import sweep
from sotong.insights import tasks
from sotong.insights.board.rollup import seoul_today
from sotong.insights.clusters import assign, runs
from sotong.insights.clusters import tasks as cluster_tasks
from sotong.insights.models_clusters import ClusterRun
from sotong.insights.pipeline import current_model

RECLUSTER_DAYS = 365


@sweep("insights.assign_topics", every=timedelta(minutes=1))
def enqueue_assignment(now: datetime) -> str:
    """New analysed cases are put into the staff's topics by one task."""
    if not assign.pending():
        return "up to date"
    return "enqueued" if tasks.enqueue_once(cluster_tasks.assign_new_cases) else "already queued"


@sweep("insights.recluster", every=timedelta(minutes=10))
def enqueue_recluster(now: datetime) -> str:
    """Re-cluster the last year up to yesterday once a day: names and pins carry over by centroid matching."""
    if current_model() is None:
        return "no model yet"
    if ClusterRun.objects.filter(status__in=(ClusterRun.Status.PENDING, ClusterRun.Status.RUNNING)).exists():
        return "a run is waiting"
    last = seoul_today(now) - timedelta(days=1)
    if ClusterRun.objects.filter(status=ClusterRun.Status.DONE, last_day__gte=last).exists():
        return "up to date"
    if ClusterRun.objects.filter(
        status=ClusterRun.Status.FAILED, created_at__gte=now - timedelta(days=1)
    ).exists():
        return "a run failed in the last day: tried again tomorrow"
    run = runs.request_run(last - timedelta(days=RECLUSTER_DAYS - 1), last, actor="scheduler")
    return f"run {run.pk} enqueued"
