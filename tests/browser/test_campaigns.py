"""The campaign pages in Chromium, with axe-core on every page: a programme manager makes a newsletter,
a template (previewed against a real person), a campaign to a list, sends it and reads the report; the
reader unsubscribes from the preference page without signing in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from sotong.campaigns.models import Campaign, Newsletter, Template
from sotong.campaigns.tokens import unsubscribe_token
from sotong.people import actions as people
from sotong.people.models import Consent
from tests.browser.helpers import assert_accessible, choose, press, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EVIDENCE = {"ip": "203.0.113.7", "user_agent": "Mozilla/5.0"}


def check_page(page, name: str) -> None:
    assert page.js_errors == []
    assert page.outside_requests == []
    assert_accessible(page)
    screenshot(page, name)


def submit(page, form: str) -> None:
    with page.expect_navigation():
        press(page.locator(f"{form} button[type=submit]").first)


def test_programme_manager_sends_a_newsletter_and_a_reader_unsubscribes(
    page, live_server, programme_manager, run_worker, settings
) -> None:
    settings.SOTONG_EMAIL_BACKEND = "locmem"
    sign_in(page, live_server, programme_manager.username, STAFF_PASSWORD)
    press(page.get_by_role("link", name="뉴스레터·캠페인").first)
    page.wait_for_url("**/office/campaigns/")
    check_page(page, "campaigns-1-index")

    # a newsletter through its form (its consent purpose made with it)
    press(page.get_by_role("link", name="뉴스레터 만들기").first)
    page.wait_for_url("**/newsletters/new/")
    for field, value in {
        "name": "성동 소식",
        "code": "sd-news",
        "sender_name": "성동구청",
        "sender_email": "news@sd.example.kr",
        "sender_phone": "02-2286-5114",
        "contact_line": "뉴미디어담당관 02-2286-5114",
    }.items():
        page.fill(f"#id_{field}", value)
    check_page(page, "campaigns-2-newsletter-form")
    submit(page, "#newsletter-form")
    newsletter = Newsletter.objects.get()

    # readers: one with consent on a list, one without
    reader = people.register_person(people.SYSTEM, name="정하은", email="haeun@example.com", dong="행당1동")
    people.give_consent(
        people.SYSTEM, reader, newsletter.purpose, sms=False, email=True, method="web_form", evidence=EVIDENCE
    )
    other = people.register_person(people.SYSTEM, name="강민호", email="minho@example.com")
    audience = people.create_list(programme_manager, name="설명회 참석자")
    people.add_to_list(programme_manager, audience, [reader, other])

    # a template, previewed against the reader
    press(page.get_by_role("link", name="서식 만들기"))
    page.wait_for_url("**/templates/new/")
    page.fill("#id_name", "월간 소식")
    choose(page.locator("input[name=channel][value=email]"))
    page.fill("#id_subject", "{{ name }}님, 11월 성동 소식")
    page.fill("#id_body_text", "{{ dong }} 주민 설명회 안내입니다.")
    check_page(page, "campaigns-3-template-form")
    submit(page, "#template-form")
    page.fill("#id_person", str(reader.pk))
    submit(page, "#preview-form")
    expect(page.locator("#preview-subject")).to_have_text("정하은님, 11월 성동 소식")
    check_page(page, "campaigns-4-preview")

    # a campaign to the list: one of two will receive it
    press(page.get_by_role("link", name="이 서식으로 캠페인 만들기"))
    page.wait_for_url("**/office/campaigns/new/**")
    page.fill("#id_name", "11월 소식")
    choose(page.get_by_label("설명회 참석자"))
    check_page(page, "campaigns-5-campaign-form")
    submit(page, "#campaign-form")
    expect(page.locator("#audience-counts")).to_contain_text("고른 사람 2명 가운데 1명에게 보냅니다")
    check_page(page, "campaigns-6-campaign-draft")
    with page.expect_navigation():
        press(page.locator("#start-button"))
    run_worker()
    page.reload()
    expect(page.locator("#campaign-state")).to_contain_text("완료")
    expect(page.locator("#report-totals")).to_contain_text("발송")
    check_page(page, "campaigns-7-report")
    campaign = Campaign.objects.get()
    assert campaign.sent == 1
    assert Template.objects.count() == 1

    # the reader's preference page, no sign-in: stop e-mail only
    token = unsubscribe_token(newsletter_id=newsletter.pk, person_id=reader.pk, channel="email")
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/campaigns/u/{token}/")
    check_page(page, "campaigns-8-preferences")
    choose(page.locator("#scope-all"))
    submit(page, "#unsubscribe-form")
    expect(page.locator("#unsubscribe-done")).to_contain_text("철회")
    check_page(page, "campaigns-9-unsubscribed")
    assert Consent.objects.get(person=reader, purpose=newsletter.purpose).withdrawn_at is not None
