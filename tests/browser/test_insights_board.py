"""The situation board (상황판) in Chromium: charts and tables from the rollups, axe-core clean, a
drill-down from a table row to the case list and on to a case page; a bureau head's own board whose
overdue count drills down to exactly those cases, and its XLSX and PDF downloads."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from sotong.accounts.models import Role
from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from sotong.cases.actions import answer_case, assign_case, start_processing, submit_case
from sotong.cases.models import Case, Channel
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
    for key in ("channel", "kind", "category", "department", "on_time", "trend", "status"):
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


def test_bureau_head_opens_the_bureau_board_drills_down_and_downloads(
    page, live_server, org, intake_officer, handler, other_dept_handler, make_staff
):
    # given cases handled by 교통행정과 (under 도시안전국), one of them overdue, and one by 청소행정과
    head = make_staff("bureau_head", org.safety_bureau, Role.HANDLER, name="서국장")
    transport = []
    for number in range(3):
        case = submit_case(**case_values(org, citizen_phone=f"010-4545-{number:04d}"))
        transport.append(
            assign_case(case, actor=intake_officer, department=org.transport, officer=other_dept_handler)
        )
    Case.objects.filter(pk=transport[0].pk).update(deadline_at=timezone.now() - timedelta(hours=2))
    elsewhere = submit_case(**case_values(org, citizen_phone="010-4545-9999"))
    assign_case(elsewhere, actor=intake_officer, department=org.sanitation, officer=handler)
    rollup.recompute_recent()

    # when the bureau head opens the board from the case list
    sign_in(page, live_server, head.username, STAFF_PASSWORD)
    page.goto(live_server.url + "/office/cases/")
    press(page.locator("#board-link"))
    page.wait_for_url(re.compile(r".*/office/insights/board/$"))

    # then it is the bureau's board, charts drawn and tables filled, accessible
    assert page.locator("#board-scope").inner_text() == "도시안전국 및 하위 부서가 처리하는 민원"
    for key in ("channel", "department", "trend", "status", "on_time"):
        assert page.locator(f"#chart-{key} svg").count() == 1, key
    assert page.locator("#table-total tbody td").first.inner_text() == "3"
    assert page.locator("#table-department tbody tr").all_inner_texts()[0].split("\t")[:2] == [
        "교통행정과",
        "3",
    ]
    assert page.js_errors == []
    assert page.outside_requests == []
    assert_accessible(page)
    screenshot(page, "insights-board-bureau")

    # the overdue row of the status table drills down to exactly the overdue case
    press(page.locator("#table-status tr[data-key=overdue] a"))
    page.wait_for_url(re.compile(r".*/office/cases/\?.*state=overdue.*"))
    links = page.locator("#main table a[href^='/office/cases/2']")
    assert links.all_inner_texts() == [transport[0].receipt_no]
    assert_accessible(page)

    # the board's XLSX and the month's PDF download
    page.go_back()
    page.wait_for_url(re.compile(r".*/office/insights/board/$"))
    with page.expect_download() as download:
        press(page.locator("#board-xlsx"))
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    rows = list(book["합계"].iter_rows(values_only=True))
    assert rows[1][1] == "도시안전국"
    assert rows[3][1] == 3
    with page.expect_download() as download:
        press(page.locator("#board-report-form button[type=submit]"))
    assert download.value.suggested_filename.startswith("report-B4-")
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    assert page.js_errors == []
