"""A citizen halfway through the wizard is warned before the session runs out, can extend it, and after
expiry lands on a page that says the draft was discarded (Chromium, axe-core with the dialog open)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, choose, press, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def short_sessions(settings):
    settings.SESSION_COOKIE_AGE = 25
    settings.SESSION_WARNING_SECONDS = 20
    return settings


def test_wizard_session_warning_extend_and_expiry(page, live_server, org, short_sessions):
    page.goto(live_server.url + "/cases/new/")
    assert page.locator("#session-warning").count() == 0  # nothing to lose yet
    choose(page.locator("#id_kind_0"))
    page.fill("#id_title", "왕십리역 앞 보도블록이 깨져 있어요")
    page.fill("#id_body", "왕십리역 3번 출구 앞 보도블록이 깨져 걸려 넘어질 뻔했습니다.")
    press(page.get_by_role("button", name="다음"))
    page.wait_for_url("**/cases/new/contact/")

    dialog = page.get_by_role("alertdialog", name="이용 시간이 곧 끝납니다")
    dialog.wait_for(state="visible", timeout=15_000)
    page.wait_for_function("document.activeElement && document.activeElement.textContent.trim() === '연장'")
    assert_accessible(page)
    screenshot(page, "cases-portal-session-warning", full_page=False)

    with page.expect_response("**/cases/session/extend/") as extended:
        press(dialog.get_by_role("button", name="연장"))
    assert extended.value.status == 200
    dialog.wait_for(state="hidden")

    # Left alone, the countdown runs out: the page says what was discarded and the draft is gone.
    page.wait_for_url(live_server.url + "/", timeout=40_000)
    expect(page.get_by_text("이용 시간이 지나 작성 중인 신청서")).to_be_visible()
    page.goto(live_server.url + "/cases/new/contact/")
    page.wait_for_url("**/cases/new/")
