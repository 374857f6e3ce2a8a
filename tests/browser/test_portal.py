"""The citizen portal shell in Chromium: skip link, masthead setting, menu, footer, mobile, accessibility."""

import pytest

from tests.browser.helpers import assert_accessible, press, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MASTHEAD = "이 누리집은 대한민국 공식 전자정부 누리집입니다."


def test_portal_home_for_an_anonymous_citizen(page, live_server, settings):
    settings.SOTONG_OFFICIAL_SITE = False

    page.goto(live_server.url + "/")

    assert page.locator("html").get_attribute("lang") == "ko"
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "본문 바로가기"
    assert skip.is_visible()
    skip.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.get_by_text(MASTHEAD).count() == 0
    assert page.locator("h1").inner_text() == "성동구 소통"
    privacy_link = page.locator("#krds-footer a.point")
    assert privacy_link.inner_text() == "개인정보 처리방침"
    assert privacy_link.evaluate("el => getComputedStyle(el).fontWeight") == "700"
    assert page.locator(".krds-identifier").inner_text() == "이 누리집은 서울특별시 성동구 누리집입니다."
    assert page.evaluate("typeof htmx") == "object"
    assert page.js_errors == []
    assert page.outside_requests == []
    assert_accessible(page)
    screenshot(page, "portal-home")


def test_masthead_shows_on_an_official_site_right_after_the_skip_link(page, live_server, settings):
    settings.SOTONG_OFFICIAL_SITE = True

    page.goto(live_server.url + "/")

    order = page.evaluate(
        "[...document.body.querySelectorAll('#krds-skip-link, #krds-masthead, #krds-header, main')].map(e => e.id || e.tagName)"
    )
    assert order == ["krds-skip-link", "krds-masthead", "krds-header", "main"]
    assert page.locator("#krds-masthead").inner_text().strip() == MASTHEAD
    assert_accessible(page)
    screenshot(page, "portal-home-official")


def test_privacy_policy_page(page, live_server):
    page.goto(live_server.url + "/")
    press(page.locator("#krds-header .krds-main-menu").get_by_role("link", name="개인정보 처리방침"))

    page.wait_for_url(live_server.url + "/privacy/")
    assert page.locator("h1").inner_text() == "개인정보 처리방침"
    assert page.locator(".krds-main-menu a[aria-current=page]").inner_text() == "개인정보 처리방침"
    assert page.locator("#privacy-officer h2").inner_text() == "9. 개인정보 보호책임자"
    assert page.js_errors == []
    assert_accessible(page)
    screenshot(page, "portal-privacy")


def test_language_switch_to_english_and_back(page, live_server):
    page.goto(live_server.url + "/privacy/")

    press(page.locator("button.btn-navi.lang"))

    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url == live_server.url + "/privacy/"
    assert page.locator("h1").inner_text() == "Privacy policy"
    assert page.locator("#krds-skip-link a").inner_text() == "Skip to content"
    assert_accessible(page)
    screenshot(page, "portal-privacy-en")

    press(page.locator("button.btn-navi.lang"))
    page.wait_for_function("document.documentElement.lang === 'ko'")
    assert page.locator("h1").inner_text() == "개인정보 처리방침"


def test_portal_on_a_375px_phone(mobile_page, live_server):
    page = mobile_page

    page.goto(live_server.url + "/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not page.locator(".krds-main-menu").is_visible()
    menu_button = page.get_by_role("button", name="전체메뉴")
    assert menu_button.is_visible()
    assert_accessible(page)
    screenshot(page, "portal-home-mobile")

    press(menu_button)
    nav = page.locator("#mobile-nav")
    nav.get_by_role("link", name="개인정보 처리방침").wait_for(state="visible")
    page.wait_for_function("document.body.classList.contains('is-gnb-mobile')")
    page.wait_for_timeout(600)  # the KRDS slide-in transition
    screenshot(page, "portal-menu-mobile", full_page=False)
    press(nav.get_by_role("link", name="개인정보 처리방침"))
    page.wait_for_url(live_server.url + "/privacy/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    screenshot(page, "portal-privacy-mobile")
    assert page.js_errors == []


def test_missing_page(page, live_server):
    response = page.goto(live_server.url + "/no-such-page/")

    assert response.status == 404
    assert page.locator("h1").inner_text() == "페이지를 찾을 수 없습니다"
    assert_accessible(page)
