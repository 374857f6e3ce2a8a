"""People fixtures: consent purposes and people made through the real actions.

make_person(name="홍길동", mobile="010-1234-5678", consent="e_sotong")   register (+ consent)
purposes["e_sotong"]                                                      a ConsentPurpose
WEB_EVIDENCE                                                              proof of a web-form consent
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from sotong.people import actions
from sotong.people.models import ConsentPurpose, Person

WEB_EVIDENCE = {"ip": "203.0.113.7", "user_agent": "Mozilla/5.0 (Linux; Android 14)"}
_SEED = importlib.import_module("sotong.people.migrations.0002_consent_purposes")

MakePerson = Callable[..., Person]


@pytest.fixture(autouse=True)
def _korean() -> Any:
    with translation.override("ko"):
        yield


@pytest.fixture
def purposes(db: Any) -> dict[str, ConsentPurpose]:
    """The seeded purposes (created again when a transactional test emptied the table)."""
    found = {}
    for code, name, items, months, advertising, order in _SEED.PURPOSES:
        found[code], _created = ConsentPurpose.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "items": items,
                "retention_months": months,
                "is_advertising": advertising,
                "sort_order": order,
            },
        )
    return found


@pytest.fixture
def make_person(purposes: dict[str, ConsentPurpose]) -> MakePerson:
    counter = {"n": 0}

    def make(
        consent: str | None = "e_sotong", channels: tuple[str, ...] = ("sms", "email"), **values: Any
    ) -> Person:
        counter["n"] += 1
        n = counter["n"]
        values.setdefault("name", "홍길동")
        values.setdefault("mobile", f"010-5{n:03d}-{n:04d}")
        values.setdefault("email", f"citizen{n}@example.com")
        person = actions.register_person(actions.SYSTEM, **values)
        if consent:
            actions.give_consent(
                actions.SYSTEM,
                person,
                purposes[consent],
                sms="sms" in channels and bool(person.mobile),
                email="email" in channels and bool(person.email),
                method="web_form",
                evidence=WEB_EVIDENCE,
            )
        return person

    return make
