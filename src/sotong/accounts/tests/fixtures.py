"""Fixtures of the accounts app, loaded by the root conftest.py for every app's tests.

A small district (`org`) and the fixed cast, one account per role:

    coordinator         총괄, 구민고충민원실 (needs TOTP)
    intake_officer      주관, 감사담당관
    handler             처리, 청소행정과 (its teams included)
    other_dept_handler  처리, 교통행정과
    sns_officer         소통담당, 홍보과
    programme_manager   사업 담당, 뉴미디어담당관
    sysadmin            시스템 관리자, 전산정보과 (needs TOTP; also is_staff and superuser for the admin)

`make_staff(...)` builds more, `pass_two_factor(client, user)` marks any Client's session as verified, and
`verified_client(user)` returns a test Client logged in as `user` with
two-factor already passed, so office pages open for any role:

    def test_handler_sees_own_cases(verified_client, handler):
        response = verified_client(handler).get(reverse("cases:office_list"))

`client.login(...)` does not work here: django-axes needs the request; use `verified_client` or
`client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sotong.accounts import actions
from sotong.accounts.models import Department, DepartmentLevel, Role, User

STAFF_PASSWORD = "correct-horse-battery-staple"  # noqa: S105


@dataclass
class Org:
    """The test district: bureaus, divisions and teams by attribute."""

    admin_bureau: Department  # 행정국
    safety_bureau: Department  # 도시안전국
    grievance: Department  # 구민고충민원실 (coordinator)
    audit: Department  # 감사담당관 (intake)
    it: Department  # 전산정보과 (sysadmin)
    pr: Department  # 홍보과 (SNS officer)
    new_media: Department  # 뉴미디어담당관 (programme manager)
    sanitation: Department  # 청소행정과 (handler)
    sanitation_team: Department  # 청소행정과 > 청소행정팀
    transport: Department  # 교통행정과 (other department's handler)
    transport_team: Department  # 교통행정과 > 주차관리팀


@pytest.fixture
def org(db: Any) -> Org:
    def dept(code: str, name: str, level: str, parent: Department | None = None) -> Department:
        return actions.create_department(None, code=code, name=name, level=level, parent=parent)

    admin_bureau = dept("B2", "행정국", DepartmentLevel.BUREAU)
    safety_bureau = dept("B4", "도시안전국", DepartmentLevel.BUREAU)
    planning = dept("B1", "기획조정실", DepartmentLevel.BUREAU)
    environment = dept("B5", "환경국", DepartmentLevel.BUREAU)
    sanitation = dept("D151", "청소행정과", DepartmentLevel.DIVISION, environment)
    transport = dept("D141", "교통행정과", DepartmentLevel.DIVISION, safety_bureau)
    return Org(
        admin_bureau=admin_bureau,
        safety_bureau=safety_bureau,
        grievance=dept("D102", "구민고충민원실", DepartmentLevel.DIVISION),
        audit=dept("D101", "감사담당관", DepartmentLevel.DIVISION),
        it=dept("D112", "전산정보과", DepartmentLevel.DIVISION, planning),
        pr=dept("D113", "홍보과", DepartmentLevel.DIVISION, planning),
        new_media=dept("D103", "뉴미디어담당관", DepartmentLevel.DIVISION),
        sanitation=sanitation,
        sanitation_team=dept("D151-T1", "청소행정팀", DepartmentLevel.TEAM, sanitation),
        transport=transport,
        transport_team=dept("D141-T2", "주차관리팀", DepartmentLevel.TEAM, transport),
    )


@pytest.fixture
def department_tree(org: Org) -> Org:
    """The same test district under a descriptive name."""
    return org


MakeStaff = Callable[..., User]


@pytest.fixture
def make_staff(db: Any) -> MakeStaff:
    """Factory: `make_staff("kim", department, Role.HANDLER, ...)` → an active user with those roles there."""
    counter = {"n": 0}

    def make(
        username: str | None = None,
        department: Department | None = None,
        *roles: str,
        name: str | None = None,
        password: str = STAFF_PASSWORD,
        **extra: Any,
    ) -> User:
        counter["n"] += 1
        username = username or f"staff{counter['n']}"
        user = actions.create_staff_user(
            None,
            username=username,
            name=name or username,
            department=department,
            password=password,
            **extra,
        )
        for role in roles:
            actions.grant_role(None, user, department, role, "테스트")  # type: ignore[arg-type]
        return user

    return make


@pytest.fixture
def coordinator(org: Org, make_staff: MakeStaff) -> User:
    return make_staff("coordinator", org.grievance, Role.COORDINATOR, name="김총괄")


@pytest.fixture
def intake_officer(org: Org, make_staff: MakeStaff) -> User:
    return make_staff("intake", org.audit, Role.INTAKE, name="이주관")


@pytest.fixture
def handler(org: Org, make_staff: MakeStaff) -> User:
    return make_staff("handler", org.sanitation, Role.HANDLER, name="박처리")


@pytest.fixture
def other_dept_handler(org: Org, make_staff: MakeStaff) -> User:
    return make_staff("handler2", org.transport, Role.HANDLER, name="최협조")


@pytest.fixture
def sns_officer(org: Org, make_staff: MakeStaff) -> User:
    return make_staff("sns", org.pr, Role.SNS_OFFICER, name="정소통")


@pytest.fixture
def programme_manager(org: Org, make_staff: MakeStaff) -> User:
    return make_staff("programme", org.new_media, Role.PROGRAMME_MANAGER, name="한사업")


@pytest.fixture
def sysadmin(org: Org, make_staff: MakeStaff) -> User:
    return make_staff("sysadmin", org.it, Role.SYSADMIN, name="윤관리", is_staff=True, is_superuser=True)


def pass_two_factor(client: Client, user: User) -> TOTPDevice:
    """Mark `client`'s session as having passed TOTP with the user's (possibly new) confirmed device."""
    device = actions.confirmed_totp_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=actions.TOTP_DEVICE_NAME, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def verified_client(db: Any) -> Callable[[User], Client]:
    """`verified_client(user)`: a new Client logged in as `user`, two-factor already passed."""

    def login(user: User) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        pass_two_factor(client, user)
        return client

    return login
