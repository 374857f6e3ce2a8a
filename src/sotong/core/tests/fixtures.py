"""Fixtures of the kernel, loaded by the root conftest.py."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import call_command


@pytest.fixture
def run_worker(monkeypatch: pytest.MonkeyPatch) -> Callable[[], str]:
    """Run the real django-tasks-db worker in-process until the queue has nothing ready; returns its log.

    The worker closes stale connections between tasks; inside a test transaction that would close the
    test's own connection, so (as Django's test client does for requests) that one call is switched off.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> str:
        out = io.StringIO()
        call_command(
            "db_worker",
            "--batch",
            "--queue-name",
            "*",
            "--no-startup-delay",
            "--no-reload",
            verbosity=1,
            stdout=out,
        )
        return out.getvalue()

    return run
