"""Situation board: rollups agree with the cases after real actions (핑퐁, 미보고 and the speed index
included), are idempotent, and the board page reads them alone, with working drill-down links. Scopes
(bureau, department) in test_board_scope.py, exports in test_board_exports.py."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotong.cases.actions import (
    answer_case,
    assign_case,
    mark_missed_reports,
    rate_case,
    request_report,
    start_processing,
    submit_case,
    transfer_case,
)
from sotong.cases.models import OPEN_STATUSES, Case, CaseKind, Channel, SatisfactionSurvey, TransferKind
from sotong.cases.tests.conftest import case_values
from sotong.core.business_calendar import SEOUL, business_calendar
from sotong.core.scheduler import registered_sweeps
from sotong.insights.board import rollup
from sotong.insights.board.rollup import ON_TIME, PING_PONG, UNREPORTED, day_bounds, seoul_today
from sotong.insights.models import BoardDimensionRollup, DailyCaseRollup

BOARD = "/office/insights/board/"


@pytest.fixture
def activity(
    org: Any, intake_officer: Any, handler: Any, other_dept_handler: Any, coordinator: Any
) -> list[Case]:
    """Cases through intake, assignment, transfer, answers (on time and late), surveys, an overdue one,
    a ping-pong case (8: three transfers, open at transport) and one with a missed report (9: transport)."""
    made = []
    channels = [Channel.WEB, Channel.PHONE, Channel.WEB, Channel.VISIT, Channel.WEB, Channel.MOBILE]
    kinds = [CaseKind.SUGGESTION, CaseKind.OTHER, CaseKind.SUGGESTION, CaseKind.INQUIRY_PROCEDURE]
    for number in range(12):
        channel = channels[number % len(channels)]
        actor = {"actor": intake_officer} if channel in (Channel.PHONE, Channel.VISIT) else {}
        made.append(
            submit_case(
                **case_values(
                    org,
                    channel=channel,
                    kind=kinds[number % len(kinds)],
                    dong=["행당1동", "왕십리동"][number % 2],
                    citizen_phone=f"010-2222-{number:04d}",
                    **actor,
                )
            )
        )
    # 0-3: answered by sanitation on time, two of them rated
    for number, case in enumerate(made[:4]):
        case = assign_case(case, actor=intake_officer, department=org.sanitation, officer=handler)
        case = start_processing(case, actor=handler)
        answer_case(case, actor=handler, body="조치했습니다.")
        if number < 2:
            rate_case(Case.objects.get(pk=case.pk), score=5 - number)
    # 4-5: assigned to sanitation, transferred to transport, answered there after the deadline
    for case in made[4:6]:
        case = assign_case(case, actor=intake_officer, department=org.sanitation, officer=handler)
        case = transfer_case(
            case, actor=handler, to_department=org.transport, kind=TransferKind.MISFILED, reason="소관 아님"
        )
        case = assign_case(case, actor=intake_officer, department=org.transport, officer=other_dept_handler)
        case = start_processing(case, actor=other_dept_handler)
        Case.objects.filter(pk=case.pk).update(deadline_at=timezone.now() - timedelta(hours=1))
        answer_case(Case.objects.get(pk=case.pk), actor=other_dept_handler, body="늦었지만 조치했습니다.")
    # 6-7: open at transport, one overdue
    for case in made[6:8]:
        assign_case(case, actor=intake_officer, department=org.transport, officer=other_dept_handler)
    Case.objects.filter(pk=made[6].pk).update(deadline_at=timezone.now() - timedelta(days=1))
    # 8: sanitation → transport → sanitation → transport, the third transfer makes it 핑퐁
    case = assign_case(made[8], actor=intake_officer, department=org.sanitation, officer=handler)
    for target in (org.transport, org.sanitation, org.transport):
        case = transfer_case(
            case, actor=intake_officer, to_department=target, kind=TransferKind.MISFILED, reason="소관 아님"
        )
    # 9: a progress report requested from transport and not made in time (미보고)
    case = assign_case(made[9], actor=intake_officer, department=org.transport, officer=other_dept_handler)
    request_report(case, actor=coordinator, due_at=timezone.now() + timedelta(hours=1))
    assert mark_missed_reports(timezone.now() + timedelta(hours=2)) == 1
    return [Case.objects.get(pk=case.pk) for case in made]


def direct_counts(dimension: str) -> dict[Any, dict[str, int]]:
    """The board's numbers straight from the cases, for today's receipts."""
    start, end = day_bounds(seoul_today())
    now = timezone.now()
    cases = Case.objects.filter(received_at__gte=start, received_at__lt=end).order_by()
    rows = cases.values(dimension).annotate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        answered_on_time=Count("pk", filter=ON_TIME),
        open_count=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue_open=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline_at__lt=now)),
        ping_pong=Count("pk", filter=PING_PONG),
        unreported=Count("pk", filter=UNREPORTED),
    )
    return {row.pop(dimension): row for row in rows}


def rollup_counts(dimension: str) -> dict[Any, dict[str, int]]:
    rows = DailyCaseRollup.objects.filter(day=seoul_today()).order_by()
    grouped = rows.values(dimension).annotate(
        received=Sum("received"),
        answered=Sum("answered"),
        answered_on_time=Sum("answered_on_time"),
        open_count=Sum("open_count"),
        overdue_open=Sum("overdue_open"),
        ping_pong=Sum("ping_pong"),
        unreported=Sum("unreported"),
    )
    return {row.pop(dimension): row for row in grouped}


def snapshot() -> list[tuple[Any, ...]]:
    fields = ("day", "channel", "kind", "category", "department_id", "dong", "received", "answered")
    more = (
        "answered_on_time",
        "open_count",
        "overdue_open",
        "satisfaction_count",
        "satisfaction_sum",
        "ping_pong",
        "unreported",
        "speed_count",
        "speed_sum",
    )
    return sorted(DailyCaseRollup.objects.values_list(*fields, *more), key=repr)


def test_rollup_matches_a_direct_query_over_the_cases(activity: list[Case], org: Any) -> None:
    result = rollup.recompute_recent()

    assert result.days == rollup.RECENT_DAYS
    for dimension, field in [
        ("channel", "channel"),
        ("kind", "kind"),
        ("dong", "dong"),
        ("handling_department_id", "department_id"),
    ]:
        assert rollup_counts(field) == direct_counts(dimension)
    by_department = rollup_counts("department_id")
    # the transferred cases count for the department that answered them, late
    assert by_department[org.transport.pk] == {
        "received": 6,
        "answered": 2,
        "answered_on_time": 0,
        "open_count": 4,
        "overdue_open": 1,
        "ping_pong": 1,
        "unreported": 1,
    }
    assert activity[8].transfer_count == 3
    assert activity[9].reports_missed
    assert by_department[org.sanitation.pk]["answered_on_time"] == 4
    surveys = DailyCaseRollup.objects.aggregate(n=Sum("satisfaction_count"), total=Sum("satisfaction_sum"))
    assert surveys == {"n": 2, "total": 9}
    assert SatisfactionSurvey.objects.count() == 2


def test_dimension_rollups_sum_the_fine_rows_per_value_of_each_dimension(activity: list[Case]) -> None:
    rollup.recompute_recent()
    fine = DailyCaseRollup.objects.order_by()
    coarse = BoardDimensionRollup.objects.order_by()
    measures = {name: Sum(name) for name in rollup.SUMMED}
    for dimension, field in rollup.BOARD_DIMENSIONS.items():
        summed = {
            row.pop("key"): row
            for row in coarse.filter(dimension=dimension).values("key").annotate(**measures)
        }
        expected = {
            ("" if row[field] is None else str(row[field])): {name: row[name] for name in rollup.SUMMED}
            for row in fine.values(field).annotate(**measures)
        }
        assert summed == expected, dimension
    assert coarse.filter(dimension="channel").aggregate(n=Sum("received"))["n"] == 12
    rollup.recompute_recent()  # rewritten, not added to
    assert coarse.filter(dimension="channel").aggregate(n=Sum("received"))["n"] == 12


def test_speed_index_per_department_follows_the_formula(
    org: Any, intake_officer: Any, handler: Any, coordinator: Any, verified_client: Any
) -> None:
    # given three cases received on a Monday 09:00 with a 7-day period: one answered on Thursday 09:00
    # (3 working days), one on Monday 13:00 (3 working hours: 0.4 day), one without a period
    calendar = business_calendar()
    today = seoul_today()
    monday = today - timedelta(days=today.weekday() + 14)
    while not all(calendar.is_working_day(monday + timedelta(days=n)) for n in range(4)):
        monday -= timedelta(days=7)
    received = datetime.combine(monday, time(9), SEOUL)
    made = []
    for number in range(3):
        case = submit_case(**case_values(org, citizen_phone=f"010-5555-{number:04d}"))
        case = assign_case(case, actor=intake_officer, department=org.sanitation, officer=handler)
        answer_case(start_processing(case, actor=handler), actor=handler, body="조치했습니다.")
        made.append(case.pk)
    answers = [received + timedelta(days=3), received + timedelta(hours=4), received + timedelta(hours=1)]
    for pk, answered, days in zip(made, answers, (7, 7, 0), strict=True):
        Case.objects.filter(pk=pk).update(
            received_at=received, answered_at=answered, period_days=days, period_hours=0
        )
    # when the day is rolled up and the board read
    rollup.recompute_day(monday)
    response = verified_client(coordinator).get(
        BOARD, {"received_from": monday.isoformat(), "received_to": monday.isoformat()}
    )
    # then the department's index is the mean of (7 − 3) ÷ 7 × 100 and (7 − 0.4) ÷ 7 × 100
    row = next(r for r in response.context["departments"] if r.key == str(org.sanitation.pk))
    assert row.speed_count == 2
    assert row.speed_index == round(((7 - 3) / 7 * 100 + (7 - 0.4) / 7 * 100) / 2, 1) == 75.7
    assert response.context["board"].total.speed_index == 75.7
    assert "75.7" in response.content.decode()


def test_running_twice_changes_nothing_and_a_new_answer_is_picked_up(
    activity: list[Case], handler: Any
) -> None:
    rollup.recompute_recent()
    first = snapshot()
    rollup.recompute_recent()
    assert snapshot() == first

    open_case = activity[7]
    case = start_processing(open_case, actor=Case.objects.get(pk=open_case.pk).officer)
    answer_case(case, actor=case.officer, body="조치했습니다.")
    rollup.recompute_recent()
    assert snapshot() != first
    assert rollup_counts("channel") == direct_counts("channel")


def test_sweep_enqueues_the_rollup_task_once(db: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    sweep = registered_sweeps()["insights.rollup"]
    assert sweep.func(timezone.now()) == "enqueued"
    assert sweep.func(timezone.now()) == "already queued"
    assert DBTaskResult.objects.filter(task_path__endswith="rollup_recent").count() == 1


def test_command_backfills_a_range_and_refuses_bad_dates(activity: list[Case]) -> None:
    today = seoul_today().isoformat()
    out = StringIO()
    call_command("insights_rollup", "--from", today, "--to", today, stdout=out)
    assert "1 days" in out.getvalue()
    assert rollup_counts("kind") == direct_counts("kind")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="날짜 형식"):
        call_command("insights_rollup", "--from", "2026-13-01", "--to", today)
    with pytest.raises(CommandError, match="앞섭니다"):
        call_command("insights_rollup", "--from", today, "--to", "2000-01-01")


@pytest.mark.parametrize("role", ["programme_manager", "sns_officer"])
def test_others_get_403(request: Any, verified_client: Any, role: str) -> None:
    client = verified_client(request.getfixturevalue(role))
    assert client.get(BOARD).status_code == 403
    assert client.get(BOARD + "export.xlsx").status_code == 403
    assert client.get(BOARD + "report.pdf", {"month": "2026-05"}).status_code == 403


def test_anonymous_is_sent_to_login(client: Any) -> None:
    response = client.get(BOARD)
    assert response.status_code == 302


def test_board_reads_the_rollup_only(activity: list[Case], coordinator: Any, verified_client: Any) -> None:
    rollup.recompute_recent()
    client = verified_client(coordinator)
    client.get(BOARD)  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BOARD)
    assert response.status_code == 200
    # the cases are read only through the open safety flags of the alert panel (few; joined by key)
    assert not [
        q["sql"]
        for q in queries.captured_queries
        if "cases_case" in q["sql"] and "insights_safetyflag" not in q["sql"]
    ]
    assert any("insights_boarddimensionrollup" in q["sql"] for q in queries.captured_queries)
    # a fixed number of small queries: session and roles, the picker, totals, five breakdowns, the
    # trend, the names of categories and departments, and the alert panel (surges, open flags, newest five)
    assert len(queries.captured_queries) <= 25
    board = response.context["board"]
    assert board.total.received == 12
    rows = {row.key: row for row in board.breakdowns["channel"]}
    assert rows[Channel.WEB].received == 6
    html = response.content.decode()
    assert "상황판" in html
    assert 'id="table-on_time"' in html
    assert "echarts.min.js" in html


def test_numbers_come_from_the_rollup_not_the_cases(
    activity: list[Case], coordinator: Any, verified_client: Any, org: Any, intake_officer: Any
) -> None:
    rollup.recompute_recent()
    submit_case(**case_values(org, citizen_phone="010-3333-0000"))  # not rolled up yet
    response = verified_client(coordinator).get(BOARD)
    assert response.context["board"].total.received == 12
    rollup.recompute_recent()
    response = verified_client(coordinator).get(BOARD)
    assert response.context["board"].total.received == 13


def test_on_time_rate_per_department(
    activity: list[Case], sysadmin: Any, verified_client: Any, org: Any
) -> None:
    rollup.recompute_recent()
    response = verified_client(sysadmin).get(BOARD)
    assert response.status_code == 200
    rows = {row.key: row for row in response.context["departments"]}
    assert rows[str(org.sanitation.pk)].on_time_rate == 100.0
    assert rows[str(org.transport.pk)].on_time_rate == 0.0
    assert rows[str(org.sanitation.pk)].satisfaction == 4.5


def drill(client: Any, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    return {case.pk for case in response.context["page"].object_list}


def test_drill_down_links_lead_to_the_cases_behind_each_row(
    activity: list[Case], coordinator: Any, verified_client: Any
) -> None:
    rollup.recompute_recent()
    client = verified_client(coordinator)
    board = client.get(BOARD).context["board"]
    for name, field in [("channel", "channel"), ("kind", "kind"), ("dong", "dong")]:
        for row in board.breakdowns[name]:
            expected = {case.pk for case in activity if getattr(case, field) == row.key}
            assert drill(client, row.url) == expected
            assert len(expected) == row.received
    assert drill(client, board.total.url) == {case.pk for case in activity}
    # A department row leads to the cases that department handles (the list's `handling_department`),
    # not those it received or cooperates on.
    for row in board.breakdowns["department"]:
        if not row.url:
            assert row.key == ""
            continue
        expected = {case.pk for case in activity if str(case.handling_department_id) == row.key}
        assert drill(client, row.url) == expected
    query = parse_qs(urlsplit(board.total.url).query)
    assert query["received_from"] == [board.first.isoformat()]


def test_each_count_drills_down_to_exactly_the_cases_it_counts(
    activity: list[Case], coordinator: Any, verified_client: Any
) -> None:
    # given the rollups of the activity (answered, open, overdue, ping-pong and unreported cases)
    rollup.recompute_recent()
    client = verified_client(coordinator)
    board = client.get(BOARD).context["board"]
    now = timezone.now()
    counted = {
        "answered": lambda case: case.answered_at is not None,
        "open_count": lambda case: case.status in OPEN_STATUSES,
        "overdue_open": lambda case: case.is_overdue(now),
        "ping_pong": lambda case: case.transfer_count >= 3,
        "unreported": lambda case: case.reports_missed,
    }
    in_row = {
        "channel": lambda case, key: case.channel == key,
        "department": lambda case, key: str(case.handling_department_id) == key,
        "dong": lambda case, key: case.dong == key,
        "total": lambda case, key: True,
    }
    rows = [("total", board.total)] + [
        (name, row) for name in ("channel", "department", "dong") for row in board.breakdowns[name] if row.url
    ]
    checked = 0
    for name, row in rows:
        for count, link in row.links.items():
            # then every count's link lists exactly the cases behind the number
            expected = {case.pk for case in activity if in_row[name](case, row.key) and counted[count](case)}
            assert len(expected) == getattr(row, count), (name, row.label, count)
            assert drill(client, link) == expected, (name, row.label, count)
            checked += bool(expected)
    assert checked > 20
    assert board.total.ping_pong == 1
    assert board.total.unreported == 1
    assert board.total.overdue_open == 1


def test_bad_period_shows_a_korean_message(coordinator: Any, verified_client: Any) -> None:
    response = verified_client(coordinator).get(
        BOARD, {"received_from": "2026-05-10", "received_to": "2026-05-01"}
    )
    assert response.status_code == 200
    assert "끝나는 날이 시작하는 날보다 앞섭니다." in response.content.decode()
    response = verified_client(coordinator).get(BOARD, {"received_from": "어제"})
    assert response.status_code == 200
    assert "입력한 내용을 확인해 주세요." in response.content.decode()


def test_period_filter_limits_the_days(activity: list[Case], coordinator: Any, verified_client: Any) -> None:
    rollup.recompute_recent()
    yesterday = (seoul_today() - timedelta(days=1)).isoformat()
    response = verified_client(coordinator).get(BOARD, {"received_from": yesterday, "received_to": yesterday})
    assert response.context["board"].total.received == 0
