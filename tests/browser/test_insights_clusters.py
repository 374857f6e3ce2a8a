"""민원 군집 in Chromium: a coordinator asks for a clustering, the real worker does it, the list shows the
clusters (chart and table), the cluster page names and pins one, marks a training example and leads to a
case page; axe-core clean on both pages, no personal data shown."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from sotong.cases.actions import submit_case
from sotong.cases.tests.conftest import case_values
from sotong.core.scheduler import run_due
from sotong.insights import index, pipeline
from sotong.insights.models import CaseAnalysis
from sotong.insights.models_clusters import Topic, TopicExample
from sotong.insights.tests.conftest import TOPICS
from tests.browser.helpers import assert_accessible, confirmed_totp_device, press, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def analysed_cases(settings, tmp_path, run_worker, org):
    settings.SOTONG_INSIGHTS_DIR = tmp_path / "insights"
    pipeline.current.forget()
    index._indexes.clear()
    for titles in TOPICS.values():
        for number, title in enumerate(titles):
            body = f"{title}. 처리 부탁드립니다. 010-3333-{number:04d}"
            submit_case(**case_values(org, title=title, body=body, citizen_name="김민원"))
    run_due(only=["insights.analyse_new"], force=True)
    run_worker()
    assert CaseAnalysis.objects.exclude(vector=None).count() == 36
    yield
    pipeline.current.forget()
    index._indexes.clear()


def test_coordinator_clusters_names_pins_and_marks_an_example(
    page, live_server, analysed_cases, coordinator, run_worker
):
    sign_in(page, live_server, coordinator.username, STAFF_PASSWORD, confirmed_totp_device(coordinator))
    page.goto(live_server.url + "/office/insights/clusters/")
    assert page.locator("#clusters-none").is_visible()
    page.locator("#id_k").fill("3")
    press(page.locator("#cluster-run-form button[type=submit]"))
    page.wait_for_url(re.compile(r".*/office/insights/clusters/\?run=\d+$"))
    assert "군집 분석을 요청했습니다" in page.locator(".sotong-messages").inner_text()

    run_worker()
    page.reload()
    rows = page.locator("#table-clusters tbody tr")
    assert rows.count() == 3
    assert page.locator("#chart-sizes svg").count() == 1
    assert "쓰레기" in page.locator("#table-clusters").inner_text()
    assert page.js_errors == []
    assert page.outside_requests == []
    assert_accessible(page)
    screenshot(page, "insights-clusters")

    press(page.locator("#table-clusters tbody tr", has_text="쓰레기").first.locator("th a"))
    page.wait_for_url(re.compile(r".*/office/insights/clusters/\d+/$"))
    assert page.locator("#chart-trend svg").count() == 1
    assert page.locator("#table-trend tbody tr").count() == 13  # 90 days by week
    text = page.locator("#main").inner_text()
    assert "김민원" not in text
    assert "010-3333" not in text

    page.locator("#id_name").fill("")
    press(page.locator("#cluster-name-form button[type=submit]"))  # the browser's own check stops it
    assert not Topic.objects.exists()
    page.locator("#id_name").fill("쓰레기 무단투기")
    press(page.locator("#cluster-name-form button[type=submit]"))
    page.wait_for_url(re.compile(r".*/office/insights/clusters/\d+/$"))
    expect(page.locator("#cluster-title")).to_contain_text("쓰레기 무단투기")
    assert "다음 분석에서도" in page.locator(".sotong-messages").inner_text()

    press(page.locator("#cluster-pin-form button[type=submit]"))
    expect(page.locator("#cluster-title .sotong-cluster-mark.pinned")).to_be_visible()
    topic = Topic.objects.get()
    assert topic.pinned
    assert topic.name == "쓰레기 무단투기"

    first_row = page.locator("#table-examples tbody tr").first
    receipt_no = first_row.get_attribute("data-key")
    press(first_row.locator("button[value=negative]"))
    expect(page.locator(f"#table-examples tr[data-key='{receipt_no}'] button[value=remove]")).to_be_visible()
    example = TopicExample.objects.get()
    assert example.case.receipt_no == receipt_no
    assert example.positive is False
    assert "이 군집이 아닌 예시" in page.locator(f"#table-examples tr[data-key='{receipt_no}']").inner_text()
    assert page.js_errors == []
    assert_accessible(page)
    screenshot(page, "insights-cluster-detail")

    press(page.locator(f"#table-examples tr[data-key='{receipt_no}'] th a"))
    page.wait_for_url(re.compile(rf".*/office/cases/{receipt_no}/$"))
    assert page.locator("h1 .sotong-case-no").inner_text() == receipt_no
