"""Shared case fixtures for every test of the cases app; cases are made through the real actions.

    def test_something(make_case, assigned_case, answered_case, handler): ...

    make_case(**overrides)      submit_case by the citizen on the web (a 건의민원 to 감사담당관, SMS notice)
    assigned_case               a case assigned to 청소행정과 with `handler` as officer
    in_progress_case            the same, taken up by `handler`
    answered_case               the same, answered by `handler`

Attachments go to a temporary MEDIA_ROOT for every test here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sotong.accounts.models import User
from sotong.accounts.tests.fixtures import Org
from sotong.cases.actions import CITIZEN, answer_case, assign_case, start_processing, submit_case
from sotong.cases.models import Case, CaseKind, Channel

REQUIRED_CONSENT = {
    "purpose": "민원 처리",
    "items": "이름, 휴대전화, 전자우편",
    "retention": "10년",
    "required": True,
    "agreed": True,
    "at": "2026-01-01T00:00:00+09:00",
}

MakeCase = Callable[..., Case]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def case_values(org: Org, **overrides: Any) -> dict[str, Any]:
    """Keyword arguments of a valid `submit_case` call, with `overrides` applied."""
    values: dict[str, Any] = {
        "actor": CITIZEN,
        "kind": CaseKind.SUGGESTION,
        "channel": Channel.WEB,
        "title": "골목길 쓰레기 무단투기 단속 요청",
        "body": "행당동 골목에 쓰레기가 매일 버려집니다. 단속 카메라를 설치해 주세요.",
        "intake_department": org.audit,
        "citizen_name": "홍길동",
        "citizen_phone": "010-1234-5678",
        "citizen_email": "hong@example.com",
        "notify_sms": True,
        "consents": [REQUIRED_CONSENT],
        "dong": "행당1동",
    }
    values.update(overrides)
    return values


@pytest.fixture
def make_case(org: Org) -> MakeCase:
    """Factory: `make_case(kind=..., notify_email=True, ...)` → a case submitted through `submit_case`."""

    def make(**overrides: Any) -> Case:
        return submit_case(**case_values(org, **overrides))

    return make


@pytest.fixture
def assigned_case(make_case: MakeCase, org: Org, intake_officer: User, handler: User) -> Case:
    case = make_case()
    return assign_case(case, actor=intake_officer, department=org.sanitation, officer=handler)


@pytest.fixture
def in_progress_case(assigned_case: Case, handler: User) -> Case:
    return start_processing(assigned_case, actor=handler)


@pytest.fixture
def answered_case(in_progress_case: Case, handler: User) -> Case:
    answer_case(in_progress_case, actor=handler, body="단속 카메라를 다음 달에 설치하겠습니다.")
    return Case.objects.get(pk=in_progress_case.pk)
