"""가입 정보 관리 on the portal: verify again, see own data masked, change channels, withdraw, update."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sotong.core.models import Event
from sotong.messaging.models import Message
from sotong.people import actions
from sotong.people.models import Consent, ConsentMethod, Person
from sotong.people.views.portal_manage import MANAGE

pytestmark = pytest.mark.django_db

PHONE = "010-3456-7890"
EMAIL = "hong@example.com"


@pytest.fixture
def member(make_person: Any, purposes: Any) -> Person:
    """A subscriber with 전자소통 (SMS and e-mail) and 위원회 운영 (SMS) consents."""
    person = make_person(name="홍길동", mobile=PHONE, email=EMAIL, birth_year=1970)
    actions.give_consent(
        actions.SYSTEM,
        person,
        purposes["committee"],
        sms=True,
        email=False,
        method="web_form",
        evidence={"ip": "203.0.113.1"},
    )
    return person


def latest_code() -> str:
    message = (
        Message.objects.filter(purpose="cases.phone_verification").order_by("-created_at", "-pk").first()
    )
    assert message is not None
    match = re.search(r"\b(\d{6})\b", message.body_text)
    assert match
    return match.group(1)


def verify_by_phone(client: Client, phone: str = PHONE) -> Any:
    url = reverse("people:manage_verify")
    client.post(url, {"action": "send_code", "phone": phone})
    return client.post(url, {"action": "verify_code", "phone": phone, "code": latest_code()})


@pytest.fixture
def verified(member: Person) -> Client:
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 시험", REMOTE_ADDR="198.51.100.4")
    assert verify_by_phone(client).url == reverse("people:manage")
    return client


def test_manage_without_proof_goes_to_verification(member):
    client = Client()

    assert client.get(reverse("people:manage")).url == reverse("people:manage_verify")
    assert client.post(reverse("people:manage_withdraw_all")).url == reverse("people:manage_verify")
    assert Consent.objects.live().filter(person=member).count() == 2


def test_phone_verification_opens_own_data_masked(verified, member):
    page = verified.get(reverse("people:manage")).content.decode()

    assert "홍*동" in page
    assert "010-****-7890" in page
    assert "ho***@example.com" in page
    assert PHONE not in page
    assert "01034567890" not in page
    assert EMAIL not in page
    assert "전자소통 정책정보 수신" in page
    assert "위원회 운영" in page
    assert "전체 철회" in page


def test_wrong_code_does_not_open_the_page(member):
    client = Client()
    url = reverse("people:manage_verify")
    client.post(url, {"action": "send_code", "phone": PHONE})
    wrong = "000000" if latest_code() != "000000" else "111111"

    page = client.post(url, {"action": "verify_code", "phone": PHONE, "code": wrong}).content.decode()

    assert "인증번호가 맞지 않습니다." in page
    assert MANAGE not in client.session
    assert client.get(reverse("people:manage")).url == reverse("people:manage_verify")


def test_bad_phone_gets_a_message_next_to_the_field(member):
    page = Client().post(reverse("people:manage_verify"), {"action": "send_code", "phone": "12"})

    assert "휴대전화 번호를 확인해 주세요. 예: 010-1234-5678" in page.content.decode()
    assert 'id="id_phone_error"' in page.content.decode()


def test_verified_phone_without_a_registration_is_told_so(purposes):
    client = Client()

    page = verify_by_phone(client, "010-1111-2222").content.decode()

    assert "이 번호로 가입한 전자소통 정보가 없습니다." in page
    assert MANAGE not in client.session


def test_withdraw_one_consent_takes_effect_at_once(verified, member):
    consent = Consent.objects.get(person=member, purpose__code="e_sotong")
    assert actions.may_contact(member, "e_sotong", "sms")

    response = verified.post(reverse("people:manage_withdraw", kwargs={"pk": consent.pk}))

    assert response.url == reverse("people:manage")
    assert not actions.may_contact(member, "e_sotong", "sms")
    assert not actions.may_contact(member, "e_sotong", "email")
    assert actions.may_contact(member, "committee", "sms")
    assert Event.objects.for_target(member).filter(verb="people.consent_withdrawn").count() == 1
    page = verified.get(reverse("people:manage")).content.decode()
    assert "‘전자소통 정책정보 수신’ 동의를 철회했습니다." in page


def test_withdraw_all(verified, member):
    response = verified.post(reverse("people:manage_withdraw_all"))

    assert response.url == reverse("people:manage")
    assert not Consent.objects.live().filter(person=member).exists()
    assert not actions.may_contact(member, "committee", "sms")
    assert Event.objects.for_target(member).filter(verb="people.consent_withdrawn").count() == 2
    page = verified.get(reverse("people:manage")).content.decode()
    assert "모든 동의를 철회했습니다." in page
    assert 'id="no-consents"' in page


def test_someone_elses_consent_cannot_be_withdrawn(verified, make_person):
    other = make_person(mobile="010-7777-8888", email="other@example.com")
    consent = Consent.objects.get(person=other)

    verified.post(reverse("people:manage_withdraw", kwargs={"pk": consent.pk}))

    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


def test_drop_a_channel_and_add_it_back(verified, member):
    consent = Consent.objects.get(person=member, purpose__code="e_sotong")
    url = reverse("people:manage_channels", kwargs={"pk": consent.pk})
    prefix = f"c{consent.pk}"

    verified.post(url, {f"{prefix}-sms": "on"})
    assert actions.may_contact(member, "e_sotong", "sms")
    assert not actions.may_contact(member, "e_sotong", "email")
    assert Event.objects.for_target(member).filter(verb="people.consent_channel_withdrawn").exists()

    verified.post(url, {f"{prefix}-sms": "on", f"{prefix}-email": "on"})
    renewed = Consent.objects.live().get(person=member, purpose__code="e_sotong")
    assert renewed.pk != consent.pk
    assert (renewed.sms, renewed.email) == (True, True)
    assert renewed.method == ConsentMethod.SMS_CODE
    assert renewed.evidence["form"] == "portal_manage"
    assert renewed.evidence["ip"] == "198.51.100.4"
    assert renewed.evidence["verification"].startswith("phone:")


def test_no_channel_is_refused_with_a_message(verified, member):
    consent = Consent.objects.get(person=member, purpose__code="e_sotong")

    response = verified.post(reverse("people:manage_channels", kwargs={"pk": consent.pk}), {})

    assert response.status_code == 422
    assert "받을 방법을 하나 이상 골라 주세요." in response.content.decode()
    assert Consent.objects.get(pk=consent.pk).is_live()
    assert (Consent.objects.get(pk=consent.pk).sms, Consent.objects.get(pk=consent.pk).email) == (True, True)


def test_update_details_writes_an_event(verified, member):
    url = reverse("people:manage_details")
    assert 'value="홍길동"' in verified.get(url).content.decode()

    response = verified.post(
        url, {"name": "홍길순", "gender": "F", "birth_year": "1971", "occupation": "상인"}
    )

    assert response.url == reverse("people:manage")
    member.refresh_from_db()
    assert (member.name, member.gender, member.birth_year, member.occupation) == ("홍길순", "F", 1971, "상인")
    event = Event.objects.for_target(member).get(verb="people.updated")
    assert event.after["birth_year"] == 1971


def test_bad_details_are_refused_next_to_the_field(verified, member):
    response = verified.post(reverse("people:manage_details"), {"name": "홍길동1", "birth_year": "1800"})

    page = response.content.decode()
    assert "성명에 숫자나 기호를 쓸 수 없습니다" in page
    assert "있을 수 없는 연도입니다" in page
    assert 'id="error-summary"' in page
    member.refresh_from_db()
    assert member.name == "홍길동"


def test_session_expires_after_ten_minutes_of_inactivity(verified, member):
    session = verified.session
    proof = session[MANAGE]
    proof["seen"] = (timezone.now() - timedelta(minutes=10, seconds=1)).isoformat()
    session[MANAGE] = proof
    session.save()

    response = verified.post(reverse("people:manage_withdraw_all"))

    assert response.url == reverse("people:manage_verify")
    assert Consent.objects.live().filter(person=member).count() == 2
    page = verified.get(response.url).content.decode()
    assert "본인 확인 시간이 지났습니다." in page


def test_end_forgets_the_proof(verified, member):
    verified.post(reverse("people:manage_end"))

    assert verified.get(reverse("people:manage")).url == reverse("people:manage_verify")


# --- e-mail link --------------------------------------------------------------------------------------


def test_email_link_opens_the_page_and_unknown_addresses_get_the_same_answer(member):
    client = Client()
    url = reverse("people:manage_verify")

    known = client.post(url, {"action": "send_link", "email": EMAIL}).content.decode()
    unknown = Client().post(url, {"action": "send_link", "email": "nobody@example.com"}).content.decode()

    notice = "입력한 주소로 가입되어 있으면 확인 메일을 보냈습니다."
    assert notice in known
    assert notice in unknown
    messages = Message.objects.filter(purpose="people.manage_link")
    assert messages.count() == 1
    link = re.search(r"https?://[^/\s]+(/\S+)", messages.get().body_text).group(1)
    assert client.get(link).url == reverse("people:manage")
    assert client.session[MANAGE]["method"] == ConsentMethod.EMAIL_LINK
    assert "010-****-7890" in client.get(reverse("people:manage")).content.decode()


def test_manage_link_is_rate_limited_even_for_unknown_addresses(purposes):
    client = Client()
    url = reverse("people:manage_verify")
    client.post(url, {"action": "send_link", "email": "nobody@example.com"})

    page = client.post(url, {"action": "send_link", "email": "nobody@example.com"}).content.decode()

    assert "확인 메일을 방금 보냈습니다." in page
    assert not Message.objects.exists()


def test_broken_manage_link_says_so(member):
    response = Client().get(reverse("people:manage_link", kwargs={"token": "nonsense"}))

    assert response.status_code == 410
    assert "확인 링크가 올바르지 않습니다." in response.content.decode()
