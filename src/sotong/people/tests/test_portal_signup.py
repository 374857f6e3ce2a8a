"""전자소통 가입 on the portal: details, consent, SMS code or e-mail link, and only then the records."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sotong.cases.models import PhoneVerification
from sotong.core.models import Event
from sotong.messaging.models import Message
from sotong.people import actions
from sotong.people.actions import signup as signup_actions
from sotong.people.models import Consent, ConsentMethod, MembershipKind, Person, Source
from sotong.people.views.portal import SIGNUP

pytestmark = pytest.mark.django_db

DETAILS = {
    "name": "김소통",
    "mobile": "010 2345-6789",
    "email": "sotong@example.com",
    "gender": "F",
    "birth_year": "1985",
    "dong": "행당1동",
    "occupation": "교사",
    "sms": "on",
    "email_channel": "on",
}
UA = "Mozilla/5.0 (Linux; Android 14) 시험"


@pytest.fixture
def citizen_browser(purposes: Any) -> Client:
    return Client(HTTP_USER_AGENT=UA, REMOTE_ADDR="203.0.113.9")


def latest_code() -> str:
    message = (
        Message.objects.filter(purpose="cases.phone_verification").order_by("-created_at", "-pk").first()
    )
    assert message is not None
    match = re.search(r"\b(\d{6})\b", message.body_text)
    assert match
    return match.group(1)


def latest_link(purpose: str = "people.signup_link") -> str:
    message = Message.objects.filter(purpose=purpose).order_by("-created_at", "-pk").first()
    assert message is not None
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body_text)
    assert match
    return match.group(1)


def fill_details(client: Client, **overrides: Any) -> Any:
    data = {key: value for key, value in {**DETAILS, **overrides}.items() if value is not None}
    return client.post(reverse("people:signup"), data)


def fill_consent(client: Client, committee: str = "agree", advertising: str = "disagree") -> Any:
    return client.post(
        reverse("people:signup_consent"),
        {"e_sotong": "agree", "committee": committee, "advertising": advertising},
    )


def confirm_by_phone(client: Client) -> Any:
    url = reverse("people:signup_confirm")
    client.post(url, {"action": "send_code"})
    client.post(url, {"action": "verify_code", "code": latest_code()})
    return client.post(url, {"action": "submit"})


def test_menu_links_the_signup_page(citizen_browser):
    page = citizen_browser.get("/").content.decode()

    assert reverse("people:signup") == "/people/signup/"
    assert 'href="/people/signup/"' in page


def test_signup_by_phone_creates_person_and_consents_only_after_the_code(citizen_browser):
    # Given the details and the consent page filled in
    assert fill_details(citizen_browser).status_code == 302
    assert fill_consent(citizen_browser).url == reverse("people:signup_confirm")
    page = citizen_browser.get(reverse("people:signup_confirm")).content.decode()
    assert "010-2345-6789" in page
    assert 'hx-post="/people/signup/confirm/"' in page
    assert not Person.objects.exists()

    # When the code is sent and checked
    url = reverse("people:signup_confirm")
    citizen_browser.post(url, {"action": "send_code"})
    citizen_browser.post(url, {"action": "verify_code", "code": latest_code()})
    assert not Person.objects.exists()
    response = citizen_browser.post(url, {"action": "submit"})

    # Then the person, the membership and one consent per agreed purpose exist, with their evidence
    assert response.url == reverse("people:signup_done")
    person = Person.objects.get()
    assert (person.name, person.mobile, person.email) == ("김소통", "01023456789", "sotong@example.com")
    assert (person.gender, person.birth_year, person.dong, person.occupation) == (
        "F",
        1985,
        "행당1동",
        "교사",
    )
    assert person.source == Source.PORTAL
    assert person.memberships.get().kind == MembershipKind.SUBSCRIBER
    consents = {c.purpose.code: c for c in Consent.objects.select_related("purpose")}
    assert set(consents) == {"e_sotong", "committee"}
    consent = consents["e_sotong"]
    assert consent.method == ConsentMethod.SMS_CODE
    assert (consent.sms, consent.email) == (True, True)
    verification = PhoneVerification.objects.get(purpose="people_signup")
    assert consent.evidence["verification"] == f"phone:{verification.pk}"
    assert consent.evidence["ip"] == "203.0.113.9"
    assert consent.evidence["user_agent"] == UA
    assert consent.evidence["form"] == "portal_signup"
    assert consent.evidence["verified_at"]
    assert consent.evidence["consented_at"]
    assert actions.may_contact(person, "e_sotong", "sms")
    assert not actions.may_contact(person, "advertising", "email")
    assert Event.objects.for_target(person).filter(verb="people.signed_up").count() == 1
    assert SIGNUP not in citizen_browser.session
    done = citizen_browser.get(response.url).content.decode()
    assert "전자소통 가입이 완료되었습니다" in done


def test_bad_details_get_korean_messages_next_to_fields_and_nothing_kept(citizen_browser):
    response = fill_details(
        citizen_browser, name="", mobile="02-123", email="not-an-address", birth_year="850101-1234567"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in page
    assert "이름을 입력해 주세요." in page
    assert "휴대전화 번호를 확인해 주세요. 예: 010-1234-5678" in page
    assert "전자우편 주소를 확인해 주세요." in page
    assert "주민등록번호는 받지 않습니다." in page
    assert 'id="id_mobile_error"' in page
    assert 'aria-invalid="true"' in page
    assert SIGNUP not in citizen_browser.session


def test_a_contact_and_a_channel_are_required(citizen_browser):
    page = fill_details(citizen_browser, mobile="", email="", sms=None, email_channel=None).content.decode()
    assert "휴대전화 번호나 전자우편 주소 중 하나는 입력해 주세요." in page

    page = fill_details(citizen_browser, sms=None, email_channel=None).content.decode()
    assert "받을 방법(문자 또는 전자우편)을 하나 이상 골라 주세요." in page

    page = fill_details(citizen_browser, mobile="", email_channel=None).content.decode()
    assert "문자로 받으려면 휴대전화 번호를 입력해 주세요." in page


def test_required_consent_must_be_agreed_and_the_optional_ones_answered(citizen_browser):
    fill_details(citizen_browser)

    response = citizen_browser.post(reverse("people:signup_consent"), {"e_sotong": "disagree"})

    page = response.content.decode()
    assert "[필수] 항목에 동의해야 가입할 수 있습니다." in page
    assert "동의함 또는 동의안함을 골라 주세요." in page
    assert "동의를 거부할 권리" in page
    assert "[광고성 정보]" in page
    assert "consent" not in citizen_browser.session[SIGNUP]


def test_agree_all_agrees_to_every_purpose_including_advertising(citizen_browser):
    fill_details(citizen_browser)
    citizen_browser.post(reverse("people:signup_consent"), {"agree_all": "on"})

    confirm_by_phone(citizen_browser)

    assert set(Consent.objects.values_list("purpose__code", flat=True)) == {
        "e_sotong",
        "committee",
        "advertising",
    }


def test_steps_cannot_be_skipped(citizen_browser):
    assert citizen_browser.get(reverse("people:signup_confirm")).url == reverse("people:signup")
    fill_details(citizen_browser)
    assert citizen_browser.get(reverse("people:signup_confirm")).url == reverse("people:signup_consent")
    assert citizen_browser.get(reverse("people:signup_done")).url == reverse("people:signup")


def test_wrong_code_is_refused_and_nothing_is_written(citizen_browser):
    fill_details(citizen_browser)
    fill_consent(citizen_browser)
    url = reverse("people:signup_confirm")
    citizen_browser.post(url, {"action": "send_code"})
    wrong = "000000" if latest_code() != "000000" else "111111"

    page = citizen_browser.post(url, {"action": "verify_code", "code": wrong}).content.decode()
    submitted = citizen_browser.post(url, {"action": "submit"}).content.decode()

    assert "인증번호가 맞지 않습니다. 4번 더 입력할 수 있습니다." in page
    assert "휴대전화 인증을 마쳐 주세요." in submitted
    assert not Person.objects.exists()
    assert not Consent.objects.exists()


def test_submit_without_a_code_and_sending_too_soon_are_refused(citizen_browser):
    fill_details(citizen_browser)
    fill_consent(citizen_browser)
    url = reverse("people:signup_confirm")

    assert "휴대전화 인증을 마쳐 주세요." in citizen_browser.post(url, {"action": "submit"}).content.decode()
    citizen_browser.post(url, {"action": "send_code"})
    again = citizen_browser.post(url, {"action": "send_code"}).content.decode()

    assert "인증번호를 방금 보냈습니다." in again
    assert PhoneVerification.objects.count() == 1
    assert not Person.objects.exists()


def test_htmx_code_check_answers_with_the_block_and_submit_redirects(citizen_browser):
    fill_details(citizen_browser)
    fill_consent(citizen_browser)
    url = reverse("people:signup_confirm")
    citizen_browser.post(url, {"action": "send_code"}, HTTP_HX_REQUEST="true")

    checked = citizen_browser.post(
        url, {"action": "verify_code", "code": latest_code()}, HTTP_HX_REQUEST="true"
    )
    assert "휴대전화 인증을 마쳤습니다." in checked.content.decode()
    done = citizen_browser.post(url, {"action": "submit"}, HTTP_HX_REQUEST="true")

    assert done.status_code == 204
    assert done["HX-Redirect"] == reverse("people:signup_done")
    assert Person.objects.count() == 1


def test_registered_phone_is_not_duplicated_and_the_answer_is_the_same(citizen_browser, make_person):
    # Given someone registered by staff with this phone and a consent for 전자소통 by SMS only
    existing = make_person(mobile="010-2345-6789", email="", name="", channels=("sms",))

    fill_details(citizen_browser)
    fill_consent(citizen_browser, committee="agree")
    response = confirm_by_phone(citizen_browser)

    # Then no second person; the blanks are filled; the new consents attach; the old one is superseded
    assert response.url == reverse("people:signup_done")
    assert Person.objects.count() == 1
    existing.refresh_from_db()
    assert existing.name == "김소통"
    assert existing.email == "sotong@example.com"
    live = Consent.objects.live().filter(person=existing)
    assert set(live.values_list("purpose__code", flat=True)) == {"e_sotong", "committee"}
    assert live.get(purpose__code="e_sotong").email is True
    assert Consent.objects.filter(person=existing, superseded_at__isnull=False).count() == 1
    event = Event.objects.for_target(existing).get(verb="people.signed_up")
    assert event.after["existing"] is True
    assert "전자소통 가입이 완료되었습니다" in citizen_browser.get(response.url).content.decode()


def test_unproven_email_of_someone_else_is_left_out(citizen_browser, make_person):
    other = make_person(mobile="010-9999-0000", email="sotong@example.com")

    fill_details(citizen_browser)
    fill_consent(citizen_browser)
    confirm_by_phone(citizen_browser)

    new = Person.objects.exclude(pk=other.pk).get()
    assert new.mobile == "01023456789"
    assert new.email == ""
    consent = Consent.objects.get(person=new, purpose__code="e_sotong")
    assert (consent.sms, consent.email) == (True, False)
    assert Consent.objects.filter(person=other).count() == 1


# --- e-mail link --------------------------------------------------------------------------------------


def start_email_signup(client: Client) -> Any:
    fill_details(client, mobile="", sms=None)
    fill_consent(client)
    return client.post(reverse("people:signup_confirm"), {"action": "send_link"})


def test_signup_by_email_link(citizen_browser):
    # Given a sign-up with an e-mail address only
    page = start_email_signup(citizen_browser).content.decode()
    assert "확인 메일을 보냈습니다" in page
    assert not Person.objects.exists()
    link = latest_link()
    assert "sotong@example.com" not in link
    assert "김소통" not in link

    # When the link is opened (from another browser) and the button pressed
    other_browser = Client(HTTP_USER_AGENT="Mail app")
    shown = other_browser.get(link)
    assert shown.status_code == 200
    assert "가입 마치기" in shown.content.decode()
    assert not Person.objects.exists()
    response = other_browser.post(link)

    # Then the records exist, proven by the link, with the form's evidence
    assert response.url == reverse("people:signup_done")
    person = Person.objects.get()
    assert (person.email, person.mobile) == ("sotong@example.com", "")
    consent = Consent.objects.get(purpose__code="e_sotong")
    assert consent.method == ConsentMethod.EMAIL_LINK
    assert consent.evidence["token_ref"] == signup_actions.token_ref(link.rstrip("/").split("/")[-1])
    assert consent.evidence["ip"] == "203.0.113.9"
    assert (consent.sms, consent.email) == (False, True)

    # And a second click writes nothing more
    again = other_browser.post(link)
    assert again.url == reverse("people:signup_done")
    assert Consent.objects.count() == 2


def made_minutes_ago(monkeypatch: pytest.MonkeyPatch, minutes: int, make: Any) -> str:
    """A token signed `minutes` ago (the signer's clock turned back while it is made)."""
    with monkeypatch.context() as patch:
        patch.setattr(
            signing.TimestampSigner,
            "timestamp",
            lambda self: signing.b62_encode(int(time.time()) - minutes * 60),
        )
        return make()


def test_expired_and_broken_links_say_so_and_write_nothing(citizen_browser, monkeypatch):
    start_email_signup(citizen_browser)
    link = latest_link()
    pending = signup_actions.read_signup_token(link.rstrip("/").split("/")[-1])
    old = made_minutes_ago(monkeypatch, 31, lambda: signup_actions.make_signup_token(pending))
    fresh = made_minutes_ago(monkeypatch, 29, lambda: signup_actions.make_signup_token(pending))

    expired = citizen_browser.post(reverse("people:signup_link", kwargs={"token": old}))
    broken = citizen_browser.get(link[:-10] + "AAAAAAAAA/")

    assert expired.status_code == 410
    assert "확인 링크의 유효 시간(30분)이 지났습니다." in expired.content.decode()
    assert broken.status_code == 410
    assert "확인 링크가 올바르지 않습니다." in broken.content.decode()
    assert not Person.objects.exists()
    assert citizen_browser.get(reverse("people:signup_link", kwargs={"token": fresh})).status_code == 200


def test_email_links_are_rate_limited(citizen_browser):
    start_email_signup(citizen_browser)

    again = citizen_browser.post(reverse("people:signup_confirm"), {"action": "send_link"}).content.decode()

    assert "확인 메일을 방금 보냈습니다." in again
    assert Message.objects.filter(purpose="people.signup_link").count() == 1


def test_verified_phone_goes_stale(citizen_browser, settings):
    fill_details(citizen_browser)
    fill_consent(citizen_browser)
    url = reverse("people:signup_confirm")
    citizen_browser.post(url, {"action": "send_code"})
    citizen_browser.post(url, {"action": "verify_code", "code": latest_code()})
    session = citizen_browser.session
    draft = session[SIGNUP]
    draft["verified_at"] = (timezone.now() - timedelta(minutes=11)).isoformat()
    session[SIGNUP] = draft
    session.save()

    page = citizen_browser.post(url, {"action": "submit"}).content.decode()

    assert "휴대전화 인증을 마쳐 주세요." in page
    assert not Person.objects.exists()
