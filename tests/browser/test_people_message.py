"""The registry's message screen in Chromium: a programme manager filters the registry to one dong, composes
an SMS for 전자소통 정책정보 수신, checks who receives it and who is left out and why, and sends; the outbox
then holds one message for each consenting person and nobody else. axe-core on every step."""

from __future__ import annotations

import pytest

from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from sotong.messaging.models import Message
from sotong.people import actions
from sotong.people.models import Consent, ConsentPurpose, Person
from sotong.people.tests.conftest import WEB_EVIDENCE
from sotong.people.views.office_message import OUTBOX_PURPOSE
from tests.browser.helpers import assert_accessible, choose, press, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "옥수동 주민 간담회가 5월 2일 오후 7시 옥수동 주민센터에서 열립니다."


def person(name: str, dong: str, *, mobile: str = "", email: str = "") -> Person:
    return actions.register_person(actions.SYSTEM, name=name, dong=dong, mobile=mobile, email=email)


def consent(who: Person, purpose: ConsentPurpose, *, sms: bool, email: bool):
    return actions.give_consent(
        actions.SYSTEM, who, purpose, sms=sms, email=email, method="web_form", evidence=WEB_EVIDENCE
    )


@pytest.fixture
def residents(purposes) -> dict[str, Person]:
    """Six people of 옥수동, of whom one may be sent an SMS for 전자소통, and one consenting neighbour of 마장동."""
    e_sotong = purposes["e_sotong"]
    found = {
        "consenting": person("김민준", "옥수동", mobile="010-2000-0001", email="minjun@example.com"),
        "email_only": person("이서연", "옥수동", mobile="010-2000-0002", email="seoyeon@example.com"),
        "withdrawn": person("박도윤", "옥수동", mobile="010-2000-0003"),
        "never_asked": person("최하은", "옥수동", mobile="010-2000-0004"),
        "no_mobile": person("정지호", "옥수동", email="jiho@example.com"),
        "other_purpose": person("강수아", "옥수동", mobile="010-2000-0006"),
        "other_dong": person("조예준", "마장동", mobile="010-2000-0007"),
    }
    consent(found["consenting"], e_sotong, sms=True, email=True)
    consent(found["email_only"], e_sotong, sms=False, email=True)
    actions.withdraw_consent(actions.SYSTEM, consent(found["withdrawn"], e_sotong, sms=True, email=False))
    consent(found["no_mobile"], e_sotong, sms=False, email=True)
    consent(found["other_purpose"], purposes["committee"], sms=True, email=False)
    consent(found["other_dong"], e_sotong, sms=True, email=False)
    return found


def check_page(page, name: str) -> None:
    assert page.js_errors == []
    assert page.outside_requests == []
    assert_accessible(page)
    screenshot(page, name)


def test_programme_manager_sends_an_sms_to_the_consenting_people_of_one_dong(
    page, live_server, programme_manager, purposes, residents
):
    # given the programme manager on the registry, filtered to 옥수동
    sign_in(page, live_server, programme_manager.username, STAFF_PASSWORD)
    page.goto(f"{live_server.url}/office/people/")
    page.select_option("#people-filter select[name=dong]", "옥수동")
    with page.expect_navigation():
        press(page.locator("#people-filter button[type=submit]"))
    assert page.locator("#people-count").inner_text() == "6명"

    # when they open 메시지 보내기 for that audience
    with page.expect_navigation():
        press(
            page.get_by_role("navigation", name="정책고객 명부 메뉴").get_by_role(
                "link", name="메시지 보내기"
            )
        )
    assert page.locator("h1").inner_text() == "메시지 보내기"
    assert page.locator("#message-audience").inner_text() == "6명"
    check_page(page, "people-message-compose")

    # and compose an SMS for 전자소통 정책정보 수신 and ask who receives it
    page.select_option("#message-form select[name=purpose]", str(purposes["e_sotong"].pk))
    choose(page.locator("#message-form input[name=channel][value=sms]"))
    page.fill("#message-form textarea[name=text]", TEXT)
    with page.expect_navigation():
        press(page.locator("#message-form button[type=submit]"))

    # then the preview counts one recipient and says why the other five are left out
    assert page.locator("h1").inner_text() == "메시지 보내기 확인"
    assert page.locator("#preview-total").inner_text() == "6명"
    assert page.locator("#preview-recipients").inner_text() == "1명"
    skipped = {
        row.locator("td").nth(0).inner_text(): row.locator("td").nth(1).inner_text()
        for row in page.locator("#preview-skipped tbody tr").all()
    }
    assert skipped == {
        "연락처 없음 (해당 수신 방법)": "1명",
        "이 목적의 유효한 동의 없음 (미동의·철회·만료)": "3명",
        "이 수신 방법에 동의하지 않음": "1명",
    }
    assert page.locator("#preview-text").inner_text() == TEXT
    assert page.locator("#preview-bytes").inner_text().endswith("바이트")
    assert not Message.objects.exists()  # nothing is queued by the preview
    check_page(page, "people-message-preview")

    # when they send
    with page.expect_navigation():
        press(page.get_by_role("button", name="1명에게 보내기"))

    # then the registry says what happened
    notice = page.locator(".sotong-messages").inner_text()
    assert "1명에게 보낼 메시지를 발송 대기열에 넣었습니다." in notice
    assert "동의·연락처가 없어 5명은 보내지 않습니다." in notice
    check_page(page, "people-message-sent")

    # and the outbox holds exactly one SMS, to the consenting resident, about them
    sent = list(Message.objects.filter(purpose=OUTBOX_PURPOSE))
    assert [(m.channel, m.about_id, m.body_text) for m in sent] == [
        ("sms", str(residents["consenting"].pk), TEXT)
    ]
    assert sent[0].recipient.replace("-", "") == "01020000001"
    assert Message.objects.count() == 1


