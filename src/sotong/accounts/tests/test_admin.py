"""Django admin for departments, staff and the grant history (changes through actions)."""

import pytest
from django.urls import reverse

from sotong.accounts.models import Department, DepartmentLevel, RoleGrant, User
from sotong.core.models import Event


@pytest.fixture
def admin_client(verified_client, sysadmin):
    return verified_client(sysadmin)


def test_sysadmin_opens_the_accounts_admin_pages(admin_client, handler):
    for url in [
        reverse("admin:index"),
        reverse("admin:accounts_department_changelist"),
        reverse("admin:accounts_department_changelist") + "?q=청소",
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[handler.pk]),
        reverse("admin:accounts_rolegrant_changelist"),
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_admin_needs_the_second_factor(client, sysadmin):
    client.force_login(sysadmin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp"))


def test_department_added_in_the_admin_goes_through_the_action(admin_client, org, sysadmin):
    response = admin_client.post(
        reverse("admin:accounts_department_add"),
        {
            "code": "D151-T9",
            "name": "재활용팀",
            "level": DepartmentLevel.TEAM,
            "parent": org.sanitation.pk,
            "sort_order": 0,
            "is_active": "on",
            "phone": "02-2286-5509",
            "name_en": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    team = Department.objects.get(code="D151-T9")
    assert team.path == "/B5/D151/D151-T9/"
    assert Event.objects.for_target(team).get().actor == sysadmin


def test_admin_refuses_a_team_under_a_team(admin_client, org):
    response = admin_client.post(
        reverse("admin:accounts_department_add"),
        {
            "code": "X9",
            "name": "잘못",
            "level": DepartmentLevel.TEAM,
            "parent": org.sanitation_team.pk,
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "실·국 → 과 → 팀" in response.content.decode()
    assert not Department.objects.filter(code="X9").exists()


def test_moving_a_department_in_the_admin_rewrites_paths(admin_client, org):
    response = admin_client.post(
        reverse("admin:accounts_department_change", args=[org.sanitation.pk]),
        {
            "name": "청소행정과",
            "parent": org.safety_bureau.pk,
            "sort_order": 0,
            "is_active": "on",
            "phone": "",
            "name_en": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org.sanitation_team.refresh_from_db()
    assert org.sanitation_team.path == "/B4/D151/D151-T1/"


def test_role_grants_are_read_only_in_the_admin(admin_client, handler):
    grant = handler.active_grants().get()
    assert admin_client.get(reverse("admin:accounts_rolegrant_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:accounts_rolegrant_change", args=[grant.pk]), {"role": "sysadmin"}
    )
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:accounts_rolegrant_delete", args=[grant.pk])).status_code == 403
    assert RoleGrant.objects.get(pk=grant.pk).role == "handler"


def test_deactivate_action_in_the_admin(admin_client, handler):
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate", "_selected_action": [handler.pk], "reason": "퇴직"},
    )
    assert response.status_code == 302
    handler.refresh_from_db()
    assert not handler.is_active
    assert not handler.active_grants().exists()


def test_users_are_never_deleted_in_the_admin(admin_client, handler):
    assert admin_client.get(reverse("admin:accounts_user_delete", args=[handler.pk])).status_code == 403
    assert User.objects.filter(pk=handler.pk).exists()


def test_staff_account_added_in_the_admin_goes_through_the_action(admin_client, org, sysadmin):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newbie",
            "name": "신입",
            "department": org.audit.pk,
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newbie")
    assert user.password.startswith("argon2$")
    assert not user.roles()
    assert Event.objects.for_target(user).get(verb="user.created").actor == sysadmin


def test_staff_details_edited_in_the_admin_are_logged(admin_client, org, handler, sysadmin):
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[handler.pk]),
        {
            "username": "handler",
            "name": "박처리",
            "email": "",
            "department": org.transport.pk,
            "position": "팀장",
            "office_phone": "02-2286-5401",
            "role_grants-TOTAL_FORMS": "1",
            "role_grants-INITIAL_FORMS": "1",
            "role_grants-MIN_NUM_FORMS": "0",
            "role_grants-MAX_NUM_FORMS": "1000",
            "role_grants-0-id": handler.active_grants().get().pk,
            "role_grants-0-user": handler.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    handler.refresh_from_db()
    assert handler.position == "팀장"
    assert handler.department == org.transport
    event = Event.objects.for_target(handler).get(verb="user.updated")
    assert event.before["department"] == org.sanitation.pk
    assert event.after["department"] == org.transport.pk
    assert event.actor == sysadmin
