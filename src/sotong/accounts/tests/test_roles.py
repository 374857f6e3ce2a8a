"""Granting and revoking roles: who may, what is logged, what is refused."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from sotong.accounts import actions
from sotong.accounts.models import Role, RoleGrant
from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from sotong.core.models import Event


def test_coordinator_grants_a_role_and_an_event_records_it(org, coordinator, make_staff):
    # given a new member of staff without roles
    kim = make_staff("kim", org.transport)
    assert not kim.roles()
    # when the coordinator grants the handler role
    grant = actions.grant_role(coordinator, kim, org.transport, Role.HANDLER, "신규 전입")
    # then the user holds it, and the Event says who, what and why
    assert kim.has_role(Role.HANDLER)
    assert grant.granted_by == coordinator
    event = Event.objects.for_target(grant).get()
    assert event.verb == "role.granted"
    assert event.actor == coordinator
    assert event.after["role"] == "handler"
    assert event.after["department"] == org.transport.pk
    assert event.note == "신규 전입"


def test_revoking_keeps_the_grant_as_history_and_logs_before_and_after(org, coordinator, handler):
    grant = handler.active_grants().get()
    actions.revoke_role(coordinator, grant, "전출")
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert grant.revoked_by == coordinator
    assert grant.revoke_reason == "전출"
    assert not handler.has_role(Role.HANDLER)
    event = Event.objects.for_target(grant).get(verb="role.revoked")
    assert event.before["revoked_at"] is None
    assert event.after["revoked_at"] is not None


def test_granting_the_same_role_twice_is_refused_in_korean(org, coordinator, handler):
    with pytest.raises(actions.AccountsError, match="이미 청소행정과에서 처리·협조 역할"):
        actions.grant_role(coordinator, handler, org.sanitation, Role.HANDLER, "중복")
    assert RoleGrant.objects.filter(user=handler).count() == 1


def test_the_same_role_may_be_granted_again_after_revocation(org, coordinator, handler):
    actions.revoke_role(coordinator, handler.active_grants().get(), "휴직")
    actions.grant_role(coordinator, handler, org.sanitation, Role.HANDLER, "복직")
    assert RoleGrant.objects.filter(user=handler).count() == 2
    assert handler.active_grants().count() == 1


def test_revoking_twice_is_refused(coordinator, handler):
    grant = handler.active_grants().get()
    actions.revoke_role(coordinator, grant, "전출")
    with pytest.raises(actions.AccountsError, match="이미 회수된"):
        actions.revoke_role(coordinator, grant, "다시")
    assert Event.objects.filter(verb="role.revoked").count() == 1


def test_a_reason_is_required(org, coordinator, make_staff):
    kim = make_staff("kim", org.transport)
    with pytest.raises(actions.AccountsError, match="사유"):
        actions.grant_role(coordinator, kim, org.transport, Role.HANDLER, "  ")
    assert not RoleGrant.objects.filter(user=kim).exists()


@pytest.mark.parametrize("actor_name", ["handler", "intake_officer", "sns_officer", "programme_manager"])
def test_only_coordinators_and_sysadmins_may_grant(request, org, make_staff, actor_name):
    # given a member of staff without the coordinator or sysadmin role
    actor = request.getfixturevalue(actor_name)
    kim = make_staff("kim", org.transport)
    events_before = Event.objects.count()
    # when they try to grant, then PermissionDenied with a Korean message
    with pytest.raises(PermissionDenied, match="권한이 없습니다"):
        actions.grant_role(actor, kim, org.transport, Role.HANDLER, "부탁")
    # and nothing changed
    assert not RoleGrant.objects.filter(user=kim).exists()
    assert Event.objects.count() == events_before


def test_handler_cannot_revoke_a_grant(handler, other_dept_handler):
    grant = other_dept_handler.active_grants().get()
    events_before = Event.objects.count()
    with pytest.raises(actions.NotAllowed):
        actions.revoke_role(handler, grant, "장난")
    grant.refresh_from_db()
    assert grant.revoked_at is None
    assert Event.objects.count() == events_before


def test_coordinator_cannot_grant_the_sysadmin_role(org, coordinator, handler):
    events_before = Event.objects.count()
    with pytest.raises(actions.NotAllowed, match="시스템 관리자만"):
        actions.grant_role(coordinator, handler, org.it, Role.SYSADMIN, "전산 담당")
    assert not handler.has_role(Role.SYSADMIN)
    assert not RoleGrant.objects.filter(user=handler, role=Role.SYSADMIN).exists()
    assert Event.objects.count() == events_before


def test_coordinator_cannot_revoke_a_sysadmin_grant(coordinator, sysadmin):
    grant = sysadmin.active_grants().get()
    with pytest.raises(actions.NotAllowed):
        actions.revoke_role(coordinator, grant, "정리")
    grant.refresh_from_db()
    assert grant.is_active


def test_sysadmin_grants_the_sysadmin_role(org, sysadmin, handler):
    actions.grant_role(sysadmin, handler, org.it, Role.SYSADMIN, "전산 담당 겸직")
    assert handler.has_role(Role.SYSADMIN)
    assert handler.needs_two_factor


def test_the_last_sysadmin_cannot_be_revoked(sysadmin):
    grant = sysadmin.active_grants().get()
    with pytest.raises(actions.AccountsError, match="마지막 시스템 관리자"):
        actions.revoke_role(sysadmin, grant, "실수")
    grant.refresh_from_db()
    assert grant.is_active


def test_deactivating_a_user_revokes_every_role_and_blocks_login(client, org, sysadmin, handler, coordinator):
    actions.grant_role(coordinator, handler, org.transport, Role.HANDLER, "겸직")
    actions.deactivate_user(sysadmin, handler, "퇴직")
    handler.refresh_from_db()
    assert not handler.is_active
    assert not handler.active_grants().exists()
    assert Event.objects.filter(verb="role.revoked").count() == 2
    assert Event.objects.for_target(handler).filter(verb="user.deactivated").exists()
    response = client.post(reverse("accounts:login"), {"username": "handler", "password": STAFF_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_coordinator_cannot_deactivate_a_user(coordinator, handler):
    with pytest.raises(actions.NotAllowed):
        actions.deactivate_user(coordinator, handler, "퇴직")
    handler.refresh_from_db()
    assert handler.is_active
    assert handler.active_grants().exists()


def test_roles_cannot_be_granted_to_an_inactive_account(org, sysadmin, coordinator, handler):
    actions.deactivate_user(sysadmin, handler, "퇴직")
    with pytest.raises(actions.AccountsError, match="비활성화된 계정"):
        actions.grant_role(coordinator, handler, org.sanitation, Role.HANDLER, "복직")


def test_create_staff_user_stores_an_argon2_hash(org):
    user = actions.create_staff_user(
        None, username="lee", name="이신규", department=org.audit, password="a-long-password-1"
    )
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("a-long-password-1")
    assert not user.roles()
    assert Event.objects.for_target(user).get().verb == "user.created"


def test_usernames_are_unique_regardless_of_case(org, handler):
    with pytest.raises(actions.AccountsError, match="이미 사용 중"):
        actions.create_staff_user(None, username="HANDLER", name="중복", department=org.audit)