def test_sending_the_same_confirmation_twice_queues_nothing_more(
    page, live_server, programme_manager, purposes, residents
):
    # given a confirmed preview
    sign_in(page, live_server, programme_manager.username, STAFF_PASSWORD)
    page.goto(f"{live_server.url}/office/people/message/?dong=옥수동")
    page.select_option("#message-form select[name=purpose]", str(purposes["e_sotong"].pk))
    choose(page.locator("#message-form input[name=channel][value=sms]"))
    page.fill("#message-form textarea[name=text]", TEXT)
    with page.expect_navigation():
        press(page.locator("#message-form button[type=submit]"))
    confirm_url = page.url
    form = {
        name: page.locator(f"#message-confirm [name={name}]").first.input_value()
        for name in ("purpose", "channel", "subject", "text", "token", "csrfmiddlewaretoken")
    }
    with page.expect_navigation():
        press(page.get_by_role("button", name="1명에게 보내기"))
    assert Message.objects.count() == 1

    # when the same confirmation arrives again (a double submit or the back button)
    again = page.request.post(confirm_url, form={**form, "step": "confirm"}, max_redirects=0)

    # then it is accepted but queues nothing twice
    assert again.status == 302
    assert Message.objects.count() == 1


def test_a_resident_stops_the_purpose_from_the_link_of_the_email_without_signing_in(
    page, live_server, programme_manager, purposes, residents, settings
):
    # given an e-mail for 전자소통 sent from the message screen to the consenting people of 옥수동
    settings.SITE_URL = live_server.url
    sign_in(page, live_server, programme_manager.username, STAFF_PASSWORD)
    page.goto(f"{live_server.url}/office/people/message/?dong=옥수동")
    page.select_option("#message-form select[name=purpose]", str(purposes["e_sotong"].pk))
    choose(page.locator("#message-form input[name=channel][value=email]"))
    page.fill("#message-form input[name=subject]", "옥수동 주민 간담회")
    page.fill("#message-form textarea[name=text]", TEXT)
    with page.expect_navigation():
        press(page.locator("#message-form button[type=submit]"))
    with page.expect_navigation():
        press(page.get_by_role("button", name="3명에게 보내기"))
    message = Message.objects.get(about_id=str(residents["consenting"].pk))
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message.headers["List-Unsubscribe"].strip("<>")

    # when the resident opens the link in a browser that is not signed in
    page.context.clear_cookies()
    page.goto(link)

    # then a Korean confirmation page names the purpose, and withdrawing ends that consent only
    assert page.locator("h1").inner_text() == "수신 설정"
    assert purposes["e_sotong"].name in page.locator("main").inner_text()
    check_page(page, "people-message-unsubscribe")
    choose(page.locator("#scope-all"))
    with page.expect_navigation():
        press(page.locator("#unsubscribe-form button[type=submit]"))
    assert "수신 동의를 철회했습니다" in page.locator("#unsubscribe-done").inner_text()
    check_page(page, "people-message-unsubscribed")
    consents = Consent.objects.filter(person=residents["consenting"])
    assert consents.get(purpose=purposes["e_sotong"]).withdrawn_at is not None
    others = Consent.objects.filter(purpose=purposes["e_sotong"], withdrawn_at__isnull=True)
    assert set(others.values_list("person__name", flat=True)) == {"이서연", "정지호", "조예준"}
