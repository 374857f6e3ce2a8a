"""The citizen's whole path in Chromium, on a desktop and a 375 px phone: submit a complaint (four steps,
phone verified by the SMS code the real worker delivers), receipt, look-up, status, the staff answer,
rating and the additional-answer request; axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sotong.cases.actions import answer_case, assign_case, start_processing
from sotong.cases.models import Attachment, Case, CaseStatus
from tests.browser.helpers import assert_accessible, choose, press, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def checked(page, name: str, *, screenshot_name: str) -> None:
    """Every page of the flow: no script errors, nothing fetched from other hosts, axe-core clean."""
    assert page.js_errors == []
    assert page.outside_requests == []
    assert_accessible(page)
    screenshot(page, screenshot_name)


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_citizen_submits_verifies_looks_up_and_rates(
    viewport, request, live_server, run_worker, sms_outbox, org, coordinator, handler
):
    page = request.getfixturevalue("page" if viewport == "desktop" else "mobile_page")
    shot = f"cases-{viewport}"

    # 1단계 유형·내용: empty form first, then the real content with a map pin and a photo.
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/cases/new/")
    expect(page.locator(".krds-step-wrap li.active .step-tit")).to_have_text("유형·내용")
    checked(page, "step1", screenshot_name=f"{shot}-1-content")
    press(page.get_by_role("button", name="다음"))
    expect(page.locator("#error-summary")).to_contain_text("제목을 입력해 주세요.")
    expect(page.locator("#id_title_error")).to_have_text("제목을 입력해 주세요.")
    assert page.locator("#id_title").get_attribute("aria-invalid") == "true"
    checked(page, "step1-errors", screenshot_name=f"{shot}-1-errors")

    choose(page.locator("#id_kind_0"))
    page.fill("#id_title", "행당동 골목 가로등이 꺼져 있어요")
    page.fill("#id_body", "행당동 123 골목 가로등이 일주일째 꺼져 있어 밤길이 위험합니다.")
    page.fill("#id_address", "서울 성동구 행당동 123")
    expect(page.locator("#case-map")).to_be_visible()
    page.locator("#case-map").click(position={"x": 60, "y": 60})
    assert re.fullmatch(r"3\d\.\d{6}", page.input_value("#id_latitude"))
    assert re.fullmatch(r"12\d\.\d{6}", page.input_value("#id_longitude"))
    page.set_input_files(
        "#id_attachments", files=[{"name": "가로등.png", "mimeType": "image/png", "buffer": PNG}]
    )
    press(page.get_by_role("button", name="다음"))

    # 2단계 연락처·알림: the code comes by SMS through the outbox and the real worker.
    page.wait_for_url("**/cases/new/contact/")
    page.fill("#id_citizen_name", "홍길동")
    page.fill("#id_phone", "010 1234 5678")
    page.fill("#id_email", "hong@example.com")
    assert page.locator("#id_phone").get_attribute("autocomplete") == "tel"
    press(page.get_by_role("button", name="인증번호 받기"))
    expect(page.locator("#id_code")).to_be_visible()
    run_worker()
    sms = [item for item in sms_outbox if item["to"] == "01012345678"]
    assert len(sms) == 1
    code = re.search(r"\b(\d{6})\b", sms[0]["text"]).group(1)
    checked(page, "step2-code", screenshot_name=f"{shot}-2-code")
    page.fill("#id_code", code)
    press(page.get_by_role("button", name="확인", exact=True))
    expect(page.locator(".sotong-verified")).to_have_text("휴대전화 인증을 마쳤습니다.")
    assert page.input_value("#id_citizen_name") == "홍길동"
    checked(page, "step2", screenshot_name=f"{shot}-2-contact")
    page.locator("#id_email").press("Enter")  # Enter means 다음, not another code

    # 3단계 개인정보 동의
    page.wait_for_url("**/cases/new/consent/")
    expect(page.get_by_text("동의를 거부할 권리").first).to_be_visible()
    choose(page.locator("#id_agree_all"))
    expect(page.locator("#id_case_handling_0")).to_be_checked()
    expect(page.locator("#id_case_extra_0")).to_be_checked()
    choose(page.locator("#id_case_extra_1"))  # the optional item may be refused
    expect(page.locator("#id_agree_all")).not_to_be_checked()
    checked(page, "step3", screenshot_name=f"{shot}-3-consent")
    press(page.get_by_role("button", name="다음"))

    # 4단계 확인, then the irreversible submission.
    page.wait_for_url("**/cases/new/confirm/")
    expect(page.locator("main")).to_contain_text("행당동 골목 가로등이 꺼져 있어요")
    expect(page.locator("main")).to_contain_text("010-1234-5678")
    expect(page.locator("main")).to_contain_text("가로등.png")
    expect(page.locator("main")).to_contain_text("[선택] 항목에 동의하지 않아 저장하지 않습니다.")
    assert not Case.objects.exists()
    checked(page, "step4", screenshot_name=f"{shot}-4-confirm")
    press(page.get_by_role("button", name="신청하기"))

    page.wait_for_url("**/cases/new/done/")
    case = Case.objects.get()
    expect(page.locator("#receipt-no")).to_have_text(case.receipt_no)
    assert case.citizen_email == ""
    assert Attachment.objects.filter(case=case).count() == 1
    checked(page, "done", screenshot_name=f"{shot}-5-done")

    # 신청 내역 조회: a wrong phone gets the generic message, the right one opens the case.
    page.goto(live_server.url + "/cases/lookup/")
    press(page.get_by_role("button", name="조회 끝내기"))
    page.fill("#id_receipt_no", case.receipt_no)
    page.fill("#id_phone", "010-9999-9999")
    press(page.get_by_role("button", name="조회하기"))
    expect(page.locator("#error-summary")).to_contain_text("접수번호 또는 휴대전화 번호가 맞지 않습니다.")
    checked(page, "lookup", screenshot_name=f"{shot}-6-lookup")
    page.fill("#id_phone", "01012345678")
    press(page.get_by_role("button", name="조회하기"))
    page.wait_for_url(f"**/cases/{case.receipt_no}/")
    expect(page.locator(".sotong-steps li.active .step-tit")).to_have_text("접수")
    expect(page.locator("#case-status")).to_have_text("현재 상태: 접수")
    checked(page, "status", screenshot_name=f"{shot}-7-status")

    # Staff assign, take up and answer through the actions.
    assign_case(case, actor=coordinator, department=org.sanitation, officer=handler)
    start_processing(Case.objects.get(pk=case.pk), actor=handler)
    answer_case(Case.objects.get(pk=case.pk), actor=handler, body="이번 주 안에 가로등을 고치겠습니다.")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ANSWERED

    page.reload()
    expect(page.locator(".sotong-steps li.active .step-tit")).to_have_text("답변완료")
    expect(page.locator(".sotong-steps li.done")).to_have_count(3)
    expect(page.locator("#case-department")).to_have_text("청소행정과")
    expect(page.locator("#case-officer")).to_contain_text(handler.name)
    expect(page.locator(".sotong-answer")).to_contain_text("이번 주 안에 가로등을 고치겠습니다.")
    checked(page, "answered", screenshot_name=f"{shot}-8-answered")

    choose(page.locator("#id_score_3"))  # 불만족 (2점)
    page.fill("#id_comment", "날짜를 알려 주시면 좋겠습니다.")
    press(page.get_by_role("button", name="평가하기"))
    expect(page.locator("#rated")).to_contain_text("5점 만점에 2점")
    page.fill("#id_reason", "고치는 날짜를 알려 주세요.")
    checked(page, "rated", screenshot_name=f"{shot}-9-rated")
    press(page.get_by_role("button", name="추가 답변 요청하기"))
    expect(page.locator(".sotong-messages")).to_contain_text("추가 답변을 요청했습니다.")
    case.refresh_from_db()
    assert case.additional_answer_requested_at is not None
    assert case.status == CaseStatus.IN_PROGRESS
    checked(page, "additional", screenshot_name=f"{shot}-10-additional")
