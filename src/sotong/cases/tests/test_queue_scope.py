"""The queues' fast department scope (a UNION of index searches) holds exactly the visible open cases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sotong.cases.models import OPEN_STATUSES, AvoidanceRequest, CaseStatus, ProgressReport, ReportStatus
from sotong.cases.queues import Queue, queue, queue_condition, queue_counts, scoped_cases
from sotong.cases.tests.fixtures_reports import *  # noqa: F403
from sotong.cases.tests.fixtures_reports import seoul

pytestmark = pytest.mark.django_db

NOW = seoul(2030, 3, 4, 10)  # Monday
OVERDUE = seoul(2030, 2, 26, 18)
DUE_SOON = seoul(2030, 3, 5, 11)


@pytest.fixture
def mixed(make_case_row, org, handler, intake_officer):
    """Cases reaching the sanitation subtree by every road, and some that must stay out."""
    rows = [
        make_case_row(deadline_at=OVERDUE),  # handled by 청소행정과
        make_case_row(handling=org.sanitation_team, deadline_at=DUE_SOON),  # by its team (subtree)
        make_case_row(handling=org.transport, cooperating=(org.sanitation,), deadline_at=OVERDUE),
        make_case_row(handling=org.transport, cooperating=(org.sanitation_team,), deadline_at=DUE_SOON),
        make_case_row(handling=org.transport, deadline_at=OVERDUE),  # not ours
        make_case_row(handling=None, intake=org.sanitation, received_at=NOW - timedelta(hours=1)),  # 접수
        make_case_row(handling=None, received_at=NOW - timedelta(hours=3)),  # 감사담당관's intake
        make_case_row(status=CaseStatus.CLOSED, deadline_at=OVERDUE),  # closed: in no queue
        make_case_row(handling=org.transport, cooperating=(org.sanitation,), status=CaseStatus.CLOSED),
        make_case_row(is_ping_pong=True, transfer_count=3, deadline_at=DUE_SOON),
        make_case_row(handling=org.transport, is_ping_pong=True, transfer_count=3),
    ]
    for case, status in ((rows[0], ReportStatus.REQUESTED), (rows[2], ReportStatus.MISSED)):
        ProgressReport.objects.create(
            case=case, department=case.handling_department, status=status, due_at=seoul(2030, 3, 10, 18)
        )
    AvoidanceRequest.objects.create(
        case=rows[1], department=org.sanitation_team, reason="소관 아님", requested_by=handler
    )
    return rows


def expected(user, name, department=None):
    cases = scoped_cases(user, department).filter(status__in=OPEN_STATUSES)
    return set(cases.filter(queue_condition(name, now=NOW)).values_list("pk", flat=True))


@pytest.mark.parametrize("who", ["handler", "other_dept_handler", "intake_officer", "coordinator"])
def test_every_queue_matches_the_visible_open_cases(mixed, who, request):
    user = request.getfixturevalue(who)
    for name in Queue:
        found = [case.pk for case in queue(user, name, now=NOW)]
        assert len(found) == len(set(found)), name  # no case twice
        assert set(found) == expected(user, name), (who, name)
        assert queue_counts(user, now=NOW)[name] == len(found), (who, name)


@pytest.mark.parametrize("who", ["handler", "coordinator"])
def test_department_narrowing_matches_too(mixed, who, request, org):
    user = request.getfixturevalue(who)
    for department in (org.sanitation, org.transport, org.sanitation.parent):
        counts = queue_counts(user, now=NOW, department=department)
        for name in Queue:
            found = {case.pk for case in queue(user, name, now=NOW, department=department)}
            assert found == expected(user, name, department), (who, department, name)
            assert counts[name] == len(found), (who, department, name)


def test_the_handler_sees_cooperations_and_the_subtree(mixed, handler):
    overdue = {case.pk for case in queue(handler, Queue.OVERDUE, now=NOW)}
    due_soon = {case.pk for case in queue(handler, Queue.DUE_SOON, now=NOW)}

    assert overdue == {mixed[0].pk, mixed[2].pk}
    assert due_soon == {mixed[1].pk, mixed[3].pk, mixed[9].pk}
    assert [case.pk for case in queue(handler, Queue.NEW, now=NOW)] == [mixed[5].pk]


def test_counts_for_a_coordinator_come_in_one_query(mixed, coordinator, django_assert_num_queries):
    coordinator.forget_roles()
    queue_counts(coordinator, now=NOW)  # warms the role cache and the calendar
    with django_assert_num_queries(1):
        counts = queue_counts(coordinator, now=NOW)
    assert counts[Queue.PING_PONG] == 2
    assert counts[Queue.AVOIDANCE_PENDING] == 1
