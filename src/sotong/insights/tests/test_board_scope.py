"""Bureau and department boards (실·국, 과): the scope holds the cases handled in the department's subtree,
department staff open their own department's board only, coordinators pick any, and every link drills
down to exactly the counted cases for the person who opened the board."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotong.accounts.models import Role
from sotong.cases.models import OPEN_STATUSES, Case
from sotong.insights.board import rollup
from sotong.insights.models import DailyCaseRollup
from sotong.insights.tests import test_board
from sotong.insights.tests.test_board import BOARD, drill

activity = test_board.activity  # the fixture of the board tests

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau_head(org: Any, make_staff: Any) -> Any:
    """국장: a handler's role granted at 도시안전국 (교통행정과 and its team are below it)."""
    return make_staff("bureau_head", org.safety_bureau, Role.HANDLER, name="서국장")


def handled_in(cases: list[Case], departments: set[int]) -> list[Case]:
    return [case for case in cases if case.handling_department_id in departments]


def test_bureau_head_sees_the_bureau_board_and_its_links_reach_exactly_the_counted_cases(
    activity: list[Case], org: Any, bureau_head: Any, verified_client: Any
) -> None:
    # given the rollups of the activity (transport, under 도시안전국, handles 6 of the 12 cases)
    rollup.recompute_recent()
    client = verified_client(bureau_head)
    # when the bureau head opens the board without choosing a department
    client.get(BOARD)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BOARD)
    # then it is the bureau's board, from the rollups alone
    assert response.status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "cases_case" in q["sql"]]
    board = response.context["board"]
    assert board.scope == org.safety_bureau
    ours = handled_in(activity, {org.transport.pk, org.transport_team.pk})
    assert board.total.received == len(ours) == 6
    assert {row.key for row in board.breakdowns["department"]} == {str(org.transport.pk)}
    assert "도시안전국 및 하위 부서가 처리하는 민원" in response.content.decode()
    # and each link, opened by the bureau head, lists exactly the cases behind its number
    now = timezone.now()
    states = {
        "answered": lambda case: case.answered_at is not None,
        "open_count": lambda case: case.status in OPEN_STATUSES,
        "overdue_open": lambda case: case.is_overdue(now),
        "ping_pong": lambda case: case.transfer_count >= 3,
        "unreported": lambda case: case.reports_missed,
    }
    assert drill(client, board.total.url) == {case.pk for case in ours}
    for count, link in board.total.links.items():
        assert drill(client, link) == {case.pk for case in ours if states[count](case)}, count
    for row in board.breakdowns["channel"]:
        assert drill(client, row.url) == {case.pk for case in ours if case.channel == row.key}
    for point in board.trend:
        if point.received:
            assert drill(client, point.url) == {case.pk for case in ours}


def test_department_staff_open_their_own_board_only(
    activity: list[Case], org: Any, handler: Any, verified_client: Any
) -> None:
    rollup.recompute_recent()
    before = DailyCaseRollup.objects.count()
    client = verified_client(handler)  # 청소행정과
    response = client.get(BOARD)
    assert response.status_code == 200
    assert response.context["board"].scope == org.sanitation
    assert response.context["board"].total.received == len(handled_in(activity, {org.sanitation.pk}))
    # another department, the bureau above, or the whole government: refused
    for dept in (org.transport, org.sanitation.parent):
        assert client.get(BOARD, {"dept": dept.pk}).status_code == 403
        assert client.get(BOARD + "export.xlsx", {"dept": dept.pk}).status_code == 403
        assert client.get(BOARD + "report.pdf", {"dept": dept.pk, "month": "2026-05"}).status_code == 403
    # the team below is theirs
    assert client.get(BOARD, {"dept": org.sanitation_team.pk}).context["board"].scope == org.sanitation_team
    assert DailyCaseRollup.objects.count() == before


def test_coordinator_picks_any_bureau_and_an_unknown_one_is_404(
    activity: list[Case], org: Any, coordinator: Any, verified_client: Any
) -> None:
    rollup.recompute_recent()
    client = verified_client(coordinator)
    whole = client.get(BOARD).context["board"]
    assert whole.scope is None
    assert whole.total.received == 12
    bureau = client.get(BOARD, {"dept": org.sanitation.parent_id}).context["board"]
    assert bureau.scope == org.sanitation.parent
    assert bureau.total.received == len(handled_in(activity, {org.sanitation.pk}))
    html = client.get(BOARD).content.decode()
    assert f'<option value="{org.safety_bureau.pk}">도시안전국</option>' in html
    assert client.get(BOARD, {"dept": 999999}).status_code == 404
    assert client.get(BOARD, {"dept": "x"}).status_code == 404


def test_trend_is_daily_for_a_month_and_weekly_for_a_longer_period(
    activity: list[Case], coordinator: Any, verified_client: Any
) -> None:
    rollup.recompute_recent()
    client = verified_client(coordinator)
    daily = client.get(BOARD).context["board"]
    assert not daily.weekly
    assert len(daily.trend) == 30
    assert sum(point.received for point in daily.trend) == 12
    today = daily.last
    weekly = client.get(BOARD, {"received_from": (today - timedelta(days=120)).isoformat()}).context["board"]
    assert weekly.weekly
    assert sum(point.received for point in weekly.trend) == 12
    assert all(point.first.weekday() == 0 or point.first == weekly.first for point in weekly.trend)
    assert all((point.last - point.first).days <= 6 for point in weekly.trend)
