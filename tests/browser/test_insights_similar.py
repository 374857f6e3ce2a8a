"""유사민원 on the portal form in Chromium: as the citizen types a title, similar cases appear (answered
ones first, with their answers, no personal data); axe-core clean with the list shown and opened."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from sotong.cases.actions import answer_case, assign_case, start_processing, submit_case
from sotong.cases.models import Case, CaseStatus
from sotong.cases.tests.conftest import case_values
from sotong.core.scheduler import run_due
from sotong.insights import index, pipeline
from sotong.insights.models import CaseAnalysis
from sotong.insights.tests.conftest import TOPICS
from tests.browser.helpers import assert_accessible, press, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def analysed_cases(settings, tmp_path, run_worker, org, intake_officer, handler):
    """The three topics of the insights tests; the sanitation ones answered; analysed by the real worker."""
    settings.SOTONG_INSIGHTS_DIR = tmp_path / "insights"
    pipeline.current.forget()
    index._indexes.clear()
    for topic, titles in TOPICS.items():
        for number, title in enumerate(titles):
            case = submit_case(
                **case_values(org, title=title, body=f"{title}. 처리 부탁드립니다.", citizen_name="김민원")
            )
            if topic == "sanitation" and number % 2 == 0:
                case = assign_case(case, actor=intake_officer, department=org.sanitation, officer=handler)
                case = start_processing(case, actor=handler)
                answer_case(case, actor=handler, body=f"김민원 님, {title} 건은 이번 주에 조치했습니다.")
    run_due(only=["insights.analyse_new"], force=True)
    run_worker()
    assert CaseAnalysis.objects.count() == 36
    yield
    pipeline.current.forget()
    index._indexes.clear()


def test_similar_cases_appear_while_typing_on_the_portal_form(page, live_server, analysed_cases):
    page.goto(live_server.url + "/cases/new/")
    results = page.locator("#similar-cases")
    expect(results.locator(".sotong-similar-item")).to_have_count(0)

    page.locator("#id_title").press_sequentially("음식물 쓰레기 수거", delay=40)

    items = results.locator(".sotong-similar-item")
    expect(items.first).to_be_visible()
    expect(results).to_contain_text("음식물 쓰레기 수거가 늦어 악취가 납니다")
    expect(items.first.locator(".krds-badge")).to_have_text("답변완료")
    assert "주차" not in results.inner_text()
    press(items.first.locator("summary"))
    expect(items.first.locator(".sotong-similar-answer div")).to_contain_text("조치했습니다")
    text = results.inner_text()
    assert "김민원" not in text
    assert "김*원" in text

    # Typing more narrows the list again, after the debounce, without leaving the page.
    page.fill("#id_body", "")
    page.locator("#id_body").press_sequentially(" 놀이터 그네", delay=40)
    expect(results).to_contain_text("놀이터")
    assert page.js_errors == []
    assert page.outside_requests == []
    assert_accessible(page)
    screenshot(page, "insights-similar-portal")


def test_case_page_shows_similar_cases_departments_and_merges_a_duplicate(
    page, live_server, analysed_cases, org, intake_officer
):
    new = submit_case(
        **case_values(org, title="음식물 쓰레기 수거가 안 됩니다", body="음식물 쓰레기 수거 요청")
    )
    pipeline.analyse_new()
    duplicate = Case.objects.get(title="음식물 쓰레기 수거가 늦어 악취가 납니다")
    sign_in(page, live_server, intake_officer.username, STAFF_PASSWORD)

    page.goto(f"{live_server.url}/office/cases/{new.receipt_no}/")
    panel = page.locator("#case-insights-panel")
    expect(panel).to_contain_text("유사민원")
    expect(panel.locator(".sotong-dept-suggestions li").first).to_contain_text(org.sanitation.name)
    expect(panel.get_by_role("link", name=duplicate.receipt_no, exact=False)).to_be_visible()
    assert page.js_errors == []
    assert_accessible(page)
    screenshot(page, "insights-case-page")

    press(panel.get_by_role("button", name=f"이 민원에 병합 {duplicate.receipt_no}"))
    expect(page.locator(".sotong-messages, [role=status]").first).to_contain_text("병합했습니다")
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED
    assert duplicate.merged_into_id == new.pk
