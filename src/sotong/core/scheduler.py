"""Periodic sweeps: each app registers its own in `<app>/sweeps.py`; the `scheduler` command runs them.

A sweep is a plain function taking the current time and returning a short summary. It must be
idempotent: running it twice, or from two schedulers at once, changes nothing the second time.
Claiming a due run is one conditional UPDATE on `SweepRun`, so several schedulers never run the same
sweep at the same time on either database.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from sotong.core.models import SweepRun

logger = logging.getLogger(__name__)

SweepFunc = Callable[[datetime], str | None]


@dataclass(frozen=True)
class Sweep:
    name: str
    func: SweepFunc
    every: timedelta
    description: str


_registry: dict[str, Sweep] = {}


def sweep(name: str, *, every: timedelta, description: str = "") -> Callable[[SweepFunc], SweepFunc]:
    """Register `func` as the periodic sweep `name`, run every `every`."""

    def register(func: SweepFunc) -> SweepFunc:
        _registry[name] = Sweep(name, func, every, description or (func.__doc__ or "").strip())
        return func

    return register


def registered_sweeps() -> dict[str, Sweep]:
    autodiscover_modules("sweeps")
    return dict(_registry)


def claim(item: Sweep, now: datetime) -> bool:
    """Take the run that is due now; False when it is not due or another scheduler took it."""
    state, _created = SweepRun.objects.get_or_create(name=item.name, defaults={"next_run_at": now})
    claimed = SweepRun.objects.filter(
        name=item.name, next_run_at__lte=now, next_run_at=state.next_run_at
    ).update(next_run_at=now + item.every, last_started_at=now)
    return claimed == 1


def run_sweep(item: Sweep, now: datetime) -> str:
    """Run one sweep now, recording its result or error; the sweep's own writes are atomic."""
    try:
        with transaction.atomic():
            result = item.func(now) or ""
        error = ""
    except Exception:
        logger.exception("sweep %s failed", item.name)
        result, error = "", traceback.format_exc()[-4000:]
    finished = timezone.now()
    SweepRun.objects.filter(name=item.name).update(
        last_finished_at=finished, last_result=result[:2000], last_error=error, runs=F("runs") + 1
    )
    return result if not error else f"error: {error.strip().splitlines()[-1]}"


def run_due(
    now: datetime | None = None, only: list[str] | None = None, force: bool = False
) -> dict[str, str]:
    """Run every sweep that is due (or, with `force`, the named ones regardless) and report what each did."""
    now = now or timezone.now()
    results: dict[str, str] = {}
    for name, item in sorted(registered_sweeps().items()):
        if only and name not in only:
            continue
        if force:
            SweepRun.objects.update_or_create(name=name, defaults={"next_run_at": now})
        if claim(item, now):
            results[name] = run_sweep(item, now)
    return results
