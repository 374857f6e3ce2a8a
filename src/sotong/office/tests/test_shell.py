import pytest
from django.urls import reverse

from sotong.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_office_home_requires_login(client):
    response = client.get(reverse("office:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_page_renders_the_office_shell_without_navigation_for_anonymous_users(client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()

    assert response.status_code == 200
    assert 'id="krds-skip-link"' in html
    assert 'id="main"' in html
    assert 'class="krds-main-menu"' not in html
    assert 'id="session-warning"' not in html
    assert "로그아웃" not in html
    assert reverse("portal:privacy") in html


def test_office_home_shows_departments_roles_and_role_navigation(client, org, make_staff):
    handler = make_staff("kim", org.sanitation, Role.HANDLER, Role.INTAKE, name="김처리")
    client.force_login(handler)

    response = client.get(reverse("office:home"))
    html = response.content.decode()

    assert response.status_code == 200
    assert "김처리" in html
    assert "청소행정과" in html
    assert "환경국 &gt; 청소행정과" in html
    assert "처리·협조" in html
    assert "주관" in html
    assert 'aria-current="page"' in html
    assert "/accounts/staff/" not in html
    assert 'id="session-warning"' in html
    assert reverse("accounts:logout") in html


def test_office_home_lists_only_active_grants(client, org, make_staff):
    from sotong.accounts import actions

    user = make_staff("lee", org.pr, Role.HANDLER, Role.SNS_OFFICER)
    grant = user.active_grants().get(role=Role.SNS_OFFICER)
    actions.revoke_role(None, grant, reason="전보")
    client.force_login(user)

    html = client.get(reverse("office:home")).content.decode()

    assert "처리·협조" in html
    assert "소통담당" not in html


def test_office_home_session_warning_carries_the_session_settings(client, handler, settings):
    settings.SESSION_COOKIE_AGE = 600
    settings.SESSION_WARNING_SECONDS = 45
    client.force_login(handler)

    html = client.get(reverse("office:home")).content.decode()

    assert 'data-session-seconds="600"' in html
    assert 'data-warning-seconds="45"' in html
    assert 'data-extend-url="/accounts/session/extend/"' in html


def test_office_home_in_english(client, handler):
    client.force_login(handler)
    client.post(reverse("set_language"), {"language": "en", "next": "/office/"})

    html = client.get(reverse("office:home")).content.decode()

    assert '<html lang="en">' in html
    assert "Office home" in html
    assert "Skip to content" in html


def test_coordinator_home_lists_staff_pages_after_two_factor(verified_client, coordinator):
    html = verified_client(coordinator).get(reverse("office:home")).content.decode()

    assert 'href="/accounts/staff/"' in html
    assert "직원·권한" in html
    assert 'href="/admin/"' not in html


def test_sysadmin_home_lists_admin_and_access_log(verified_client, sysadmin):
    html = verified_client(sysadmin).get(reverse("office:home")).content.decode()

    assert 'href="/admin/"' in html
    assert "접근기록" in html
