"""The office role-management pages: list by department, grant, revoke, history."""

import pytest
from django.urls import reverse

from sotong.accounts.models import Role, RoleGrant
from sotong.core.models import Event


@pytest.mark.parametrize("member", ["coordinator", "sysadmin"])
def test_coordinators_and_sysadmins_open_the_staff_list(request, verified_client, handler, member):
    client = verified_client(request.getfixturevalue(member))
    response = client.get(reverse("accounts:staff_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "직원 권한 관리" in html
    assert "청소행정과" in html
    assert "박처리" in html
    assert "처리·협조" in html


@pytest.mark.parametrize("member", ["handler", "intake_officer", "sns_officer", "programme_manager"])
def test_other_roles_are_refused_the_staff_pages(request, verified_client, other_dept_handler, member):
    client = verified_client(request.getfixturevalue(member))
    grant = other_dept_handler.active_grants().get()
    assert client.get(reverse("accounts:staff_list")).status_code == 403
    assert client.get(reverse("accounts:grant_history")).status_code == 403
    response = client.post(reverse("accounts:revoke", args=[grant.pk]), {"reason": "장난"})
    assert response.status_code == 403
    grant.refresh_from_db()
    assert grant.is_active


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("accounts:staff_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_list_filters_by_department_subtree(
    verified_client, coordinator, handler, other_dept_handler, org
):
    client = verified_client(coordinator)
    html = client.get(reverse("accounts:staff_list"), {"department": org.transport.pk}).content.decode()
    assert "최협조" in html
    assert "박처리" not in html


def test_staff_list_query_count_does_not_grow_with_staff(
    verified_client, coordinator, org, make_staff, django_assert_max_num_queries
):
    for n in range(15):
        make_staff(f"extra{n}", org.transport, Role.HANDLER)
    client = verified_client(coordinator)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("accounts:staff_list"))
    assert response.status_code == 200


def test_coordinator_grants_a_role_from_the_staff_page(verified_client, coordinator, handler, org):
    client = verified_client(coordinator)
    response = client.post(
        reverse("accounts:grant", args=[handler.pk]),
        {"department": org.transport.pk, "role": Role.HANDLER, "reason": "협조부서 지정"},
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.active().get(user=handler, department=org.transport)
    assert grant.granted_by == coordinator
    assert grant.grant_reason == "협조부서 지정"
    page = client.get(response["Location"]).content.decode()
    assert "역할을 부여했습니다" in page


def test_a_refused_grant_shows_the_korean_reason(verified_client, coordinator, handler, org):
    client = verified_client(coordinator)
    response = client.post(
        reverse("accounts:grant", args=[handler.pk]),
        {"department": org.sanitation.pk, "role": Role.HANDLER, "reason": "중복"},
    )
    assert response.status_code == 400
    assert "이미 청소행정과에서 처리·협조 역할" in response.content.decode()
    assert RoleGrant.objects.filter(user=handler).count() == 1


def test_coordinator_is_not_offered_and_cannot_post_the_sysadmin_role(
    verified_client, coordinator, handler, org
):
    client = verified_client(coordinator)
    page = client.get(reverse("accounts:staff_detail", args=[handler.pk])).content.decode()
    assert 'value="sysadmin"' not in page
    events_before = Event.objects.count()
    response = client.post(
        reverse("accounts:grant", args=[handler.pk]),
        {"department": org.it.pk, "role": Role.SYSADMIN, "reason": "전산"},
    )
    assert response.status_code == 400
    assert not RoleGrant.objects.filter(user=handler, role=Role.SYSADMIN).exists()
    assert Event.objects.count() == events_before


def test_grant_without_reason_is_refused(verified_client, coordinator, handler, org):
    client = verified_client(coordinator)
    response = client.post(
        reverse("accounts:grant", args=[handler.pk]), {"department": org.transport.pk, "role": Role.HANDLER}
    )
    assert response.status_code == 400
    assert "사유를 입력해 주세요." in response.content.decode()
    assert RoleGrant.objects.filter(user=handler).count() == 1


def test_coordinator_revokes_with_a_reason_and_the_history_shows_it(verified_client, coordinator, handler):
    client = verified_client(coordinator)
    grant = handler.active_grants().get()
    response = client.post(reverse("accounts:revoke", args=[grant.pk]), {"reason": "인사 이동"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoke_reason == "인사 이동"
    history = client.get(reverse("accounts:grant_history")).content.decode()
    assert "인사 이동" in history
    assert "권한 부여·회수 이력" in history


def test_revoking_an_already_revoked_grant_shows_an_error(verified_client, coordinator, handler):
    client = verified_client(coordinator)
    grant = handler.active_grants().get()
    client.post(reverse("accounts:revoke", args=[grant.pk]), {"reason": "인사 이동"})
    response = client.post(reverse("accounts:revoke", args=[grant.pk]), {"reason": "다시"})
    assert response.status_code == 400
    assert "이미 회수된 역할입니다." in response.content.decode()


def test_staff_list_filters_by_role(verified_client, coordinator, handler, sns_officer):
    client = verified_client(coordinator)
    html = client.get(reverse("accounts:staff_list"), {"role": Role.SNS_OFFICER}).content.decode()
    assert "정소통" in html
    assert "박처리" not in html
