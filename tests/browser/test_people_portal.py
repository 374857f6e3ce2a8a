"""전자소통 가입 in Chromium, on a desktop and a 375 px phone: sign up with the KRDS consent pattern, confirm
by the SMS code the real worker delivers, then verify again by an e-mail link and withdraw (one purpose,
then all); axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sotong.messaging.models import Message
from sotong.people import actions
from sotong.people.models import Consent, Person
from tests.browser.helpers import assert_accessible, choose, press, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, screenshot_name: str) -> None:
    """Every page of the flow: no script errors, nothing fetched from other hosts, axe-core clean."""
    assert page.js_errors == []
    assert page.outside_requests == []
    assert_accessible(page)
    screenshot(page, screenshot_name)


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_citizen_signs_up_confirms_and_withdraws(
    viewport, request, live_server, run_worker, sms_outbox, purposes
):
    page = request.getfixturevalue("page" if viewport == "desktop" else "mobile_page")
    shot = f"people-{viewport}"

    # 1단계 정보 입력: the menu leads here; an empty form first.
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/people/signup/")
    expect(page.locator(".krds-step-wrap li.active .step-tit")).to_have_text("정보 입력")
    checked(page, f"{shot}-1-details")
    page.fill("#id_mobile", "010-12")
    press(page.get_by_role("button", name="다음"))
    expect(page.locator("#error-summary")).to_contain_text("이름을 입력해 주세요.")
    expect(page.locator("#id_mobile_error")).to_contain_text("휴대전화 번호를 확인해 주세요.")
    assert page.locator("#id_name").get_attribute("aria-invalid") == "true"
    checked(page, f"{shot}-1-errors")

    page.fill("#id_name", "김소통")
    page.fill("#id_mobile", "010 2345 6789")
    page.fill("#id_email", "sotong@example.com")
    assert page.locator("#id_mobile").get_attribute("autocomplete") == "tel"
    choose(page.locator("#id_sms"))
    choose(page.locator("#id_email_channel"))
    choose(page.locator("#id_gender_2"))  # 여
    page.fill("#id_birth_year", "1985")
    page.fill("#id_dong", "행당1동")
    press(page.get_by_role("button", name="다음"))

    # 2단계 개인정보 동의: [필수]/[선택], 광고성 정보 apart; 모두 동의 then refuse advertising.
    page.wait_for_url("**/people/signup/consent/")
    expect(page.get_by_text("동의를 거부할 권리").first).to_be_visible()
    expect(page.locator(".sotong-consent-advertising")).to_contain_text("[광고성 정보]")
    choose(page.locator("#id_agree_all"))
    expect(page.locator("#id_e_sotong_0")).to_be_checked()
    expect(page.locator("#id_advertising_0")).to_be_checked()
    choose(page.locator("#id_advertising_1"))
    expect(page.locator("#id_agree_all")).not_to_be_checked()
    checked(page, f"{shot}-2-consent")
    press(page.get_by_role("button", name="다음"))

    # 3단계 확인·본인 인증: the code comes by SMS through the outbox and the real worker.
    page.wait_for_url("**/people/signup/confirm/")
    expect(page.locator("main")).to_contain_text("010-2345-6789")
    checked(page, f"{shot}-3-confirm")
    press(page.get_by_role("button", name="인증번호 받기"))
    expect(page.locator("#id_code")).to_be_visible()
    assert not Person.objects.exists()
    run_worker()
    sms = [item for item in sms_outbox if item["to"] == "01023456789"]
    assert len(sms) == 1
    code = re.search(r"\b(\d{6})\b", sms[0]["text"]).group(1)
    checked(page, f"{shot}-3-code")
    page.fill("#id_code", code)
    press(page.get_by_role("button", name="확인", exact=True))
    expect(page.locator(".sotong-verified")).to_have_text("휴대전화 인증을 마쳤습니다.")
    assert not Person.objects.exists()
    press(page.get_by_role("button", name="가입하기"))

    page.wait_for_url("**/people/signup/done/")
    expect(page.locator("h1")).to_have_text("전자소통 가입이 완료되었습니다")
    person = Person.objects.get()
    assert set(Consent.objects.live().values_list("purpose__code", flat=True)) == {"e_sotong", "committee"}
    assert actions.may_contact(person, "e_sotong", "sms")
    checked(page, f"{shot}-4-done")

    # 가입 정보 관리: verify again, by the e-mail link this time.
    press(page.get_by_role("link", name="가입 정보 관리").last)
    page.wait_for_url("**/people/manage/verify/")
    checked(page, f"{shot}-5-verify")
    page.fill("#id_email", "sotong@example.com")
    press(page.get_by_role("button", name="확인 메일 보내기"))
    expect(page.locator("#link-sent")).to_contain_text("확인 메일을 보냈습니다")
    body = Message.objects.get(purpose="people.manage_link").body_text
    page.goto(live_server.url + re.search(r"https?://[^/\s]+(/\S+)", body).group(1))
    page.wait_for_url("**/people/manage/")
    expect(page.locator("#my-data")).to_contain_text("010-****-6789")
    expect(page.locator("#my-data")).not_to_contain_text("010-2345-6789")
    checked(page, f"{shot}-6-manage")

    # Withdraw one purpose in one step: may_contact is false at once.
    press(page.get_by_role("button", name="‘전자소통 정책정보 수신’ 동의 철회"))
    expect(page.locator(".sotong-messages")).to_contain_text("동의를 철회했습니다")
    assert not actions.may_contact(person, "e_sotong", "sms")
    assert actions.may_contact(person, "committee", "sms")
    checked(page, f"{shot}-7-withdrawn")

    press(page.get_by_role("button", name="전체 철회"))
    expect(page.locator("#no-consents")).to_be_visible()
    assert not Consent.objects.live().exists()
    checked(page, f"{shot}-8-all-withdrawn")
