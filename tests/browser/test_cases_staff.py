"""The staff flow for a meeting proposal in Chromium, with axe-core on every page:

intake officer registers it → assigns the handling department → handler submits the first progress
report → intake officer approves → handler answers → the case shows 답변완료.
"""

from __future__ import annotations

import re

import pytest

from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from sotong.cases.actions import submit_case
from sotong.cases.models import Case, CaseStatus, ProgressReport, ReportStatus
from sotong.cases.tests.conftest import case_values
from tests.browser.helpers import assert_accessible, choose, press, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch_user(page, live_server, user) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, user.username, STAFF_PASSWORD)


def open_action(page, name: str) -> None:
    """Unfold an action form of the case page (a <details> element)."""
    details = page.locator(f"#action-{name}")
    details.evaluate("element => { element.open = true; }")
    details.locator("button[type=submit]").wait_for(state="visible")


def check_page(page, name: str) -> None:
    assert page.js_errors == []
    assert page.outside_requests == []
    assert_accessible(page)
    screenshot(page, name)


def test_meeting_proposal_from_registration_to_answer(page, live_server, org, intake_officer, handler):
    # The intake officer registers a proposal heard at 구청장과의 대화.
    sign_in(page, live_server, intake_officer.username, STAFF_PASSWORD)
    page.goto(f"{live_server.url}/office/cases/new/")
    check_page(page, "cases-staff-1-new")
    page.select_option("#id_kind", "proposal")
    page.select_option("#id_channel", "mayor_dialogue")
    page.select_option("#id_intake_department", str(org.audit.pk))
    page.fill("#id_meeting_title", "2026년 구청장과의 대화 (행당1동)")
    page.fill("#id_meeting_held_on", "2026-03-05")
    page.fill("#id_meeting_place", "행당1동 주민센터")
    page.fill("#id_meeting_attendees", "김제안 (주민자치회장)\n이통장 (통장)")
    page.fill("#id_title", "행당시장 앞 횡단보도 설치")
    page.fill("#id_body", "시장 앞 도로를 건너는 어르신이 많아 횡단보도가 필요합니다.")
    page.fill("#id_citizen_name", "김제안")
    page.fill("#id_citizen_phone", "010-2222-3333")
    page.fill("#id_proposer_details", "행당1동 주민자치회")
    press(page.locator("form.sotong-case-form button[type=submit]"))
    page.wait_for_url(re.compile(r".*/office/cases/\d{4}-.+/$"))
    case = Case.objects.get()
    assert case.receipt_no in page.locator(".sotong-messages").inner_text()
    assert "이통장 (통장)" in page.locator("#case-meeting").locator("..").inner_text()
    assert "010-****-3333" in page.locator("#case-contact").inner_text()
    check_page(page, "cases-staff-2-registered")

    # ... and assigns it to 청소행정과.
    open_action(page, "assign")
    page.select_option("#id_assign-department", str(org.sanitation.pk))
    with page.expect_navigation():
        press(page.locator("#action-assign button[type=submit]"))
    assert "청소행정과에 배정했습니다." in page.locator(".sotong-messages").inner_text()
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSIGNED
    report = ProgressReport.objects.get(case=case)
    assert report.status == ReportStatus.REQUESTED
    check_page(page, "cases-staff-3-assigned")

    # The handler finds it in the queue and submits the first progress report.
    switch_user(page, live_server, handler)
    page.goto(f"{live_server.url}/office/cases/?queue=report_requested")
    assert case.receipt_no in page.locator("#bulk-form table").inner_text()
    check_page(page, "cases-staff-4-queue")
    press(page.locator(f'a:text-is("{case.receipt_no}")'))
    page.wait_for_url(f"**/office/cases/{case.receipt_no}/")
    page.fill(f"#id_r{report.pk}_report_submit-body", "현장을 확인했고 경찰서와 협의 중입니다.")
    with page.expect_navigation():
        press(page.locator(f"#form-report_submit-{report.pk} button[type=submit]"))
    assert "보고를 제출했습니다." in page.locator(".sotong-messages").inner_text()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    check_page(page, "cases-staff-5-reported")

    # The intake officer approves the report.
    switch_user(page, live_server, intake_officer)
    page.goto(f"{live_server.url}/office/cases/{case.receipt_no}/")
    choose(page.locator(f"#id_r{report.pk}_report_decide-decision_0"))
    with page.expect_navigation():
        press(page.locator(f"#form-report_decide-{report.pk} button[type=submit]"))
    assert "보고를 승인했습니다." in page.locator(".sotong-messages").inner_text()
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    check_page(page, "cases-staff-6-approved")

    # The handler answers; the case shows 답변완료.
    switch_user(page, live_server, handler)
    page.goto(f"{live_server.url}/office/cases/{case.receipt_no}/")
    open_action(page, "answer")
    page.fill("#id_answer-body", "경찰서 교통안전심의를 거쳐 5월에 횡단보도를 설치하겠습니다.")
    with page.expect_navigation():
        press(page.locator("#action-answer button[type=submit]"))
    assert "답변을 등록했습니다." in page.locator(".sotong-messages").inner_text()
    assert "답변완료" in page.locator("#case-status").inner_text()
    case.refresh_from_db()
    assert case.status == CaseStatus.ANSWERED
    check_page(page, "cases-staff-7-answered")


def test_a_refused_action_shows_its_message_next_to_the_form(page, live_server, org, handler, intake_officer):
    from sotong.cases.actions import assign_case, start_processing

    case = start_processing(
        assign_case(
            submit_case(**case_values(org)), actor=intake_officer, department=org.sanitation, officer=handler
        ),
        actor=handler,
    )
    sign_in(page, live_server, handler.username, STAFF_PASSWORD)
    page.goto(f"{live_server.url}/office/cases/{case.receipt_no}/")
    open_action(page, "answer")
    page.fill("#id_answer-body", "수용하기 어렵습니다.")
    choose(page.locator("#id_answer-is_rejection"))
    with page.expect_navigation():
        press(page.locator("#action-answer button[type=submit]"))
    assert "거부 사유를 적어야 합니다" in page.locator("#action-answer").inner_text()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS
    check_page(page, "cases-staff-refused")


def test_unmasking_the_contact(page, live_server, org, handler, intake_officer):
    from sotong.cases.actions import assign_case
    from sotong.core.models import PersonalDataAccessLog

    case = assign_case(
        submit_case(**case_values(org)), actor=intake_officer, department=org.sanitation, officer=handler
    )
    sign_in(page, live_server, handler.username, STAFF_PASSWORD)
    page.goto(f"{live_server.url}/office/cases/{case.receipt_no}/")
    assert "010-****-5678" in page.locator("#case-contact").inner_text()
    with page.expect_navigation():
        press(page.locator("text=연락처 보기"))
    assert "010-1234-5678" in page.locator("#case-contact").inner_text()
    assert PersonalDataAccessLog.objects.filter(subject_id=str(case.pk)).count() == 1
    check_page(page, "cases-staff-unmasked")
