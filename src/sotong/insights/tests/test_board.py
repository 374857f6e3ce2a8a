"""Situation board: rollups agree with the cases after real actions, are idempotent, and the board page
reads them alone, for the coordinator and the system administrator only, with working drill-down links."""

from __future__ import annotations

from datetime import timedelta
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
    rate_case,
    start_processing,
    submit_case,
    transfer_case,
)
from sotong.cases.models import OPEN_STATUSES, Case, CaseKind, Channel, SatisfactionSurvey, TransferKind
from sotong.cases.tests.conftest import case_values
from sotong.core.scheduler import registered_sweeps
from sotong.insights.board import rollup
from sotong.insights.board.rollup import ON_TIME, day_bounds, seoul_today
from sotong.insights.models import DailyCaseRollup

BOARD = "/office/insights/board/"


@pytest.fixture
def activity(org: Any, intake_officer: Any, handler: Any, other_dept_handler: Any) -> list[Case]:
    """Cases through intake, assignment, transfer, answers (on time and late), surveys and an overdue one."""
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
    )
    return {row.pop(dimension): row for row in grouped}


def snapshot() -> list[tuple[Any, ...]]:
    fields = ("day", "channel", "kind", "category", "department_id", "dong", "received", "answered")
    more = ("answered_on_time", "open_count", "overdue_open", "satisfaction_count", "satisfaction_sum")
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
        "received": 4,
        "answered": 2,
        "answered_on_time": 0,
        "open_count": 2,
        "overdue_open": 1,
    }
    assert by_department[org.sanitation.pk]["answered_on_time"] == 4
    surveys = DailyCaseRollup.objects.aggregate(n=Sum("satisfaction_count"), total=Sum("satisfaction_sum"))
    assert surveys == {"n": 2, "total": 9}
    assert SatisfactionSurvey.objects.count() == 2


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


@pytest.mark.parametrize("role", ["intake_officer", "handler", "programme_manager", "sns_officer"])
def test_others_get_403(request: Any, verified_client: Any, role: str) -> None:
    client = verified_client(request.getfixturevalue(role))
    assert client.get(BOARD).status_code == 403


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
    assert not [q["sql"] for q in queries.captured_queries if "cases_case" in q["sql"]]
    assert any("insights_dailycaserollup" in q["sql"] for q in queries.captured_queries)
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
    # The list's department filter also takes the cases a department received or cooperates on; here the
    # intake office (감사담당관) handles none, so each handling department's row leads to exactly its cases.
    for row in board.breakdowns["department"]:
        if not row.url:
            assert row.key == ""
            continue
        expected = {case.pk for case in activity if str(case.handling_department_id) == row.key}
        assert drill(client, row.url) == expected
    query = parse_qs(urlsplit(board.total.url).query)
    assert query["received_from"] == [board.first.isoformat()]


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
