"""Run the periodic sweeps that apps register in `<app>/sweeps.py`.

manage.py scheduler            # loop forever (what `make run` starts)
manage.py scheduler --once     # run what is due now, then exit
manage.py scheduler --list     # show the registered sweeps and their state
manage.py scheduler --run NAME # run one sweep now, due or not
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from sotong.core.models import Heartbeat, SweepRun
from sotong.core.scheduler import registered_sweeps, run_due


class Command(BaseCommand):
    help = "Run the periodic sweeps (deadline reminders, retries, heartbeats…)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="run what is due now and exit")
        parser.add_argument("--list", action="store_true", help="list registered sweeps")
        parser.add_argument("--run", action="append", metavar="NAME", help="run this sweep now (repeatable)")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between checks")

    def handle(self, *args: Any, **options: Any) -> None:
        sweeps = registered_sweeps()
        if options["list"]:
            states = {s.name: s for s in SweepRun.objects.all()}
            for name, item in sorted(sweeps.items()):
                state = states.get(name)
                nxt = f"{timezone.localtime(state.next_run_at):%Y-%m-%d %H:%M:%S}" if state else "-"
                self.stdout.write(f"{name:32} every {item.every}  next {nxt}  {item.description}")
            return
        if options["run"]:
            unknown = set(options["run"]) - set(sweeps)
            if unknown:
                raise CommandError(f"unknown sweep(s): {', '.join(sorted(unknown))}")
            self._report(run_due(only=options["run"], force=True))
            return
        if options["once"]:
            self._beat()
            self._report(run_due())
            return
        self._loop(options["interval"])

    def _loop(self, interval: float) -> None:
        running = True

        def stop(signum: int, frame: Any) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"scheduler: {len(registered_sweeps())} sweeps registered")
        while running:
            close_old_connections()
            try:
                self._beat()
                self._report(run_due())
            except Exception as exc:  # keep the loop alive through a database blip
                self.stderr.write(f"scheduler: {type(exc).__name__}: {exc}")
            deadline = time.monotonic() + interval
            while running and time.monotonic() < deadline:
                time.sleep(0.2)

    def _beat(self) -> None:
        Heartbeat.objects.update_or_create(name="scheduler", defaults={"beat_at": timezone.now()})

    def _report(self, results: dict[str, str]) -> None:
        for name, result in results.items():
            self.stdout.write(f"{timezone.localtime():%H:%M:%S} {name}: {result or 'ok'}")
