"""Background work of the text pipeline on the task worker; each task is idempotent and takes no ids of
its own (it works from the watermark and the stored rows), so running it twice does nothing new."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from sotong.insights import pipeline


def _pending(task_path: str) -> bool:
    """True when the same task already waits in the database queue (the sweep then adds none)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task_path, status__in=("READY", "RUNNING")).exists()


def enqueue_once(item: object) -> bool:
    """Enqueue a no-argument task unless it is already waiting; True when enqueued."""
    path = f"{item.func.__module__}.{item.func.__name__}"  # type: ignore[attr-defined]
    if _pending(path):
        return False
    item.enqueue()  # type: ignore[attr-defined]
    return True


@task()
def analyse_new_cases() -> str:
    """민원 분석: the cases received since the last batch (a first model is fitted when there is none)."""
    result = pipeline.analyse_new()
    if result.rebuild_wanted:
        enqueue_once(fold_delta)
    return str(result)


@task()
def backfill_analysis() -> str:
    """Cases without analysis (or from an older pipeline) and vectors of an older model."""
    result = pipeline.analyse_missing()
    vectorised = pipeline.vectorise_stale()
    if result.rebuild_wanted:
        enqueue_once(fold_delta)
    return f"{result}, vectorised {vectorised}"


@task()
def refit_model() -> str:
    """Fit the representation and the department classifier again, re-vectorise, rebuild the index."""
    model = pipeline.refit()
    return f"model {model.version} on {model.fitted_on} analyses"


@task()
def rebuild_index() -> str:
    """Rebuild the similar-case graph from the stored vectors, folding in the delta."""
    return f"indexed {pipeline.rebuild_index()}"


@task()
def fold_delta() -> str:
    """Add the cases of the delta to the similar-case graph (when the delta has grown past its limit)."""
    return f"indexed {pipeline.fold_delta()}"
