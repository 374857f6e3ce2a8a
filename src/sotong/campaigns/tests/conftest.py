"""Campaign fixtures: newsletters made by the real actions, and subscribers with real consents.

make_subscriber(newsletter, name="김민지", dong="행당1동")          registered, consenting by SMS and e-mail
make_subscriber(newsletter, consent=False)                          registered only
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from sotong.accounts.models import User
from sotong.campaigns import actions
from sotong.campaigns.models import Newsletter, Template
from sotong.people import actions as people
from sotong.people.models import Person, PersonList

WEB_EVIDENCE = {"ip": "203.0.113.7", "user_agent": "Mozilla/5.0 (Linux; Android 14)"}

MakeSubscriber = Callable[..., Person]


@pytest.fixture(autouse=True)
def _korean() -> Any:
    with translation.override("ko"):
        yield


@pytest.fixture
def newsletter(programme_manager: User) -> Newsletter:
    return actions.create_newsletter(
        programme_manager,
        name="성동 소식",
        code="sd-news",
        sender_name="성동구청",
        sender_email="news@sd.example.kr",
        sender_phone="02-2286-5114",
        contact_line="성동구청 뉴미디어담당관 02-2286-5114",
    )


@pytest.fixture
def ad_newsletter(programme_manager: User) -> Newsletter:
    return actions.create_newsletter(
        programme_manager,
        name="성동 장터",
        code="sd-market",
        sender_name="성동구청",
        sender_email="market@sd.example.kr",
        sender_phone="02-2286-5114",
        contact_line="성동구청 02-2286-5114",
        is_advertising=True,
        opt_out_number="080-123-4567",
    )


@pytest.fixture
def make_subscriber(db: Any) -> MakeSubscriber:
    counter = {"n": 0}

    def make(
        newsletter: Newsletter,
        *,
        consent: bool = True,
        channels: tuple[str, ...] = ("sms", "email"),
        night: bool = False,
        **values: Any,
    ) -> Person:
        counter["n"] += 1
        n = counter["n"]
        values.setdefault("name", "김민지")
        values.setdefault("mobile", f"010-7{n:03d}-{n:04d}")
        values.setdefault("email", f"reader{n}@example.com")
        values.setdefault("dong", "행당1동")
        person = people.register_person(people.SYSTEM, **values)
        if consent:
            people.give_consent(
                people.SYSTEM,
                person,
                newsletter.purpose,
                sms="sms" in channels,
                email="email" in channels,
                method="web_form",
                evidence=WEB_EVIDENCE,
            )
        if night and newsletter.night_purpose is not None:
            people.give_consent(
                people.SYSTEM,
                person,
                newsletter.night_purpose,
                sms=True,
                email=True,
                method="web_form",
                evidence=WEB_EVIDENCE,
            )
        return person

    return make


@pytest.fixture
def make_list(programme_manager: User) -> Callable[..., PersonList]:
    def make(people_: list[Person], name: str = "설명회 참석자") -> PersonList:
        person_list = people.create_list(programme_manager, name=name)
        people.add_to_list(programme_manager, person_list, people_)
        return person_list

    return make


@pytest.fixture
def email_template(programme_manager: User, newsletter: Newsletter) -> Template:
    return actions.save_template(
        programme_manager,
        newsletter,
        name="월간 소식",
        channel="email",
        subject="{{ name }}님, 11월 성동 소식",
        body_text="{{ name }}님 안녕하세요. {{ dong }} 소식입니다.",
        body_html="<html><body><p>{{ name }}님 안녕하세요.</p></body></html>",
    )


@pytest.fixture
def sms_template(programme_manager: User, newsletter: Newsletter) -> Template:
    return actions.save_template(
        programme_manager,
        newsletter,
        name="문자 소식",
        channel="sms",
        body_text="{{ name }}님, {{ dong }} 주민 설명회 안내",
    )
