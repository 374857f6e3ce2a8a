"""English is the second UI language: the accounts pages and messages are translated."""

from django.urls import reverse
from django.utils import translation

from sotong.accounts import actions
from sotong.accounts.models import Role


def test_login_page_in_english(client, db, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    # (the project catalogue may word it differently, e.g. "Staff sign-in"; it wins over the app's)
    assert "직원 로그인" not in html
    assert "Staff" in html
    assert "비밀번호" not in html


def test_domain_errors_in_english(org, coordinator, handler):
    with translation.override("en"):
        try:
            actions.grant_role(coordinator, handler, org.sanitation, Role.HANDLER, "again")
        except actions.AccountsError as exc:
            message = exc.message
    assert "already holds the" in message
