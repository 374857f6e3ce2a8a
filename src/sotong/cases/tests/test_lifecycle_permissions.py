"""Department scoping of every lifecycle action across the cast: allowed, or refused with nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from sotong.accounts.models import Role
from sotong.cases import actions
from sotong.cases.errors import NotPermitted
from sotong.cases.models import AvoidanceRequest, Case, NoteVisibility, TransferKind
from sotong.cases.tests.helpers import CAST, state, upload

Act = Callable[[Case, Any, SimpleNamespace], object]

EVERYONE_WHO_MANAGES = {"coordinator", "intake_officer", "handler"}

# action name → (starting fixture, the call, who may do it)
MATRIX: dict[str, tuple[str, Act, set[str]]] = {
    "assign_case": (
        "make_case",
        lambda case, actor, f: actions.assign_case(case, actor=actor, department=f.org.sanitation),
        {"coordinator", "intake_officer"},
    ),
    "reassign": (
        "assigned_case",
        lambda case, actor, f: actions.assign_case(case, actor=actor, department=f.org.transport),
        {"coordinator", "intake_officer"},
    ),
    "set_officer": (
        "assigned_case",
        lambda case, actor, f: actions.set_officer(case, actor=actor, officer=f.colleague),
        EVERYONE_WHO_MANAGES,
    ),
    "transfer_case": (
        "assigned_case",
        lambda case, actor, f: actions.transfer_case(
            case, actor=actor, to_department=f.org.transport, kind=TransferKind.MISFILED, reason="소관 아님"
        ),
        EVERYONE_WHO_MANAGES,
    ),
    "transfer_to_agency": (
        "assigned_case",
        lambda case, actor, f: actions.transfer_case(
            case, actor=actor, to_agency="서울특별시", kind=TransferKind.AGENCY, reason="시 소관"
        ),
        EVERYONE_WHO_MANAGES,
    ),
    "designate_department": (
        "assigned_case",
        lambda case, actor, f: actions.designate_department(
            case, actor=actor, department=f.org.transport, reason="총괄 지정"
        ),
        {"coordinator"},
    ),
    "request_avoidance": (
        "assigned_case",
        lambda case, actor, f: actions.request_avoidance(case, actor=actor, reason="소관 아님"),
        {"handler"},
    ),
    "extend_deadline": (
        "assigned_case",
        lambda case, actor, f: actions.extend_deadline(case, actor=actor, days=3, reason="현장 확인"),
        {"coordinator", "handler"},
    ),
    "add_note": (
        "assigned_case",
        lambda case, actor, f: actions.add_note(
            case, actor=actor, body="현장 확인 예정", visibility=NoteVisibility.INTERNAL
        ),
        EVERYONE_WHO_MANAGES,
    ),
    "add_attachment": (
        "assigned_case",
        lambda case, actor, f: actions.add_attachment(
            case, actor=actor, uploaded_file=upload(), from_citizen=False
        ),
        EVERYONE_WHO_MANAGES,
    ),
    "start_processing": (
        "assigned_case",
        lambda case, actor, f: actions.start_processing(case, actor=actor),
        {"coordinator", "handler"},
    ),
    "answer_case": (
        "in_progress_case",
        lambda case, actor, f: actions.answer_case(case, actor=actor, body="처리했습니다."),
        {"coordinator", "handler"},
    ),
    "close_case": (
        "answered_case",
        lambda case, actor, f: actions.close_case(case, actor=actor),
        EVERYONE_WHO_MANAGES,
    ),
    "reopen_case": (
        "answered_case",
        lambda case, actor, f: actions.reopen_case(case, actor=actor, reason="보완 필요"),
        EVERYONE_WHO_MANAGES,
    ),
    "withdraw_case": (
        "assigned_case",
        lambda case, actor, f: actions.withdraw_case(case, actor=actor, reason="신청인 요청"),
        EVERYONE_WHO_MANAGES,
    ),
    "set_flags": (
        "assigned_case",
        lambda case, actor, f: actions.set_flags(case, actor=actor, is_urgent_safety=True),
        EVERYONE_WHO_MANAGES,
    ),
    "link_cases": (
        "assigned_case",
        lambda case, actor, f: actions.link_cases(case, [f.other_case], actor=actor),
        EVERYONE_WHO_MANAGES,
    ),
    "merge_cases": (
        "assigned_case",
        lambda case, actor, f: actions.merge_cases(f.other_case, [case], actor=actor, reason="같은 내용"),
        EVERYONE_WHO_MANAGES,
    ),
}


@pytest.fixture
def world(request, org, make_staff, make_case, coordinator, intake_officer):
    colleague = make_staff("colleague", org.sanitation, Role.HANDLER, name="오동료")
    other = actions.assign_case(
        make_case(title="같은 골목 쓰레기"), actor=intake_officer, department=org.sanitation
    )
    return SimpleNamespace(org=org, colleague=colleague, other_case=other)


@pytest.mark.parametrize("cast", CAST)
@pytest.mark.parametrize("action", sorted(MATRIX))
def test_action_permission_across_the_cast(request, world, action, cast):
    start, act, allowed = MATRIX[action]
    case = request.getfixturevalue(start)
    if start == "make_case":
        case = case()
    actor = request.getfixturevalue(cast)
    before = state(case)
    if cast in allowed:
        act(case, actor, world)
        assert state(case) != before
    else:
        with pytest.raises(NotPermitted) as error:
            act(case, actor, world)
        assert error.value.status_code == 403
        assert "권한" in error.value.message
        assert state(case) == before


@pytest.mark.parametrize("cast", CAST)
def test_only_the_coordinator_decides_avoidance(request, world, assigned_case, handler, cast):
    pending = actions.request_avoidance(
        assigned_case, actor=handler, reason="도로 소관", suggested_department=world.org.transport
    )
    actor = request.getfixturevalue(cast)
    before = state(assigned_case)
    if cast == "coordinator":
        actions.decide_avoidance(pending, actor=actor, approve=True)
        assert Case.objects.get(pk=assigned_case.pk).handling_department == world.org.transport
    else:
        with pytest.raises(NotPermitted):
            actions.decide_avoidance(pending, actor=actor, approve=True)
        assert state(assigned_case) == before
        assert AvoidanceRequest.objects.get(pk=pending.pk).status == "pending"


def test_a_cooperating_department_may_add_notes_but_not_answer(
    org, intake_officer, make_case, other_dept_handler
):
    case = actions.assign_case(
        make_case(), actor=intake_officer, department=org.sanitation, cooperating=[org.transport]
    )
    actions.add_note(case, actor=other_dept_handler, body="협조 의견", visibility=NoteVisibility.INTERNAL)
    before = state(case)
    with pytest.raises(NotPermitted):
        actions.start_processing(case, actor=other_dept_handler)
    assert state(case) == before


def test_a_team_handler_acts_on_cases_of_the_division_only_when_granted_above(org, make_staff, assigned_case):
    team_handler = make_staff("team", org.sanitation_team, Role.HANDLER)
    before = state(assigned_case)
    with pytest.raises(NotPermitted):
        actions.start_processing(assigned_case, actor=team_handler)
    assert state(assigned_case) == before


def test_citizen_label_cannot_do_staff_work(assigned_case):
    before = state(assigned_case)
    with pytest.raises(NotPermitted):
        actions.start_processing(assigned_case, actor="citizen")  # type: ignore[arg-type]
    assert state(assigned_case) == before
