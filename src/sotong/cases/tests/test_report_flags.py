"""The report flags on the case row follow its progress reports, whatever writes them (triggers)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from sotong.cases.actions import (
    approve_report,
    mark_missed_reports,
    request_report,
    return_report,
    submit_report,
)
from sotong.cases.models import ProgressReport, ReportStatus
from sotong.cases.queues import Queue, queue, queue_counts
from sotong.cases.report_flags import ensure_triggers
from sotong.cases.tests.fixtures_reports import *  # noqa: F403

pytestmark = pytest.mark.django_db


def flags(case):
    case.refresh_from_db()
    return case.reports_pending, case.reports_submitted, case.reports_missed


def test_the_flags_follow_each_step_of_a_report(report_case, coordinator, handler):
    assert flags(report_case) == (False, False, False)

    report = request_report(report_case, actor=coordinator)
    assert flags(report_case) == (True, False, False)

    submit_report(report, actor=handler, body="검토 중")
    assert flags(report_case) == (False, True, False)

    return_report(report, actor=coordinator, note="일정을 적어 주세요.")
    assert flags(report_case) == (True, False, False)

    later = report.due_at + timedelta(minutes=1)
    assert mark_missed_reports(later) == 1
    assert flags(report_case) == (False, False, True)

    submit_report(report, actor=handler, body="늦게 보고합니다", now=later)
    approve_report(report, actor=coordinator)
    # approval schedules the next monthly report: requested again
    assert flags(report_case) == (True, False, False)
    assert ProgressReport.objects.filter(case=report_case, status=ReportStatus.REQUESTED).count() == 1


def test_writes_outside_the_actions_keep_the_flags_right(report_case, coordinator):
    # bulk_create, a queryset update and a delete send no signals: the triggers still see them
    ProgressReport.objects.bulk_create(
        [
            ProgressReport(
                case=report_case,
                department=report_case.handling_department,
                due_at=timezone.now() + timedelta(days=7),
            )
        ]
    )
    assert flags(report_case) == (True, False, False)

    ProgressReport.objects.filter(case=report_case).update(status=ReportStatus.MISSED)
    assert flags(report_case) == (False, False, True)

    ProgressReport.objects.filter(case=report_case).delete()
    assert flags(report_case) == (False, False, False)


def test_the_report_queues_read_the_flags(report_case, coordinator, handler):
    report = request_report(report_case, actor=coordinator)
    assert list(queue(coordinator, Queue.REPORT_REQUESTED)) == [report_case]
    assert queue_counts(coordinator)[Queue.REPORT_REQUESTED] == 1
    assert queue_counts(handler)[Queue.REPORT_REQUESTED] == 1

    submit_report(report, actor=handler, body="검토 중")
    assert list(queue(coordinator, Queue.REPORT_REQUESTED)) == []
    assert list(queue(coordinator, Queue.REPORT_SUBMITTED)) == [report_case]
    assert queue_counts(handler)[Queue.REPORT_SUBMITTED] == 1


def test_a_lost_trigger_is_put_back_and_the_flags_recomputed(report_case, coordinator):
    # SQLite drops a table's triggers when a migration rebuilds the table; after migrate they come back.
    # PostgreSQL keeps them through ALTER TABLE, so there the repair has nothing to do.
    if connection.vendor == "postgresql":
        ensure_triggers(connection)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'cases_report_flags'")
            assert cursor.fetchone()[0] == 1
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER cases_report_flags_insert")
    ProgressReport.objects.create(
        case=report_case,
        department=report_case.handling_department,
        due_at=timezone.now() + timedelta(days=7),
    )
    assert flags(report_case) == (False, False, False)  # written while the trigger was gone

    ensure_triggers(connection)

    assert flags(report_case) == (True, False, False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'cases_report_flags_insert'")
        assert cursor.fetchone() is not None
