"""Staff login: Argon2 hashes, Korean errors, lockout after 5 failures, logout by POST, demo panel."""

import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from sotong.accounts import actions
from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from sotong.core.models import Event

LOGIN = "accounts:login"


def post_login(client, username, password, **extra):
    return client.post(reverse(LOGIN), {"username": username, "password": password, **extra})


def test_login_page_is_korean_with_krds_inputs(client, db):
    response = client.get(reverse(LOGIN))
    html = response.content.decode()
    assert response.status_code == 200
    assert "직원 로그인" in html
    assert 'class="krds-input"' in html
    assert 'autocomplete="current-password"' in html


def test_handler_logs_in_with_password_only(client, handler):
    # given a stored Argon2 hash
    assert handler.password.startswith("argon2$argon2id$")
    # when the handler logs in
    response = post_login(client, "handler", STAFF_PASSWORD)
    # then they go straight to the office
    assert response.status_code == 302
    assert response["Location"] == reverse("office:home")
    assert get_user(client).pk == handler.pk


def test_login_follows_a_safe_next_and_ignores_another_host(client, handler):
    response = post_login(client, "handler", STAFF_PASSWORD, next="/office/?tab=1")
    assert response["Location"] == "/office/?tab=1"
    client.post(reverse("accounts:logout"))
    response = post_login(client, "handler", STAFF_PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("office:home")


def test_wrong_password_gives_a_clear_korean_error(client, handler):
    response = post_login(client, "handler", "wrong-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "아이디 또는 비밀번호가 올바르지 않습니다." in html
    assert "5회 연속으로 틀리면" in html
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_with_a_korean_page(client, handler):
    # given four failures, the form still answers with the error
    for _attempt in range(4):
        assert post_login(client, "handler", "wrong-password").status_code == 200
    # when the fifth fails
    response = post_login(client, "handler", "wrong-password")
    # then the account is locked and the Korean page says so
    assert response.status_code == 429
    html = response.content.decode()
    assert "계정이 잠겼습니다" in html
    assert "5회 연속으로 잘못 입력" in html
    assert "30분 후에 다시 로그인할 수 있습니다" in html
    # and even the right password is refused now
    response = post_login(client, "handler", STAFF_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_not_per_office(client, handler, other_dept_handler):
    for _attempt in range(5):
        post_login(client, "handler", "wrong-password")
    # the colleague behind the same IP still logs in
    response = post_login(client, "handler2", STAFF_PASSWORD)
    assert response.status_code == 302


def test_successful_login_resets_the_failure_count(client, handler):
    for _attempt in range(4):
        post_login(client, "handler", "wrong-password")
    assert post_login(client, "handler", STAFF_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _attempt in range(4):
        assert post_login(client, "handler", "wrong-password").status_code == 200


def test_logout_is_by_post_only(client, handler):
    post_login(client, "handler", STAFF_PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse(LOGIN)
    assert "_auth_user_id" not in client.session


def test_demo_logins_are_shown_in_demo_mode(client, db, settings):
    settings.SOTONG_DEMO = True
    settings.DEBUG = False
    html = client.get(reverse(LOGIN)).content.decode()
    assert "체험용 계정" in html
    assert "coordinator" in html
    assert "sotong-demo-2025" in html


def test_demo_logins_are_shown_when_debug_is_on(client, db, settings):
    settings.SOTONG_DEMO = False
    settings.DEBUG = True
    assert "체험용 계정" in client.get(reverse(LOGIN)).content.decode()


def test_demo_logins_are_hidden_in_production(client, db, settings):
    settings.SOTONG_DEMO = False
    settings.DEBUG = False
    html = client.get(reverse(LOGIN)).content.decode()
    assert "체험용 계정" not in html
    assert "sotong-demo-2025" not in html


def test_sysadmin_unlocks_a_locked_account(client, sysadmin, handler):
    # given a locked account
    for _attempt in range(5):
        post_login(client, "handler", "wrong-password")
    assert post_login(client, "handler", STAFF_PASSWORD).status_code == 429
    # when a system administrator unlocks it with a reason
    actions.unlock_user(sysadmin, handler, "본인 확인 후 해제")
    # then the right password works again and the unlock is on record
    assert post_login(client, "handler", STAFF_PASSWORD).status_code == 302
    assert Event.objects.filter(verb="user.unlocked", actor=sysadmin).exists()


def test_coordinator_cannot_unlock_an_account(client, coordinator, handler):
    for _attempt in range(5):
        post_login(client, "handler", "wrong-password")
    with pytest.raises(actions.NotAllowed):
        actions.unlock_user(coordinator, handler, "부탁")
    assert post_login(client, "handler", STAFF_PASSWORD).status_code == 429
