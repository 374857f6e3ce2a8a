"""The back-office shell in Chromium: sign in as each role, role navigation, the session expiry warning."""

import re

import pytest

from sotong.accounts.models import Role
from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from tests.browser.helpers import assert_accessible, confirmed_totp_device, press, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TWO_FACTOR = {Role.COORDINATOR, Role.SYSADMIN}
# The fixed cast of the accounts fixtures, one member of staff per role.
CAST = {
    Role.COORDINATOR: "coordinator",
    Role.INTAKE: "intake_officer",
    Role.HANDLER: "handler",
    Role.SNS_OFFICER: "sns_officer",
    Role.PROGRAMME_MANAGER: "programme_manager",
    Role.SYSADMIN: "sysadmin",
}
ANALYSIS = ["상황판", "민원 군집", "민원 급증", "안전 위험 민원"]
EXPECTED_MENU = {
    Role.COORDINATOR: [
        "업무 홈",
        "민원 처리",
        "민원·제안 등록",
        "제안 일괄 등록",
        *ANALYSIS,
        "직원·권한",
        "권한 부여 기록",
    ],
    Role.INTAKE: [
        "업무 홈",
        "민원 처리",
        "민원·제안 등록",
        "제안 일괄 등록",
        "상황판",
        "민원 군집",
        "안전 위험 민원",
    ],
    Role.HANDLER: ["업무 홈", "민원 처리", "민원·제안 등록", "상황판", "민원 군집", "안전 위험 민원"],
    Role.SNS_OFFICER: ["업무 홈", "민원 처리", "민원·제안 등록"],
    Role.PROGRAMME_MANAGER: ["업무 홈", "주민 명부", "단체·위원회", "뉴스레터·캠페인"],
    Role.SYSADMIN: [
        "업무 홈",
        *ANALYSIS,
        "주민 명부",
        "단체·위원회",
        "뉴스레터·캠페인",
        "직원·권한",
        "권한 부여 기록",
        "접근기록",
        "관리",
    ],
}


def staff_signed_in(request, page, live_server, role):
    """The cast member holding `role`, signed in through the login form (and the OTP page if needed)."""
    user = request.getfixturevalue(CAST[Role(role)])
    device = confirmed_totp_device(user) if role in TWO_FACTOR else None
    sign_in(page, live_server, user.username, STAFF_PASSWORD, device)
    return user


def test_login_page_is_the_office_shell_without_navigation(page, live_server):
    page.goto(live_server.url + "/accounts/login/")

    assert page.locator("#krds-skip-link a").inner_text() == "본문 바로가기"
    assert page.locator(".krds-main-menu").count() == 0
    assert page.locator("#session-warning").count() == 0
    assert page.locator("#krds-footer a.point").inner_text() == "개인정보 처리방침"
    assert page.js_errors == []
    assert_accessible(page)
    screenshot(page, "office-login")


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_each_role_signs_in_and_sees_its_navigation(request, page, live_server, role):
    user = staff_signed_in(request, page, live_server, role)

    assert page.locator("h1").inner_text() == "업무 홈"
    menu = page.locator("#krds-header .krds-main-menu a")
    assert menu.all_inner_texts() == EXPECTED_MENU[role]
    assert page.locator(".krds-main-menu a[aria-current=page]").inner_text() == "업무 홈"
    assert page.locator(".header-utility .sotong-user-name").inner_text() == user.name
    roles_table = page.locator("#main table").first.inner_text()
    assert user.department.name in roles_table
    assert str(Role(role).label) in roles_table
    for link in menu.all()[1:]:
        href = link.get_attribute("href")
        assert page.request.get(live_server.url + href, max_redirects=0).status in {200, 302}, href
    assert page.js_errors == []
    assert page.outside_requests == []
    assert_accessible(page)
    screenshot(page, f"office-home-{role}")


def test_office_on_a_375px_phone(request, mobile_page, live_server):
    page = mobile_page
    staff_signed_in(request, page, live_server, Role.COORDINATOR)

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    screenshot(page, "office-home-mobile")


def test_sign_out_from_the_header(request, page, live_server):
    staff_signed_in(request, page, live_server, Role.HANDLER)

    press(page.locator("#krds-header").get_by_role("button", name="로그아웃"))

    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    page.goto(live_server.url + "/office/")
    assert "/accounts/login/" in page.url


@pytest.fixture
def short_sessions(settings):
    settings.SESSION_COOKIE_AGE = 25
    settings.SESSION_WARNING_SECONDS = 20
    return settings


def wait_for_warning(page):
    dialog = page.get_by_role("alertdialog", name="곧 자동으로 로그아웃됩니다")
    dialog.wait_for(state="visible", timeout=15_000)
    return dialog


def test_session_warning_opens_before_expiry_and_extend_keeps_the_user_signed_in(
    request, page, live_server, short_sessions
):
    staff_signed_in(request, page, live_server, Role.HANDLER)
    page.goto(live_server.url + "/office/")
    loaded = page.evaluate("Date.now()")

    dialog = wait_for_warning(page)

    opened = page.evaluate("Date.now()") - loaded
    assert 3_000 <= opened <= 7_000  # 25 s session, warned 20 s ahead
    left = int(dialog.locator("[data-session-countdown]").inner_text().split(":")[1])
    assert 15 <= left <= 20
    page.wait_for_function("document.activeElement && document.activeElement.textContent.trim() === '연장'")
    assert page.locator("#wrap").get_attribute("inert") is not None
    assert_accessible(page)
    screenshot(page, "office-session-warning", full_page=False)

    with page.expect_response("**/accounts/session/extend/") as extended:
        press(dialog.get_by_role("button", name="연장"))
    assert extended.value.status == 200
    dialog.wait_for(state="hidden")
    assert page.locator("#wrap").get_attribute("inert") is None

    # Past the original expiry the server still knows the user: the extension reached it.
    page.wait_for_timeout(max(0, 27_000 - (page.evaluate("Date.now()") - loaded)))
    page.goto(live_server.url + "/office/")
    assert page.url == live_server.url + "/office/"
    assert page.locator("h1").inner_text() == "업무 홈"


def test_session_warning_sign_out(request, page, live_server, short_sessions):
    staff_signed_in(request, page, live_server, Role.HANDLER)
    page.goto(live_server.url + "/office/")

    dialog = wait_for_warning(page)
    press(dialog.get_by_role("button", name="로그아웃"))

    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    page.goto(live_server.url + "/office/")
    assert "/accounts/login/" in page.url


def test_session_expiry_sends_the_user_to_the_login_page(request, page, live_server, short_sessions):
    staff_signed_in(request, page, live_server, Role.HANDLER)
    page.goto(live_server.url + "/office/")

    wait_for_warning(page)
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=%2Foffice%2F"), timeout=30_000)

    page.goto(live_server.url + "/office/")
    assert "/accounts/login/" in page.url
