"""The citizen's session on the portal: the expiry warning appears only when there is something to lose;
연장 keeps it, 끝내기 and expiry discard the draft (and its waiting files) and the looked-up cases."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sotong.cases.tests.test_portal_submit import PNG, draft, fill_content, media_files
from sotong.cases.views.portal import LOOKED_UP

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(org: Any) -> Client:
    return Client()


def test_no_warning_while_nothing_would_be_lost(portal):
    html = portal.get(reverse("cases:portal_submit")).content.decode()
    assert 'id="session-warning"' not in html
    assert "sotong/js/session.js" not in html


def test_the_warning_comes_with_a_draft(portal, settings):
    fill_content(portal)
    html = portal.get(reverse("cases:portal_submit_contact")).content.decode()
    assert 'id="session-warning"' in html
    assert f'data-session-seconds="{settings.SESSION_COOKIE_AGE}"' in html
    assert f'data-extend-url="{reverse("cases:portal_session_extend")}"' in html
    assert f'data-expired-url="{reverse("cases:portal_session_expired")}"' in html
    assert "이용 시간이 곧 끝납니다" in html


def test_extend_without_a_draft_is_refused_with_a_korean_message(portal):
    response = portal.post(reverse("cases:portal_session_extend"))
    assert response.status_code == 410
    assert "처음부터 다시" in response.json()["error"]


def test_extend_keeps_the_draft_for_another_session_age(portal, settings):
    fill_content(portal)
    response = portal.post(reverse("cases:portal_session_extend"))
    assert response.status_code == 200
    assert response.json()["seconds_left"] == settings.SESSION_COOKIE_AGE
    assert draft(portal)["content"]["title"].startswith("행당동")


def test_extend_is_post_only(portal):
    fill_content(portal)
    assert portal.get(reverse("cases:portal_session_extend")).status_code == 405


def test_end_discards_the_draft_its_files_and_the_looked_up_cases(portal, settings):
    fill_content(portal, attachments=[SimpleUploadedFile("a.png", PNG, content_type="image/png")])
    session = portal.session
    session[LOOKED_UP] = ["2611-000001-3"]
    session.save()
    assert media_files(settings)

    response = portal.post(reverse("cases:portal_session_end"))

    assert response.status_code == 302
    assert draft(portal) == {}
    assert LOOKED_UP not in portal.session
    assert media_files(settings) == []
    assert "지웠습니다" in [str(m) for m in get_messages(response.wsgi_request)][0]


def test_after_expiry_the_citizen_is_told_what_was_discarded(portal, settings):
    fill_content(portal, attachments=[SimpleUploadedFile("a.png", PNG, content_type="image/png")])
    response = portal.get(reverse("cases:portal_session_expired"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert "이용 시간이 지나" in response.content.decode()
    assert draft(portal) == {}
    assert media_files(settings) == []
