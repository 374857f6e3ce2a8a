"""Backfill the situation board's rollups: `manage.py insights_rollup --from 2026-01-01 --to 2026-06-30`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sotong.insights.board import rollup


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"날짜 형식이 올바르지 않습니다 (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "상황판 집계(DailyCaseRollup)를 기간별로 다시 계산합니다. 기간이 없으면 최근 날짜를 계산합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", help="첫날 (YYYY-MM-DD)")
        parser.add_argument("--to", dest="last", help="마지막 날 (YYYY-MM-DD, 포함)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["first"] is None and options["last"] is None:
            result = rollup.recompute_recent()
        else:
            if options["first"] is None or options["last"] is None:
                raise CommandError("--from 과 --to 를 함께 지정하세요.")
            first, last = _day(options["first"]), _day(options["last"])
            if last < first:
                raise CommandError("마지막 날이 첫날보다 앞섭니다.")
            result = rollup.recompute_range(first, last)
        self.stdout.write(f"rollup: {result}")
