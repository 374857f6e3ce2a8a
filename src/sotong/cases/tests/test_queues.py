"""Staff queues: what each user sees in each queue, counts in one query, filters and search."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from sotong.cases.models import (
    AvoidanceRequest,
    CaseKind,
    CaseStatus,
    Channel,
    ProgressReport,
    ReportStatus,
)
from sotong.cases.queues import CaseFilters, Queue, apply_filters, queue, queue_counts, scoped_cases
from sotong.cases.tests.fixtures_reports import *  # noqa: F403
from sotong.cases.tests.fixtures_reports import seoul

pytestmark = pytest.mark.django_db

NOW = seoul(2030, 3, 4, 10)  # Monday


@pytest.fixture
def board(make_case_row, org, handler, coordinator):
    """One case per queue; all handled by 청소행정과 except `transport_overdue` and `new`."""
    cases = {
        "new": make_case_row(handling=None, received_at=NOW - timedelta(hours=2), title="신규 접수 민원"),
        "due_soon": make_case_row(deadline_at=seoul(2030, 3, 5, 11), title="쓰레기 무단투기 단속"),
        "overdue": make_case_row(deadline_at=seoul(2030, 2, 26, 18), title="재활용 수거 지연"),
        "transport_overdue": make_case_row(
            handling=org.transport, deadline_at=seoul(2030, 2, 20, 18), title="불법 주차 단속 요청"
        ),
        "report_requested": make_case_row(title="공원 벤치 제안"),
        "report_submitted": make_case_row(title="가로등 설치 제안"),
        "unreported": make_case_row(title="버스 정류장 그늘막 제안"),
        "ping_pong": make_case_row(is_ping_pong=True, transfer_count=3, title="소음 민원"),
        "avoidance_pending": make_case_row(title="악취 민원"),
        "closed_overdue": make_case_row(
            status=CaseStatus.CLOSED, deadline_at=seoul(2030, 2, 1, 18), title="종결된 민원"
        ),
    }
    for key, status in (
        ("report_requested", ReportStatus.REQUESTED),
        ("report_submitted", ReportStatus.SUBMITTED),
        ("unreported", ReportStatus.MISSED),
    ):
        ProgressReport.objects.create(
            case=cases[key], department=org.sanitation, status=status, due_at=seoul(2030, 3, 10, 18)
        )
    AvoidanceRequest.objects.create(
        case=cases["avoidance_pending"], department=org.sanitation, reason="소관 아님", requested_by=handler
    )
    return cases


def test_each_queue_holds_its_case_for_the_coordinator(board, coordinator):
    for name in Queue:
        found = {c.pk for c in queue(coordinator, name, now=NOW)}
        expected = {board[name].pk}
        if name == Queue.OVERDUE:
            expected.add(board["transport_overdue"].pk)
        assert found == expected, name


def test_handler_queues_are_scoped_to_the_department(board, handler, other_dept_handler):
    assert [c.pk for c in queue(handler, Queue.OVERDUE, now=NOW)] == [board["overdue"].pk]
    assert [c.pk for c in queue(other_dept_handler, Queue.OVERDUE, now=NOW)] == [
        board["transport_overdue"].pk
    ]
    assert not queue(other_dept_handler, Queue.PING_PONG, now=NOW).exists()
    assert not queue(handler, Queue.NEW, now=NOW).exists()


def test_intake_officer_sees_new_cases_of_the_intake_department(board, intake_officer):
    assert [c.pk for c in queue(intake_officer, Queue.NEW, now=NOW)] == [board["new"].pk]


def test_queue_counts_in_one_aggregate_query(board, coordinator, handler, django_assert_max_num_queries):
    coordinator.forget_roles()
    # roles of the user, the holiday rows of the calendar, the aggregate
    with django_assert_max_num_queries(3):
        counts = queue_counts(coordinator, now=NOW)
    assert counts == {
        "new": 1,
        "due_soon": 1,
        "overdue": 2,
        "report_requested": 1,
        "report_submitted": 1,
        "unreported": 1,
        "ping_pong": 1,
        "avoidance_pending": 1,
    }

    handler.forget_roles()
    with django_assert_max_num_queries(3):
        handler_counts = queue_counts(handler, now=NOW)
    assert handler_counts["overdue"] == 1
    assert handler_counts["new"] == 0
    assert handler_counts["due_soon"] == 1


def test_counts_are_not_inflated_by_cooperating_assignments(make_case_row, org, handler):
    # a case both handled and cooperated on inside the handler's subtree joins twice in visible_to
    make_case_row(cooperating=(org.sanitation_team,), deadline_at=seoul(2030, 2, 1, 18))

    assert queue_counts(handler, now=NOW)["overdue"] == 1
    assert queue(handler, Queue.OVERDUE, now=NOW).count() == 1


def test_queue_list_page_needs_one_query(board, coordinator, django_assert_max_num_queries):
    coordinator.forget_roles()
    with django_assert_max_num_queries(2):
        rows = [
            (c.receipt_no, c.handling_department and c.handling_department.name, c.intake_department.name)
            for c in queue(coordinator, Queue.OVERDUE, now=NOW)[:20]
        ]
    assert len(rows) == 2


def test_department_narrowing(board, coordinator, org):
    cases = queue(coordinator, Queue.OVERDUE, now=NOW, department=org.transport)

    assert [c.pk for c in cases] == [board["transport_overdue"].pk]
    assert queue_counts(coordinator, now=NOW, department=org.safety_bureau)["overdue"] == 1


def test_anonymous_user_sees_nothing(board):
    from django.contrib.auth.models import AnonymousUser

    assert not scoped_cases(AnonymousUser()).exists()
    assert set(queue_counts(AnonymousUser(), now=NOW).values()) == {0}


# --- filters and search -------------------------------------------------------------------------------


def test_filters_combine(make_case_row, coordinator, org):
    wanted = make_case_row(
        kind=CaseKind.SUGGESTION,
        channel=Channel.WEB,
        category="cleaning",
        dong="성수1가1동",
        is_urgent_safety=True,
        received_at=seoul(2030, 2, 10, 23, 30),
    )
    make_case_row(kind=CaseKind.SUGGESTION, channel=Channel.WEB, category="cleaning", dong="성수1가1동")
    make_case_row(kind=CaseKind.GRIEVANCE, channel=Channel.PHONE, category="traffic", handling=org.transport)

    filters = CaseFilters(
        status=[CaseStatus.ASSIGNED],
        kind=[CaseKind.SUGGESTION],
        channel=[Channel.WEB],
        category=["cleaning"],
        department=org.sanitation,
        dong="성수1가1동",
        received_from=date(2030, 2, 10),
        received_to=date(2030, 2, 10),
        flags=["urgent_safety"],
    )
    found = list(apply_filters(scoped_cases(coordinator), filters))

    assert [c.pk for c in found] == [wanted.pk]


def test_received_to_includes_the_whole_seoul_day(make_case_row, coordinator):
    late = make_case_row(received_at=seoul(2030, 2, 10, 23, 59))

    found = apply_filters(scoped_cases(coordinator), CaseFilters(received_to=date(2030, 2, 10)))
    assert late in found
    assert not apply_filters(scoped_cases(coordinator), CaseFilters(received_to=date(2030, 2, 9))).exists()


def test_text_search_matches_every_word_in_title_body_or_receipt_no(make_case_row, coordinator):
    bin_case = make_case_row(title="음식물 쓰레기통 파손", body="성수동 골목의 쓰레기통이 부서졌습니다.")
    make_case_row(title="음식물 쓰레기 수거 시간", body="새벽 수거가 시끄럽습니다.")

    def found(text):
        return {c.pk for c in apply_filters(scoped_cases(coordinator), CaseFilters(text=text))}

    assert found("쓰레기통 성수동") == {bin_case.pk}
    assert len(found("음식물")) == 2
    assert found(bin_case.receipt_no) == {bin_case.pk}
    assert found("없는단어") == set()


def test_unknown_flag_is_refused(coordinator):
    with pytest.raises(ValueError, match="unknown flag"):
        apply_filters(scoped_cases(coordinator), CaseFilters(flags=["nope"]))


def test_now_defaults_to_the_current_time(make_case_row, coordinator):
    make_case_row(deadline_at=timezone.now() - timedelta(minutes=5))

    assert queue_counts(coordinator)["overdue"] == 1
