"""Assignment, transfer (이송·재지정), 핑퐁민원, designation and 기피신청."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from sotong.accounts.models import Role
from sotong.cases import actions
from sotong.cases.errors import CasesError, CaseTransitionError, NotPermitted
from sotong.cases.models import (
    AssignmentRole,
    Case,
    CaseAssignment,
    CaseStatus,
    DecisionStatus,
    Transfer,
    TransferKind,
)
from sotong.cases.tests.helpers import state
from sotong.core.models import Event
from sotong.messaging.models import Message


def open_handling(case: Case) -> list[CaseAssignment]:
    return list(case.assignments.filter(role=AssignmentRole.HANDLING, ended_at__isnull=True))


def test_assignment_names_department_officer_and_cooperating(org, make_case, intake_officer, handler):
    case = actions.assign_case(
        make_case(),
        actor=intake_officer,
        department=org.sanitation,
        officer=handler,
        cooperating=[org.transport],
    )
    assert case.status == CaseStatus.ASSIGNED
    assert (case.handling_department, case.officer) == (org.sanitation, handler)
    [handling] = open_handling(case)
    assert handling.officer == handler
    assert case.assignments.filter(role=AssignmentRole.COOPERATING, department=org.transport).exists()
    event = Event.objects.for_target(case).get(verb="cases.assigned")
    assert event.before["status"] == CaseStatus.RECEIVED
    assert event.after["status"] == CaseStatus.ASSIGNED


def test_officer_must_be_a_handler_of_the_department(org, make_case, intake_officer, other_dept_handler):
    case = make_case()
    before = state(case)
    with pytest.raises(CasesError) as error:
        actions.assign_case(case, actor=intake_officer, department=org.sanitation, officer=other_dept_handler)
    assert error.value.field == "officer"
    assert state(case) == before


def test_database_allows_only_one_open_handling_assignment(assigned_case, org):
    with pytest.raises(IntegrityError):
        CaseAssignment.objects.create(
            case=assigned_case, department=org.transport, role=AssignmentRole.HANDLING
        )


def test_reassigning_records_a_transfer_and_keeps_one_open_assignment(assigned_case, org, intake_officer):
    case = actions.assign_case(assigned_case, actor=intake_officer, department=org.transport)
    assert case.handling_department == org.transport
    assert case.officer is None
    assert [a.department for a in open_handling(case)] == [org.transport]
    transfer = Transfer.objects.get(case=case)
    assert (transfer.kind, transfer.from_department, transfer.to_department) == (
        TransferKind.REASSIGN,
        org.sanitation,
        org.transport,
    )
    assert case.transfer_count == 1


def test_transfer_needs_a_reason_and_a_different_department(assigned_case, org, handler):
    before = state(assigned_case)
    with pytest.raises(CasesError) as error:
        actions.transfer_case(
            assigned_case, actor=handler, to_department=org.transport, kind=TransferKind.MISFILED, reason=" "
        )
    assert error.value.field == "reason"
    with pytest.raises(CasesError):
        actions.transfer_case(
            assigned_case, actor=handler, to_department=org.sanitation, kind=TransferKind.MISFILED, reason="x"
        )
    assert state(assigned_case) == before


def test_third_transfer_makes_a_ping_pong_case_for_the_coordinator(
    assigned_case, org, handler, other_dept_handler, make_staff, coordinator
):
    case = actions.transfer_case(
        assigned_case,
        actor=handler,
        to_department=org.transport,
        kind=TransferKind.MISFILED,
        reason="교통 소관",
    )
    case = actions.transfer_case(
        case,
        actor=other_dept_handler,
        to_department=org.sanitation,
        kind=TransferKind.MISFILED,
        reason="청소 소관",
    )
    assert not case.is_ping_pong
    case = actions.transfer_case(
        case, actor=handler, to_department=org.transport, kind=TransferKind.MISFILED, reason="다시 교통"
    )
    assert case.transfer_count == 3
    assert case.is_ping_pong
    assert Case.objects.ping_pong().filter(pk=case.pk).exists()
    # The department may no longer move it: only the coordinator designates.
    before = state(case)
    with pytest.raises(NotPermitted):
        actions.transfer_case(
            case,
            actor=other_dept_handler,
            to_department=org.sanitation,
            kind=TransferKind.MISFILED,
            reason="또",
        )
    assert state(case) == before
    case = actions.designate_department(
        case, actor=coordinator, department=org.transport, reason="교통행정과 처리"
    )
    assert not case.is_ping_pong
    assert case.handling_department == org.transport
    assert case.transfers.last().kind == TransferKind.DESIGNATED
    assert len(open_handling(case)) == 1


def test_transfer_to_another_agency_ends_the_case_and_tells_the_citizen(
    assigned_case, handler, intake_officer
):
    case = actions.transfer_case(
        assigned_case,
        actor=handler,
        to_agency="서울특별시 도시교통실",
        kind=TransferKind.AGENCY,
        reason="시 소관 도로",
    )
    assert case.status == CaseStatus.TRANSFERRED_OUT
    assert not case.assignments.filter(ended_at__isnull=True).exists()
    notice = Message.objects.about(case).get(purpose="cases.agency_transfer")
    assert "이송" in notice.body_text
    with pytest.raises(CaseTransitionError):
        actions.assign_case(case, actor=intake_officer, department=case.intake_department)


def test_agency_transfer_needs_the_agency(assigned_case, handler):
    with pytest.raises(CasesError) as error:
        actions.transfer_case(assigned_case, actor=handler, kind=TransferKind.AGENCY, reason="x")
    assert error.value.field == "to_agency"


def test_avoidance_approved_moves_the_case(assigned_case, org, handler, coordinator):
    request = actions.request_avoidance(
        assigned_case, actor=handler, reason="교통 시설물", suggested_department=org.transport
    )
    with pytest.raises(CasesError):
        actions.request_avoidance(assigned_case, actor=handler, reason="한 번 더")
    decided = actions.decide_avoidance(request, actor=coordinator, approve=True)
    assert decided.status == DecisionStatus.APPROVED
    case = Case.objects.get(pk=assigned_case.pk)
    assert case.handling_department == org.transport
    assert case.transfers.get().kind == TransferKind.DESIGNATED
    with pytest.raises(CaseTransitionError):
        actions.decide_avoidance(request, actor=coordinator, approve=False, note="이미 결정")


def test_avoidance_rejected_needs_a_reason_and_keeps_the_department(assigned_case, org, handler, coordinator):
    request = actions.request_avoidance(assigned_case, actor=handler, reason="업무 과중")
    with pytest.raises(CasesError):
        actions.decide_avoidance(request, actor=coordinator, approve=False)
    decided = actions.decide_avoidance(request, actor=coordinator, approve=False, note="청소행정과 소관")
    assert decided.status == DecisionStatus.REJECTED
    assert Case.objects.get(pk=assigned_case.pk).handling_department == org.sanitation


def test_approval_without_a_department_is_refused(assigned_case, handler, coordinator):
    request = actions.request_avoidance(assigned_case, actor=handler, reason="소관 아님")
    before = state(assigned_case)
    with pytest.raises(CasesError):
        actions.decide_avoidance(request, actor=coordinator, approve=True)
    assert state(assigned_case) == before


def test_set_officer_updates_the_open_assignment(assigned_case, org, make_staff, handler):
    colleague = make_staff("colleague", org.sanitation, Role.HANDLER)
    case = actions.set_officer(assigned_case, actor=handler, officer=colleague)
    assert case.officer == colleague
    assert open_handling(case)[0].officer == colleague


def test_start_processing_makes_the_handler_the_officer(make_case, org, intake_officer, handler):
    case = actions.assign_case(make_case(), actor=intake_officer, department=org.sanitation)
    case = actions.start_processing(case, actor=handler)
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.officer == handler
    with pytest.raises(CaseTransitionError):
        actions.start_processing(case, actor=handler)


def test_bulk_reassign_reports_each_case_and_half_writes_none(
    org, make_case, intake_officer, handler, other_dept_handler
):
    ok = actions.assign_case(make_case(), actor=intake_officer, department=org.sanitation)
    closed = actions.withdraw_case(make_case(), actor="citizen")
    unassigned = make_case()
    results = actions.bulk_reassign(
        [ok, closed, unassigned],
        actor=intake_officer,
        department=org.transport,
        reason="일괄 재지정",
        officer=other_dept_handler,
    )
    assert [r.ok for r in results] == [True, False, True]
    assert "바꿀 수 없습니다" in results[1].message
    assert Case.objects.get(pk=ok.pk).officer == other_dept_handler
    assert Case.objects.get(pk=unassigned.pk).handling_department == org.transport
    assert Case.objects.get(pk=closed.pk).status == CaseStatus.WITHDRAWN


def test_bulk_reassign_by_a_handler_rolls_back_a_case_whose_officer_step_fails(
    org, assigned_case, handler, make_staff
):
    stranger = make_staff("stranger", org.audit, Role.INTAKE)
    before = state(assigned_case)
    [result] = actions.bulk_reassign(
        [assigned_case], actor=handler, department=org.transport, reason="이관", officer=stranger
    )
    assert not result.ok
    assert state(assigned_case) == before


def test_intake_cannot_reassign_a_ping_pong_case(
    assigned_case, org, handler, other_dept_handler, intake_officer
):
    case = assigned_case
    for actor, to in [
        (handler, org.transport),
        (other_dept_handler, org.sanitation),
        (handler, org.transport),
    ]:
        case = actions.transfer_case(
            case, actor=actor, to_department=to, kind=TransferKind.MISFILED, reason="소관"
        )
    assert case.is_ping_pong
    before = state(case)
    with pytest.raises(NotPermitted) as error:
        actions.assign_case(case, actor=intake_officer, department=org.sanitation)
    assert "총괄부서" in error.value.message
    assert state(case) == before
