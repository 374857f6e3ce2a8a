"""The demo district and its logins."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sotong.accounts import demo
from sotong.accounts.models import Department, DepartmentLevel, Role, User


@pytest.fixture
def demo_loaded(db):
    demo.load()


def test_demo_has_the_seed_departments_with_codes_phones_and_teams(demo_loaded):
    names = set(Department.objects.values_list("name", flat=True))
    for name in [
        "감사담당관",
        "자치행정과",
        "교육지원과",
        "전산정보과",
        "홍보과",
        "기획예산과",
        "구민고충민원실",
        "뉴미디어담당관",
        "구정기획단",
        "청소행정과",
        "교통행정과",
        "건축과",
        "공원녹지과",
        "복지정책과",
    ]:
        assert name in names
    assert Department.objects.filter(level=DepartmentLevel.BUREAU).count() >= 5
    assert Department.objects.filter(level=DepartmentLevel.DIVISION).count() >= 20
    assert Department.objects.filter(level=DepartmentLevel.TEAM).count() >= 40
    assert not Department.objects.filter(level=DepartmentLevel.DIVISION, phone="").exists()


def test_one_login_per_role(demo_loaded):
    held = {login.role for login in demo.DEMO_LOGINS}
    assert held == set(Role.values)
    for login in demo.DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert user.has_role(login.role)
        assert user.department.name == login.department
    assert User.objects.get(username="coordinator").department.name == "구민고충민원실"
    assert User.objects.get(username="programme").department.name == "뉴미디어담당관"
    assert User.objects.get(username="sysadmin").department.name == "전산정보과"


def test_demo_coordinator_and_sysadmin_have_fixed_confirmed_totp_devices(demo_loaded):
    for username, key in demo.DEMO_TOTP_KEYS.items():
        device = TOTPDevice.objects.get(user__username=username)
        assert device.confirmed
        assert device.key == key


def test_demo_coordinator_logs_in_with_the_code_shown_in_demo_mode(client, demo_loaded, settings):
    settings.SOTONG_DEMO = True
    client.post(reverse("accounts:login"), {"username": "coordinator", "password": demo.DEMO_PASSWORD})
    html = client.get(reverse("accounts:otp")).content.decode()
    device = TOTPDevice.objects.get(user__username="coordinator")
    shown = [f"{totp(device.bin_key, drift=offset):06d}" for offset in (-1, 0, 1)]
    assert any(code in html for code in shown)  # a 30-second step may turn between render and check
    code = f"{totp(device.bin_key):06d}"
    assert client.post(reverse("accounts:otp"), {"token": code}).status_code == 302
    assert client.get(reverse("office:home")).status_code == 200


def test_load_demo_if_empty_does_not_duplicate(db, settings):
    settings.SOTONG_DEMO = True
    call_command("load_demo", "--if-empty", stdout=StringIO())
    departments = Department.objects.count()
    users = User.objects.count()
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "nothing loaded" in out.getvalue()
    assert Department.objects.count() == departments
    assert User.objects.count() == users


def test_demo_logins_command_prints_the_table(demo_loaded, settings):
    settings.SOTONG_DEMO = True
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for login in demo.DEMO_LOGINS:
        assert login.username in text
    assert demo.DEMO_PASSWORD in text
    assert "구민고충민원실" in text


def test_demo_logins_command_is_silent_about_passwords_in_production(demo_loaded, settings):
    settings.SOTONG_DEMO = False
    settings.DEBUG = False
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert demo.DEMO_PASSWORD not in out.getvalue()
