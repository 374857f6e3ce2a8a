"""Department tree: levels, materialised paths, moves."""

import pytest

from sotong.accounts import actions
from sotong.accounts.models import Department, DepartmentLevel
from sotong.core.models import Event


def test_create_department_builds_path_from_parent_codes(org):
    # given the test district
    # when a team is added under 청소행정과
    team = actions.create_department(
        None, code="D151-T2", name="자원순환팀", level=DepartmentLevel.TEAM, parent=org.sanitation
    )
    # then its path is the chain of codes and an Event records it
    assert team.path == "/B5/D151/D151-T2/"
    assert team.depth == 2
    event = Event.objects.for_target(team).get()
    assert event.verb == "department.created"
    assert event.after["path"] == "/B5/D151/D151-T2/"


def test_team_cannot_be_created_under_a_team(org):
    # when a team is put under a team, then a Korean domain error says the tree order
    with pytest.raises(actions.AccountsError, match="실·국 → 과 → 팀"):
        actions.create_department(
            None, code="X1", name="잘못된팀", level=DepartmentLevel.TEAM, parent=org.sanitation_team
        )
    assert not Department.objects.filter(code="X1").exists()


@pytest.mark.parametrize(
    ("level", "parent_attr"),
    [
        (DepartmentLevel.TEAM, None),
        (DepartmentLevel.BUREAU, "admin_bureau"),
        (DepartmentLevel.DIVISION, "sanitation"),
    ],
)
def test_tree_order_is_bureau_division_team(org, level, parent_attr):
    parent = getattr(org, parent_attr) if parent_attr else None
    with pytest.raises(actions.AccountsError):
        actions.create_department(None, code="X2", name="잘못", level=level, parent=parent)
    assert not Department.objects.filter(code="X2").exists()


def test_department_code_is_unique(org):
    with pytest.raises(actions.AccountsError, match="이미 사용 중"):
        actions.create_department(None, code="D151", name="중복", level=DepartmentLevel.DIVISION)


def test_moving_a_division_rewrites_the_paths_of_its_subtree(org):
    # given 청소행정과 (with a team) under 환경국
    assert org.sanitation_team.path == "/B5/D151/D151-T1/"
    # when it moves under 도시안전국
    actions.move_department(None, org.sanitation, org.safety_bureau, reason="직제 개편")
    # then it and its team carry the new prefix, other departments are untouched
    org.sanitation.refresh_from_db()
    org.sanitation_team.refresh_from_db()
    org.transport.refresh_from_db()
    assert org.sanitation.path == "/B4/D151/"
    assert org.sanitation_team.path == "/B4/D151/D151-T1/"
    assert org.transport.path == "/B4/D141/"
    assert set(Department.objects.subtree_of([org.safety_bureau]).values_list("code", flat=True)) == {
        "B4",
        "D141",
        "D141-T2",
        "D151",
        "D151-T1",
    }
    event = Event.objects.for_target(org.sanitation).filter(verb="department.moved").get()
    assert event.before["path"] == "/B5/D151/"
    assert event.after["path"] == "/B4/D151/"
    assert event.note == "직제 개편"


def test_division_can_move_to_the_top_level(org):
    actions.move_department(None, org.sanitation, None)
    org.sanitation_team.refresh_from_db()
    assert org.sanitation_team.path == "/D151/D151-T1/"


def test_department_cannot_move_under_its_own_subtree(org):
    # given a bureau with divisions
    # when it is moved under one of its own divisions, then refused and nothing changes
    with pytest.raises(actions.AccountsError, match="하위 부서"):
        actions.move_department(None, org.safety_bureau, org.transport)
    org.safety_bureau.refresh_from_db()
    assert org.safety_bureau.parent is None
    assert org.safety_bureau.path == "/B4/"


def test_team_cannot_move_under_a_bureau(org):
    with pytest.raises(actions.AccountsError):
        actions.move_department(None, org.sanitation_team, org.admin_bureau)
    org.sanitation_team.refresh_from_db()
    assert org.sanitation_team.parent == org.sanitation


def test_only_a_sysadmin_may_create_or_move_departments(org, coordinator, sysadmin):
    # when a coordinator tries, then NotAllowed and nothing changes
    with pytest.raises(actions.NotAllowed):
        actions.create_department(coordinator, code="D999", name="신설과", level=DepartmentLevel.DIVISION)
    with pytest.raises(actions.NotAllowed):
        actions.move_department(coordinator, org.sanitation, org.safety_bureau)
    assert not Department.objects.filter(code="D999").exists()
    org.sanitation.refresh_from_db()
    assert org.sanitation.path == "/B5/D151/"
    # a sysadmin may
    created = actions.create_department(sysadmin, code="D999", name="신설과", level=DepartmentLevel.DIVISION)
    assert Event.objects.for_target(created).get().actor == sysadmin


def test_full_name_lists_ancestors(org):
    assert org.sanitation_team.full_name() == "환경국 > 청소행정과 > 청소행정팀"


def test_a_department_with_staff_cannot_be_closed(org, sysadmin, handler):
    with pytest.raises(actions.AccountsError, match="소속 직원"):
        actions.update_department(sysadmin, org.sanitation, is_active=False)
    org.sanitation.refresh_from_db()
    assert org.sanitation.is_active


def test_renaming_a_department_is_logged(org, sysadmin):
    actions.update_department(sysadmin, org.transport, name="교통정책과", phone="02-2286-5401")
    event = Event.objects.for_target(org.transport).get(verb="department.updated")
    assert event.before["name"] == "교통행정과"
    assert event.after["name"] == "교통정책과"
