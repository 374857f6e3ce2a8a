"""The API shell: OpenAPI, session auth with two-factor, JSON errors."""

import pytest
from django.urls import reverse

from sotong.core import demo as core_demo

pytestmark = pytest.mark.django_db


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/me" in spec["paths"]


def test_me_needs_a_login_and_answers_401_json(client):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_me_lists_the_handlers_roles(verified_client, handler):
    response = verified_client(handler).get("/api/v1/me")

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == handler.username
    assert {r["role"] for r in body["roles"]} == {"handler"}


def test_coordinator_without_two_factor_gets_403_json(client, coordinator):
    client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get("/api/v1/me")

    assert response.status_code == 403
    assert response.json()["error"] == "two_factor_required"


def test_code_tables_are_public(client):
    core_demo.load()

    response = client.get("/api/v1/codes/channel")

    assert response.status_code == 200
    assert {"code": "mayor_dialogue", "name": "구청장과의 대화"}.items() <= response.json()[4].items()


def test_unknown_code_table_is_a_404_json(client):
    response = client.get("/api/v1/codes/nope")

    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "찾을 수 없습니다.", "field": None}


def test_domain_errors_become_4xx_json(rf):
    from sotong.api import api
    from sotong.core.errors import DomainError, IllegalTransition

    request = rf.get("/api/v1/x")
    refused = api.on_exception(
        request, DomainError("사유를 입력하세요.", code="reason_required", field="reason")
    )
    illegal = api.on_exception(request, IllegalTransition("이미 종결된 민원입니다."))

    assert refused.status_code == 422
    assert illegal.status_code == 409
    assert b"reason_required" in refused.content
    assert "이미 종결된 민원입니다." in illegal.content.decode()


def test_login_url_still_redirects_pages_not_json(client, coordinator):
    client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")

    assert client.get(reverse("office:home")).status_code == 302
