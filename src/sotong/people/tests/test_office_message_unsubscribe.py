"""One-click unsubscribe (RFC 8058) for the e-mails of the registry's message screen: each e-mail carries
List-Unsubscribe / List-Unsubscribe-Post with a signed purpose token; the link works without a session."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sotong.campaigns.tokens import purpose_token, read_purpose_token, read_unsubscribe_token
from sotong.core.models import Event
from sotong.messaging.models import Message
from sotong.people.models import Consent, ConsentPurpose, Person
from sotong.people.tests.conftest import MakePerson
from sotong.people.tests.test_office_message import confirm, preview

pytestmark = pytest.mark.django_db


def one_click(client: Client, path: str) -> Any:
    """What a mail client sends (RFC 8058): a form body, no cookies, no CSRF token."""
    return client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")


@pytest.fixture
def readers(make_person: MakePerson) -> dict[str, Person]:
    return {
        "kim": make_person(name="김민준", mobile="010-1111-0001", email="kim@example.com"),
        "jung": make_person(name="정하윤", mobile="", email="jung@example.com"),
    }


@pytest.fixture
def sent(
    settings: Any, verified_client: Any, programme_manager: Any, readers: dict[str, Person], purposes: Any
) -> list[Message]:
    settings.SITE_URL = "https://sotong.example.kr"
    client = verified_client(programme_manager)
    values = {"channel": "email", "subject": "성동구 소식"}
    confirm(client, purposes, preview(client, purposes, **values).context["token"], **values)
    return list(Message.objects.order_by("pk"))


def _link(message: Message) -> str:
    value = message.headers["List-Unsubscribe"]
    assert value.startswith("<https://sotong.example.kr/campaigns/p/")
    assert value.endswith("/>")
    return value[1:-1].split("/", 3)[3]  # the path, for the test client


def _live(person: Person, purpose: ConsentPurpose) -> bool:
    return Consent.objects.open().filter(person=person, purpose=purpose).exists()


def test_each_queued_email_carries_its_own_one_click_headers(sent, readers, purposes) -> None:
    assert len(sent) == 2
    for message in sent:
        assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        token = _link(message).rstrip("/").rsplit("/", 1)[1]
        assert read_purpose_token(token) == (purposes["e_sotong"].pk, int(message.about_id), "email")
    assert len({m.headers["List-Unsubscribe"] for m in sent}) == 2


def test_one_click_post_without_a_session_withdraws_the_purpose(sent, readers, purposes) -> None:
    kim = readers["kim"]
    message = next(m for m in sent if m.about_id == str(kim.pk))
    client = Client(enforce_csrf_checks=True)  # no cookies, no session: what a mail client sends

    response = one_click(client, "/" + _link(message))

    assert response.status_code == 200
    assert not _live(kim, purposes["e_sotong"])
    assert _live(readers["jung"], purposes["e_sotong"])
    assert Event.objects.filter(verb="people.consent_withdrawn").count() == 1

    again = one_click(client, "/" + _link(message))  # a second POST is harmless
    assert again.status_code == 200
    assert Event.objects.filter(verb="people.consent_withdrawn").count() == 1


def test_forged_tokens_change_nothing(sent, readers, purposes) -> None:
    kim, jung = readers["kim"], readers["jung"]
    token = purpose_token(purpose_id=purposes["e_sotong"].pk, person_id=kim.pk, channel="email")
    forged = [
        token.replace(f"-{kim.pk}-", f"-{jung.pk}-"),  # someone else's consent
        token[:-1] + ("0" if token[-1] != "0" else "1"),  # a bad signature
        token.removeprefix("p"),  # a purpose token read as a newsletter token
        "p1-2-e",
    ]
    assert read_unsubscribe_token(forged[2]) is None
    client = Client(enforce_csrf_checks=True)
    for value in forged:
        assert one_click(client, f"/campaigns/p/{value}/").status_code == 400
        assert client.get(f"/campaigns/p/{value}/").status_code == 404
    assert _live(kim, purposes["e_sotong"])
    assert _live(jung, purposes["e_sotong"])
    assert (
        not Event.objects.filter(verb__startswith="people.consent_")
        .exclude(verb="people.consent_given")
        .exists()
    )


def test_confirmation_page_in_korean_then_withdraw_one_channel(readers, purposes) -> None:
    kim = readers["kim"]
    token = purpose_token(purpose_id=purposes["e_sotong"].pk, person_id=kim.pk, channel="email")
    client = Client(enforce_csrf_checks=True)

    page = client.get(f"/campaigns/p/{token}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert purposes["e_sotong"].name in text
    assert "수신 거부" in text
    assert "로그인은 필요하지 않습니다" in text

    bad = client.post(f"/campaigns/p/{token}/", {"scope": "everything"})
    assert bad.status_code == 400
    assert "수신 거부 범위를 골라 주세요." in bad.content.decode()
    assert _live(kim, purposes["e_sotong"])

    done = client.post(f"/campaigns/p/{token}/", {"scope": "channel"})
    assert done.status_code == 200
    consent = Consent.objects.open().get(person=kim, purpose=purposes["e_sotong"])
    assert (consent.sms, consent.email) == (True, False)
    assert "이미 수신을 거부하셨거나" not in client.get(f"/campaigns/p/{token}/").content.decode()
