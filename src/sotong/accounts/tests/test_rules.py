"""Predicates, permissions and department scoping per role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from sotong.accounts import actions
from sotong.accounts import rules as account_rules
from sotong.accounts.models import Department, Role, departments_for

CAST = [
    "coordinator",
    "intake_officer",
    "handler",
    "other_dept_handler",
    "sns_officer",
    "programme_manager",
    "sysadmin",
]

EXPECTED_PREDICATES = {
    "coordinator": {"is_coordinator"},
    "intake_officer": {"is_intake"},
    "handler": {"is_handler"},
    "other_dept_handler": {"is_handler"},
    "sns_officer": {"is_sns_officer"},
    "programme_manager": {"is_programme_manager"},
    "sysadmin": {"is_sysadmin"},
}
PREDICATES = [
    "is_coordinator",
    "is_sysadmin",
    "is_intake",
    "is_handler",
    "is_sns_officer",
    "is_programme_manager",
]


@pytest.mark.parametrize("member", CAST)
def test_each_cast_member_satisfies_only_their_role_predicate(request, member):
    user = request.getfixturevalue(member)
    holds = {name for name in PREDICATES if getattr(account_rules, name).test(user)}
    assert holds == EXPECTED_PREDICATES[member]


def test_anonymous_and_inactive_users_satisfy_no_predicate(sysadmin, coordinator, handler):
    actions.deactivate_user(sysadmin, handler, "퇴직")
    handler.refresh_from_db()
    for user in (AnonymousUser(), handler):
        assert not any(getattr(account_rules, name).test(user) for name in PREDICATES)
        assert not account_rules.is_staff_member.test(user)


@pytest.mark.parametrize(
    ("member", "may_grant", "may_grant_sysadmin", "may_view_access_log"),
    [
        ("coordinator", True, False, False),
        ("sysadmin", True, True, True),
        ("intake_officer", False, False, False),
        ("handler", False, False, False),
        ("sns_officer", False, False, False),
        ("programme_manager", False, False, False),
    ],
)
def test_permissions_per_role(request, member, may_grant, may_grant_sysadmin, may_view_access_log):
    user = request.getfixturevalue(member)
    assert user.has_perm("accounts.grant_role") is may_grant
    assert user.has_perm("accounts.revoke_role") is may_grant
    assert user.has_perm("accounts.manage_roles") is may_grant
    assert user.has_perm("accounts.grant_sysadmin") is may_grant_sysadmin
    assert user.has_perm("office.view_access_log") is may_view_access_log


def test_has_role_in_department_covers_the_subtree_of_the_grant(org, handler):
    # given a handler granted in 청소행정과
    # then the role counts in its team, not in another division or in the bureau above
    assert account_rules.has_role_in_department.test(handler, org.sanitation)
    assert account_rules.has_role_in_department.test(handler, org.sanitation_team)
    assert not account_rules.has_role_in_department.test(handler, org.transport)
    assert not account_rules.has_role_in_department.test(handler, org.sanitation.parent)


def test_role_in_department_checks_the_named_roles_and_objects_with_a_department(org, handler):
    class Case:  # anything with a `department` attribute
        department = org.sanitation_team

    assert account_rules.role_in_department(Role.HANDLER).test(handler, Case())
    assert not account_rules.role_in_department(Role.INTAKE).test(handler, Case())


def test_view_department_permission_follows_roles_and_own_department(org, handler, coordinator):
    assert handler.has_perm("accounts.view_department", org.sanitation_team)
    assert not handler.has_perm("accounts.view_department", org.transport)
    assert coordinator.has_perm("accounts.view_department", org.transport)


@pytest.mark.parametrize("member", ["coordinator", "sysadmin"])
def test_coordinators_and_sysadmins_see_every_department(request, org, member):
    user = request.getfixturevalue(member)
    assert set(Department.objects.visible_to(user)) == set(Department.objects.all())
    assert set(departments_for(user, Role.HANDLER)) == set(Department.objects.all())


def test_handler_sees_their_division_and_its_teams_only(org, handler, other_dept_handler):
    # when each handler's departments are scoped
    mine = set(departments_for(handler, Role.HANDLER).values_list("code", flat=True))
    theirs = set(departments_for(other_dept_handler).values_list("code", flat=True))
    # then each sees their own subtree and never the other's
    assert mine == {"D151", "D151-T1"}
    assert theirs == {"D141", "D141-T2"}
    assert set(Department.objects.visible_to(handler).values_list("code", flat=True)) == mine


def test_scoping_by_a_role_the_user_does_not_hold_is_empty(handler):
    assert not departments_for(handler, Role.INTAKE).exists()


def test_a_grant_on_a_bureau_covers_all_its_divisions_and_teams(org, coordinator, make_staff):
    director = make_staff("director", org.safety_bureau)
    actions.grant_role(coordinator, director, org.safety_bureau, Role.HANDLER, "국 단위 처리")
    assert set(departments_for(director, Role.HANDLER).values_list("code", flat=True)) == {
        "B4",
        "D141",
        "D141-T2",
    }


def test_staff_without_roles_see_their_own_department_only(org, make_staff):
    newcomer = make_staff("new", org.transport)
    assert set(Department.objects.visible_to(newcomer).values_list("code", flat=True)) == {"D141", "D141-T2"}
    assert not departments_for(newcomer).exists()


def test_anonymous_sees_no_department(org):
    assert not Department.objects.visible_to(AnonymousUser()).exists()
    assert not departments_for(AnonymousUser()).exists()


def test_revoking_a_role_narrows_the_scope_at_once(org, coordinator, handler):
    actions.revoke_role(coordinator, handler.active_grants().get(), "전출")
    assert not departments_for(handler, Role.HANDLER).exists()


def test_two_factor_is_needed_by_coordinators_sysadmins_and_superusers_only(
    coordinator, sysadmin, handler, intake_officer
):
    assert coordinator.needs_two_factor
    assert sysadmin.needs_two_factor
    assert not handler.needs_two_factor
    assert not intake_officer.needs_two_factor
