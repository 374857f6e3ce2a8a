"""Every demo login (shown on the login page in demo mode) signs in and opens every page of its menu."""

import pytest

from sotong.accounts import actions, demo
from sotong.accounts.models import User
from tests.browser.helpers import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_staff(db):
    demo.load()


@pytest.mark.parametrize("login", demo.DEMO_LOGINS, ids=lambda login: login.username)
def test_demo_login_opens_every_page_of_its_menu(page, live_server, demo_staff, login):
    user = User.objects.get(username=login.username)
    device = actions.confirmed_totp_device(user) if user.needs_two_factor else None

    sign_in(page, live_server, login.username, login.password, device)

    assert page.locator(".header-utility .sotong-user-name").inner_text() == login.name
    assert login.department in page.locator("#main").inner_text()
    assert_accessible(page)
    links = page.locator("#krds-header .krds-main-menu a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs[0] == "/office/"
    for href in hrefs[1:]:
        response = page.goto(live_server.url + href)
        assert response.status == 200, href
        if href.startswith("/admin/"):
            continue  # Django's own admin pages, not the KRDS shell
        assert page.locator("#krds-skip-link a").count() == 1, href
        assert page.locator(f'.krds-main-menu a[href="{href}"][aria-current=page]').count() == 1, href
        assert_accessible(page)
    assert page.js_errors == []
