"""Session endpoints behind the 20-second expiry warning: status reads, extend touches."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone


def stored_expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def age_session(client, seconds_left):
    """Pretend the user has been idle: the stored session now expires in `seconds_left` seconds."""
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(seconds=seconds_left)
    )


@pytest.fixture
def staff_client(verified_client, handler):
    return verified_client(handler)


def test_status_reports_seconds_left_without_extending(staff_client):
    # given a session idle until 100 seconds are left
    age_session(staff_client, 100)
    before = stored_expiry(staff_client)
    # when the page asks how long is left
    response = staff_client.get(reverse("accounts:session_status"))
    # then it hears about 100 seconds and the session is not pushed back
    body = response.json()
    assert response.status_code == 200
    assert body["authenticated"] is True
    assert 95 <= body["seconds_left"] <= 100
    assert body["warning_seconds"] == settings.SESSION_WARNING_SECONDS
    assert stored_expiry(staff_client) == before
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_extend_touches_the_session_and_answers_the_new_expiry(staff_client):
    age_session(staff_client, 30)
    response = staff_client.post(reverse("accounts:session_extend"))
    body = response.json()
    assert response.status_code == 200
    assert body["seconds_left"] == settings.SESSION_COOKIE_AGE
    new_expiry = stored_expiry(staff_client)
    assert new_expiry > timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 10)
    assert abs(dt.datetime.fromisoformat(body["expires_at"]) - new_expiry) < dt.timedelta(seconds=5)
    # and the status now reads the longer time
    assert staff_client.get(reverse("accounts:session_status")).json()["seconds_left"] > 30


def test_extend_is_post_only(staff_client):
    assert staff_client.get(reverse("accounts:session_extend")).status_code == 405


def test_extend_after_expiry_answers_401_in_korean(client, db):
    response = client.post(reverse("accounts:session_extend"), HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 401
    assert response.json()["authenticated"] is False
    assert "다시 로그인" in response.json()["error"]


def test_status_of_an_expired_session_says_so(client, db):
    body = client.get(reverse("accounts:session_status")).json()
    assert body == {"authenticated": False, "seconds_left": 0, "expires_at": None}


def test_ordinary_pages_still_extend_the_session(staff_client):
    age_session(staff_client, 100)
    staff_client.get(reverse("office:home"))
    assert stored_expiry(staff_client) > timezone.now() + dt.timedelta(
        seconds=settings.SESSION_COOKIE_AGE - 10
    )


def test_session_endpoints_do_not_require_the_second_factor_first(client, coordinator):
    client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("accounts:session_status")).status_code == 200
