"""Fixtures of the kernel, loaded by the root conftest.py."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _own_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test writes its files (registry imports and exports...) to a folder of its own: the sweeps
    that tidy `VAR_DIR` would otherwise delete the files of tests running at the same time in another
    process (they are not that process's jobs)."""
    from django.conf import settings

    old = settings.VAR_DIR
    settings.VAR_DIR = tmp_path_factory.mktemp("var")
    yield
    settings.VAR_DIR = old


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
