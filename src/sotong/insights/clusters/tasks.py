"""Worker tasks of the clusters: a clustering run (by id) and the assignment of new cases to topics."""

from __future__ import annotations

from django_tasks import task

from sotong.insights.clusters import assign, runs


@task()
def run_clustering(run_id: int) -> str:
    """군집 분석: do one pending run (a run already taken by another worker is left alone)."""
    run = runs.execute_run(run_id)
    return f"run {run.pk} {run.status}: {run.k} clusters of {run.cases} cases in {run.seconds or 0:.1f}s"


@task()
def assign_new_cases() -> str:
    """신규 민원 배정: analysed cases above the cursor into the nearest active topic."""
    return str(assign.assign_new())
