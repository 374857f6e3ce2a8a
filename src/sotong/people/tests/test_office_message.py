"""메시지 보내기 from the registry: roles, consent filtering with reasons, idempotency, SMS/LMS byte limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from sotong.accounts.models import User
from sotong.core.models import Event
from sotong.messaging.models import Message
from sotong.people import actions
from sotong.people.models import Consent, ConsentPurpose, Person
from sotong.people.tests.conftest import MakePerson
from sotong.people.views.office_message import MAX_RECIPIENTS

URL = reverse("people_office:message")
CAST = ["programme_manager", "sysadmin", "coordinator", "intake_officer", "handler", "sns_officer", "no_role"]


@pytest.fixture
def no_role(org: Any, make_staff: Any) -> User:
    return make_staff("norole", org.new_media, name="권한없음")


@pytest.fixture
def audience(make_person: MakePerson, purposes: dict[str, ConsentPurpose]) -> dict[str, Person]:
    """kim: 전자소통 by SMS and e-mail; lee: by SMS only; jung: no mobile, e-mail only; park: no consent;
    choi: consent withdrawn; han: committee only; and a 광고성 정보 consent for kim."""
    kim = make_person(name="김민준", gender="M", mobile="010-1111-0001", email="kim@example.com")
    lee = make_person(name="이서연", gender="F", mobile="010-1111-0002", channels=("sms",))
    jung = make_person(name="정하윤", gender="F", mobile="", email="jung@example.com")
    park = make_person(name="박도윤", gender="M", consent=None)
    choi = make_person(name="최지우", gender="F")
    actions.withdraw_consent(actions.SYSTEM, Consent.objects.get(person=choi))
    han = make_person(name="한지호", gender="M", consent="committee")
    actions.give_consent(
        actions.SYSTEM,
        kim,
        purposes["advertising"],
        sms=True,
        email=True,
        method="web_form",
        evidence={"ip": "203.0.113.9", "user_agent": "test"},
    )
    return {"kim": kim, "lee": lee, "jung": jung, "park": park, "choi": choi, "han": han}


def form(purposes: dict[str, ConsentPurpose], step: str, **values: Any) -> dict[str, Any]:
    data = {
        "step": step,
        "purpose": purposes["e_sotong"].pk,
        "channel": "sms",
        "subject": "",
        "text": "구정 소식",
    }
    data.update(values)
    if isinstance(data["purpose"], str):
        data["purpose"] = purposes[data["purpose"]].pk
    return data


def preview(client: Any, purposes: dict[str, ConsentPurpose], url: str = URL, **values: Any) -> Any:
    return client.post(url, form(purposes, "preview", **values))


def confirm(
    client: Any, purposes: dict[str, ConsentPurpose], token: str, url: str = URL, **values: Any
) -> Any:
    return client.post(url, form(purposes, "confirm", token=token, **values))


@pytest.mark.parametrize("role", CAST)
def test_only_the_programme_manager_composes_and_sends(request, verified_client, audience, purposes, role):
    client = verified_client(request.getfixturevalue(role))
    events = Event.objects.count()

    page = client.get(URL)
    sent = confirm(client, purposes, "a" * 32)

    if role == "programme_manager":
        assert page.status_code == 200
        assert sent.status_code == 302
        assert Message.objects.count() == 2
    else:
        assert page.status_code == 403
        assert sent.status_code == 403
        assert not Message.objects.exists()
        assert Event.objects.count() == events


def test_anonymous_visitors_are_sent_to_log_in(client, audience):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_registry_links_to_the_message_page_for_the_programme_manager_only(
    verified_client, programme_manager, sysadmin, audience
):
    index = reverse("people_office:index")
    assert URL in verified_client(programme_manager).get(index).content.decode()
    assert URL not in verified_client(sysadmin).get(index).content.decode()


@pytest.mark.parametrize(
    ("channel", "recipients", "skipped"),
    [
        # SMS: jung has no mobile; park, choi (withdrawn) and han (committee only) hold no 전자소통 consent.
        ("sms", {"kim", "lee"}, {"no_contact": 1, "no_consent": 3, "channel_refused": 0}),
        # E-mail: lee agreed to SMS only; everyone has an address.
        ("email", {"kim", "jung"}, {"no_contact": 0, "no_consent": 3, "channel_refused": 1}),
    ],
)
def test_preview_counts_who_receives_and_why_the_others_do_not(
    verified_client, programme_manager, audience, purposes, channel, recipients, skipped
):
    client = verified_client(programme_manager)

    response = preview(client, purposes, channel=channel, subject="성동구 소식")

    counts = response.context["audience"]
    assert counts.total == 6
    assert counts.recipients == len(recipients)
    assert counts.skipped == skipped
    page = response.content.decode()
    assert "이 목적의 유효한 동의 없음" in page
    assert f"{len(recipients)}명에게 보내기" in page
    assert not Message.objects.exists()

    # when confirmed, exactly the consenting people get one message each, through the outbox
    confirm(client, purposes, response.context["token"], channel=channel, subject="성동구 소식")
    messages = list(Message.objects.all())
    assert {m.about_id for m in messages} == {str(audience[name].pk) for name in recipients}
    assert {m.purpose for m in messages} == {"people.message"}
    if channel == "sms":
        assert {m.recipient for m in messages} == {"01011110001", "01011110002"}
        assert {m.channel for m in messages} == {"sms"}
    else:
        assert {m.recipient for m in messages} == {"kim@example.com", "jung@example.com"}
        assert all("동의를 철회할 수 있습니다" in m.body_text for m in messages)


def test_a_double_submit_sends_nothing_twice(verified_client, programme_manager, audience, purposes):
    client = verified_client(programme_manager)
    token = preview(client, purposes).context["token"]

    first = confirm(client, purposes, token)
    second = confirm(client, purposes, token)

    assert first.status_code == second.status_code == 302
    assert Message.objects.count() == 2
    keys = set(Message.objects.values_list("idempotency_key", flat=True))
    assert keys == {f"people.message.{token}.{audience[n].pk}" for n in ("kim", "lee")}
    events = Event.objects.filter(verb="people.message_queued")
    assert events.count() == 1
    assert events.get().actor == programme_manager
    assert events.get().after["queued"] == 2
    assert events.get().after["skipped"]["no_consent"] == 3
    notice = [str(m) for m in second.wsgi_request._messages]
    assert any("다시 보내지 않습니다" in text for text in notice)

    # a new preview is a new batch: sending again is a deliberate second message
    confirm(client, purposes, preview(client, purposes).context["token"])
    assert Message.objects.count() == 4


def test_consent_is_checked_again_when_sending(verified_client, programme_manager, audience, purposes):
    client = verified_client(programme_manager)
    token = preview(client, purposes).context["token"]
    # lee withdraws between the preview and the confirmation
    actions.withdraw_consent(actions.CITIZEN, Consent.objects.get(person=audience["lee"]))

    confirm(client, purposes, token)

    assert set(Message.objects.values_list("about_id", flat=True)) == {str(audience["kim"].pk)}


def test_the_current_filter_and_the_ticked_people_narrow_the_audience(
    verified_client, programme_manager, audience, purposes
):
    client = verified_client(programme_manager)

    # the filter of the list page (women): lee by SMS; jung has no mobile, choi withdrew
    women = preview(client, purposes, url=URL + "?genders=F")
    assert women.context["audience"].total == 3
    assert women.context["audience"].recipients == 1

    # the people ticked on the list page
    picked = client.post(URL, {"step": "select", "people": [audience["kim"].pk, audience["park"].pk]})
    assert picked.status_code == 200
    assert picked.context["count"] == 2
    assert picked.context["selected"] == sorted([audience["kim"].pk, audience["park"].pk])
    response = client.post(URL, {**form(purposes, "preview"), "people": picked.context["selected"]})
    assert response.context["audience"].total == 2
    assert response.context["audience"].recipients == 1
    client.post(
        URL, {**form(purposes, "confirm", token=response.context["token"]), "people": [audience["kim"].pk]}
    )
    assert list(Message.objects.values_list("about_id", flat=True)) == [str(audience["kim"].pk)]

    # ticking nobody sends back to the list
    nobody = client.post(URL + "?genders=F", {"step": "select"})
    assert nobody.status_code == 302
    assert "genders=F" in nobody["Location"]


def test_advertising_is_refused_and_pointed_to_campaigns(
    verified_client, programme_manager, audience, purposes
):
    client = verified_client(programme_manager)

    response = confirm(client, purposes, "b" * 32, purpose="advertising")

    assert response.status_code == 200
    assert "광고성 정보는 이 화면에서 보낼 수 없습니다" in response.content.decode()
    assert "캠페인" in response.content.decode()
    assert not Message.objects.exists()
    assert not Event.objects.filter(verb="people.message_queued").exists()


@pytest.mark.parametrize(
    ("text", "kind", "error"),
    [
        ("가" * 45, "SMS", ""),  # 90 bytes: a short message
        ("가" * 44 + "ab", "SMS", ""),
        ("가" * 46, "LMS", ""),  # 92 bytes
        ("가" * 1000, "LMS", ""),  # 2,000 bytes
        ("가" * 1000 + "a", "", "2001바이트"),
        ("안녕하세요 😀", "", "문자로 보낼 수 없는 글자"),
        ("똠방각하", "", "문자로 보낼 수 없는 글자"),  # outside the 2,350 KS X 1001 syllables
    ],
)
def test_sms_text_within_euc_kr_limits(
    verified_client, programme_manager, audience, purposes, text, kind, error
):
    client = verified_client(programme_manager)

    response = preview(client, purposes, text=text)

    page = response.content.decode()
    if error:
        assert error in page
        assert "audience" not in response.context
    else:
        assert kind in str(response.context["kind"])
        assert response.context["data"]["bytes"] == len(text.encode("euc_kr"))
        confirm(client, purposes, response.context["token"], text=text)
        assert {m.channel for m in Message.objects.all()} == {kind.lower()}


def test_email_needs_a_subject_and_lms_subject_fits_40_bytes(
    verified_client, programme_manager, audience, purposes
):
    client = verified_client(programme_manager)

    no_subject = preview(client, purposes, channel="email")
    long_subject = preview(client, purposes, subject="가" * 21, text="가" * 50)

    assert "전자우편 제목을 입력해 주세요" in no_subject.content.decode()
    assert "40바이트 이내" in long_subject.content.decode()
    assert "audience" not in no_subject.context
    assert "audience" not in long_subject.context


def test_an_audience_over_the_limit_is_sent_to_campaigns(
    verified_client, programme_manager, audience, purposes, monkeypatch
):
    monkeypatch.setattr("sotong.people.views.office_message.MAX_RECIPIENTS", 1)
    client = verified_client(programme_manager)

    response = confirm(client, purposes, "c" * 32)

    assert "한 번에 보낼 수 있는 1명을 넘습니다" in response.content.decode()
    assert not Message.objects.exists()
    assert MAX_RECIPIENTS >= 1000


def test_refusals_read_in_english_when_english_is_chosen(purposes):
    from django.utils import translation

    from sotong.people.views.office_message import MessageForm

    with translation.override("en"):
        advertising = MessageForm(form(purposes, "preview", purpose="advertising"))
        too_long = MessageForm(form(purposes, "preview", text="가" * 1001))
        assert not advertising.is_valid()
        assert not too_long.is_valid()
        assert advertising.errors["purpose"][0].startswith("Advertising cannot be sent from this page")
        assert "2002 bytes" in too_long.errors["text"][0]
        assert too_long.errors["text"][0].endswith("Please shorten it.")
