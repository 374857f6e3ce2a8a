"""TOTP two-factor for coordinators and system administrators (django-otp)."""

import re
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sotong.accounts import actions
from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from sotong.core.models import Event


def code_for(device, offset=0):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):06d}"


def login(client, username):
    return client.post(reverse("accounts:login"), {"username": username, "password": STAFF_PASSWORD})


@pytest.mark.parametrize("member", ["coordinator", "sysadmin"])
def test_password_login_sends_two_factor_roles_to_the_otp_page(request, client, member):
    request.getfixturevalue(member)
    response = login(client, member)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp"))
    assert "next=%2Foffice%2F" in response["Location"]


def test_office_pages_redirect_to_otp_until_verified(client, coordinator):
    login(client, "coordinator")
    for url in (reverse("office:home"), reverse("accounts:staff_list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:otp")), url


def test_handler_needs_no_second_factor(client, handler):
    response = login(client, "handler")
    assert response["Location"] == reverse("office:home")
    assert client.get(reverse("office:home")).status_code == 200
    # and the OTP page sends them on
    assert client.get(reverse("accounts:otp")).status_code == 302


def test_first_login_enrols_a_totp_device_with_qr_code_and_secret(client, coordinator):
    # given a coordinator without a device
    login(client, "coordinator")
    # when they open the OTP page
    response = client.get(reverse("accounts:otp"))
    html = response.content.decode()
    # then an inline SVG QR code and the base32 secret of a new, unconfirmed device are shown
    device = TOTPDevice.objects.get(user=coordinator)
    assert not device.confirmed
    assert "<svg" in html
    assert "OTP 앱 등록용 QR 코드" in html
    secret = re.search(r'class="otp-secret"[^>]*>([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert b32decode(secret) == device.bin_key
    # when they confirm with the code their app shows
    response = client.post(reverse("accounts:otp"), {"token": code_for(device), "next": "/office/"})
    # then the device is confirmed, the session verified and the office opens
    assert response.status_code == 302
    assert response["Location"] == "/office/"
    device.refresh_from_db()
    assert device.confirmed
    assert Event.objects.filter(verb="otp.enrolled", actor=coordinator).exists()
    assert client.get(reverse("office:home")).status_code == 200


def test_reloading_the_enrolment_page_keeps_the_same_secret(client, coordinator):
    login(client, "coordinator")
    client.get(reverse("accounts:otp"))
    client.get(reverse("accounts:otp"))
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_confirmed_device_is_verified_with_the_current_code(client, sysadmin):
    # given a sysadmin with a confirmed device
    device = TOTPDevice.objects.create(user=sysadmin, name="sotong", confirmed=True)
    login(client, "sysadmin")
    html = client.get(reverse("accounts:otp")).content.decode()
    assert "<svg" not in html  # no enrolment once confirmed
    # when they enter the code computed from the device key
    response = client.post(reverse("accounts:otp"), {"token": code_for(device)})
    # then they reach the office and the admin
    assert response.status_code == 302
    assert client.get(reverse("office:home")).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_wrong_code_is_refused_in_korean(client, coordinator):
    device = TOTPDevice.objects.create(user=coordinator, name="sotong", confirmed=True)
    login(client, "coordinator")
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:otp"), {"token": wrong})
    assert response.status_code == 200
    assert "인증번호가 올바르지 않습니다." in response.content.decode()
    assert client.get(reverse("office:home")).status_code == 302


def test_a_code_cannot_be_used_twice(client, coordinator):
    device = TOTPDevice.objects.create(user=coordinator, name="sotong", confirmed=True)
    code = code_for(device)
    login(client, "coordinator")
    assert client.post(reverse("accounts:otp"), {"token": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    login(client, "coordinator")
    response = client.post(reverse("accounts:otp"), {"token": code})
    assert response.status_code == 200


def test_demo_mode_shows_the_current_code(client, coordinator, settings):
    settings.SOTONG_DEMO = True
    device = TOTPDevice.objects.create(user=coordinator, name="sotong", confirmed=True)
    login(client, "coordinator")
    html = client.get(reverse("accounts:otp")).content.decode()
    assert "데모 모드" in html
    assert code_for(device) in html or code_for(device, -1) in html or code_for(device, 1) in html


def test_production_never_shows_the_code(client, coordinator, settings):
    settings.SOTONG_DEMO = False
    TOTPDevice.objects.create(user=coordinator, name="sotong", confirmed=True)
    login(client, "coordinator")
    assert "데모 모드" not in client.get(reverse("accounts:otp")).content.decode()


def test_admin_login_goes_through_the_staff_login(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_rapid_wrong_codes_are_throttled(client, coordinator, settings):
    # the first failure blocks the next minute, however slow the machine
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = TOTPDevice.objects.create(user=coordinator, name="sotong", confirmed=True)
    login(client, "coordinator")
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    client.post(reverse("accounts:otp"), {"token": wrong})
    # the right code straight after a failure waits for the throttle delay
    response = client.post(reverse("accounts:otp"), {"token": code_for(device)})
    assert response.status_code == 200
    assert "인증 시도가 너무 많습니다" in response.content.decode()
    assert client.get(reverse("office:home")).status_code == 302


def test_sysadmin_resets_a_lost_device_and_the_user_enrols_again(client, sysadmin, coordinator):
    TOTPDevice.objects.create(user=coordinator, name="sotong", confirmed=True)
    actions.reset_two_factor(sysadmin, coordinator, "휴대전화 분실")
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert Event.objects.filter(verb="otp.reset", actor=sysadmin).exists()
    login(client, "coordinator")
    assert "<svg" in client.get(reverse("accounts:otp")).content.decode()


def test_coordinator_cannot_reset_devices(coordinator, sysadmin):
    TOTPDevice.objects.create(user=sysadmin, name="sotong", confirmed=True)
    with pytest.raises(actions.NotAllowed):
        actions.reset_two_factor(coordinator, sysadmin, "장난")
    assert TOTPDevice.objects.filter(user=sysadmin).exists()
