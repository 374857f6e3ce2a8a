"""Kernel tasks."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks.signals import task_enqueued
from django_tasks.utils import normalize_json

from sotong.core.db.inserts import insert_row
from sotong.core.models import Heartbeat


@task()
def record_worker_heartbeat() -> str:
    """Proves the worker takes tasks off the queue: /healthz reads the time it last ran."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name="worker", defaults={"beat_at": now})
    return now.isoformat()


def enqueue_with_row(task: Task[..., Any], *args: Any) -> None:
    """Enqueue `task(*args)` on the database backend as one compiled INSERT in the caller's transaction.

    The same row `task.enqueue()` writes (through the backend's own model and defaults), without the
    ORM's per-row query compilation: the outbox enqueues one delivery per citizen notice, and that
    was a fifth of a submission's cost. The task is validated by the backend on first use, and the
    `task_enqueued` signal is sent as the backend sends it. Other backends get `task.enqueue()` after
    commit, since they cannot roll back with the caller.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        transaction.on_commit(partial(task.enqueue, *args))
        return
    if task.module_path not in _validated:
        backend.validate_task(task)
        _validated.add(task.module_path)
    row = DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after,
        backend_name=backend.alias,
    )
    insert_row(row)
    if task_enqueued.has_listeners(type(backend)):
        task_enqueued.send(type(backend), task_result=row.task_result)


_validated: set[str] = set()
