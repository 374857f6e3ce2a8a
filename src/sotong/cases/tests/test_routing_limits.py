"""Transfer time limits (법 §16, 령 §13): 1 working hour to reach the handling department, 3 for a misfiled
case from its arrival at the wrong department, 8 to another agency; the record of each step, the alert
sweep (once per late case) and the coordinator's count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sotong.accounts.models import Role
from sotong.cases import actions
from sotong.cases.models import Case, CaseAssignment, CaseStatus, Transfer, TransferKind
from sotong.cases.route_limits import late_to_route, routing_counts
from sotong.cases.sweeps import alert_late_routing
from sotong.core import scheduler
from sotong.core.business_calendar import business_calendar
from sotong.core.models import Event
from sotong.messaging.models import Message

pytestmark = pytest.mark.django_db


def working_hours_ago(hours: float):
    """A moment `hours` working hours before now (or further back when now is off hours)."""
    calendar, now = business_calendar(), timezone.now()
    moment = now - timedelta(hours=hours)
    while calendar.working_time_between(moment, now) < timedelta(hours=hours):
        moment -= timedelta(hours=1)
    return moment


def handling_assignment(case: Case) -> CaseAssignment:
    return case.assignments.get(role="handling", ended_at__isnull=True)


def test_a_new_case_is_due_at_its_department_one_working_hour_after_receipt(make_case):
    case = make_case(received_at=working_hours_ago(0.25))

    assert case.route_due_at == business_calendar().add_working_hours(case.received_at, 1)
    assert not actions.is_route_late(case, case.route_due_at - timedelta(minutes=1))
    assert actions.is_route_late(case, case.route_due_at + timedelta(minutes=1))


def test_first_assignment_within_the_hour_is_on_time(make_case, intake_officer, org):
    case = make_case()

    case = actions.assign_case(case, actor=intake_officer, department=org.sanitation)

    assignment = handling_assignment(case)
    assert assignment.on_time is True
    assert assignment.due_at == actions.initial_route_due(case.received_at)
    assert case.route_due_at is None


def test_first_assignment_after_the_hour_is_late(make_case, intake_officer, org):
    # given a case received two working days ago
    case = make_case(received_at=working_hours_ago(16))
    assert actions.is_route_late(case, timezone.now())

    case = actions.assign_case(case, actor=intake_officer, department=org.sanitation)

    assert handling_assignment(case).on_time is False
    assert not actions.is_route_late(case, timezone.now())


def test_route_due_at_when_set_is_the_due_moment(make_case):
    case = make_case()
    due = timezone.now() + timedelta(days=3)
    Case.objects.filter(pk=case.pk).update(route_due_at=due)
    case.refresh_from_db()

    assert actions.route_due(case) == due
    assert not actions.is_route_late(case, timezone.now())


@pytest.mark.parametrize(("hours_there", "on_time"), [(1, True), (5, False)])
def test_misfiled_transfer_is_due_3_working_hours_after_arrival(
    assigned_case, handler, org, hours_there, on_time
):
    # given the case arrived at 청소행정과 `hours_there` working hours ago
    arrived = working_hours_ago(hours_there)
    assigned_case.assignments.filter(ended_at__isnull=True).update(assigned_at=arrived)

    actions.transfer_case(
        assigned_case,
        actor=handler,
        kind=TransferKind.MISFILED,
        to_department=org.transport,
        reason="소관 아님",
    )

    transfer = Transfer.objects.get(case=assigned_case)
    assert transfer.due_at == business_calendar().add_working_hours(arrived, 3)
    assert transfer.on_time is on_time


def test_agency_transfer_of_a_new_case_is_due_8_working_hours_after_receipt(make_case, intake_officer):
    case = make_case(received_at=working_hours_ago(9))

    actions.transfer_case(
        case, actor=intake_officer, kind=TransferKind.AGENCY, to_agency="서울시", reason="시 소관"
    )

    transfer = Transfer.objects.get(case=case)
    assert transfer.on_time is False
    assert transfer.due_at == business_calendar().add_working_hours(case.received_at, 8)


def test_avoidance_request_starts_the_3_hour_clock_and_a_decision_stops_it(
    assigned_case, handler, coordinator, org
):
    request = actions.request_avoidance(assigned_case, actor=handler, reason="소관 아님")
    case = Case.objects.get(pk=assigned_case.pk)
    arrived = handling_assignment(case).assigned_at
    assert case.route_due_at == business_calendar().add_working_hours(arrived, 3)

    actions.decide_avoidance(request, actor=coordinator, approve=True, to_department=org.transport)

    case.refresh_from_db()
    assert case.route_due_at is None
    assert Transfer.objects.get(case=case).on_time is True


def test_a_rejected_avoidance_leaves_nothing_to_route(assigned_case, handler, coordinator):
    request = actions.request_avoidance(assigned_case, actor=handler, reason="소관 아님")

    actions.decide_avoidance(request, actor=coordinator, approve=False, note="소관 맞음")

    assert Case.objects.get(pk=assigned_case.pk).route_due_at is None


# --- the sweep and the count -------------------------------------------------------------------------


@pytest.fixture
def mailed(org, make_staff):
    """An intake officer of 감사담당관 and a coordinator, both with e-mail addresses."""
    return {
        "intake": make_staff("intake_mail", org.audit, Role.INTAKE, email="intake@example.com"),
        "chief": make_staff("chief", org.grievance, Role.COORDINATOR, email="chief@example.com"),
        "other": make_staff("other_intake", org.transport, Role.INTAKE, email="other@example.com"),
    }


def test_late_case_is_alerted_once_to_its_intake_department_and_the_coordinator(make_case, mailed):
    late = make_case(received_at=working_hours_ago(3))
    fresh = make_case()
    now = timezone.now()

    assert alert_late_routing(now) == "alerted 1 cases"
    assert alert_late_routing(now + timedelta(minutes=10)) == "alerted 0 cases"

    sent = Message.objects.about(late).filter(purpose="case.route_late")
    assert sorted(sent.values_list("recipient", flat=True)) == ["chief@example.com", "intake@example.com"]
    assert late.receipt_no in sent.first().subject
    assert Event.objects.for_target(late).filter(verb="cases.route_late").count() == 1
    assert Case.objects.get(pk=late.pk).route_alerted_at is not None
    assert not Message.objects.about(fresh).filter(purpose="case.route_late").exists()


def test_a_routed_case_is_not_alerted(make_case, mailed, intake_officer, org):
    case = make_case(received_at=working_hours_ago(3))
    actions.assign_case(case, actor=intake_officer, department=org.sanitation)

    assert alert_late_routing(timezone.now()) == "alerted 0 cases"


def test_a_new_avoidance_request_can_be_alerted_again(assigned_case, handler, mailed):
    actions.request_avoidance(assigned_case, actor=handler, reason="소관 아님")
    later = business_calendar().add_working_hours(timezone.now(), 4)

    assert alert_late_routing(later) == "alerted 1 cases"
    assert Case.objects.get(pk=assigned_case.pk).status == CaseStatus.ASSIGNED


def test_routing_sweep_is_registered():
    assert "cases.routing_alerts" in set(scheduler.registered_sweeps())


def test_coordinator_counts_late_routings(make_case, intake_officer, handler, org):
    late = actions.assign_case(
        make_case(received_at=working_hours_ago(3)), actor=intake_officer, department=org.sanitation
    )
    handling_assignment(late)
    late.assignments.filter(ended_at__isnull=True).update(assigned_at=working_hours_ago(5))
    actions.transfer_case(
        late, actor=handler, kind=TransferKind.MISFILED, to_department=org.transport, reason="x"
    )
    waiting = make_case(received_at=working_hours_ago(2))
    make_case()

    counts = routing_counts(Case.objects.all(), timezone.now())

    assert counts.waiting == 1
    assert counts.late_assignments == 1
    assert counts.late_transfers == 1
    assert counts.late_steps == 2
    assert [case.pk for case in late_to_route(Case.objects.all(), timezone.now())] == [waiting.pk]


def test_pages_show_late_routing(verified_client, make_case, coordinator):
    from django.urls import reverse

    late = make_case(received_at=working_hours_ago(3))
    client = verified_client(coordinator)

    page = client.get(reverse("cases_office:detail", args=[late.receipt_no])).content.decode()
    assert 'id="case-route-due"' in page
    assert "배정 지연" in page

    queues = client.get(reverse("cases_office:queues")).content.decode()
    assert 'id="routing-counts"' in queues
    assert "배정 지연" in queues

    listed = client.get(reverse("cases_office:queues"), {"routing": "late"})
    assert listed.status_code == 200
    assert late.receipt_no in listed.content.decode()
