"""The situation board (상황판) in Chromium: charts and tables from the rollups, axe-core clean, and a
drill-down from a table row to the case list and on to a case page."""

from __future__ import annotations

import re

import pytest

from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from sotong.cases.actions import answer_case, assign_case, start_processing, submit_case
from sotong.cases.models import Channel
from sotong.cases.tests.conftest import case_values
from sotong.insights.board import rollup
from tests.browser.helpers import assert_accessible, confirmed_totp_device, press, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_board_charts_tables_and_drill_down_to_a_case(
    page, live_server, org, coordinator, intake_officer, handler
):
    web = [submit_case(**case_values(org, citizen_phone=f"010-4444-{number:04d}")) for number in range(3)]
    mobile = submit_case(**case_values(org, channel=Channel.MOBILE, title="가로등이 꺼져 있습니다"))
    case = assign_case(web[0], actor=intake_officer, department=org.sanitation, officer=handler)
    answer_case(start_processing(case, actor=handler), actor=handler, body="조치했습니다.")
    rollup.recompute_recent()

    sign_in(page, live_server, coordinator.username, STAFF_PASSWORD, confirmed_totp_device(coordinator))
    press(page.locator("#krds-header .krds-main-menu a", has_text="상황판"))
    page.wait_for_url(re.compile(r".*/office/insights/board/$"))

    assert page.locator("h1").inner_text() == "상황판"
    for key in ("channel", "kind", "category", "department", "on_time"):
        assert page.locator(f"#chart-{key} svg").count() == 1, key
    channel_rows = page.locator("#table-channel tbody tr")
    assert channel_rows.all_inner_texts()[0].split("\t")[:2] == ["인터넷", "3"]
    department = page.locator("#table-on_time tbody tr", has_text=org.sanitation.name)
    assert department.locator("td").all_inner_texts()[:3] == ["1", "1", "100.0"]
    assert page.js_errors == []
    assert page.outside_requests == []
    assert_accessible(page)
    screenshot(page, "insights-board")

    press(page.locator("#table-channel a", has_text="모바일"))
    page.wait_for_url(re.compile(r".*/office/cases/\?.*channel=mobile.*"))
    links = page.locator("#main table a[href^='/office/cases/2']")
    assert links.all_inner_texts() == [mobile.receipt_no]

    press(links.first)
    page.wait_for_url(re.compile(rf".*/office/cases/{mobile.receipt_no}/$"))
    assert page.locator("h1 .sotong-case-no").inner_text() == mobile.receipt_no
    assert page.js_errors == []
