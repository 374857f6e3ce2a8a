"""The JSON API at /api/v1/ (OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs).

Staff authenticate with the session cookie (django_auth), which checks the CSRF token on unsafe methods.

A thin layer: each app adds a django-ninja router in its `api.py` that calls the same actions as the
pages. Refused input and illegal transitions (DomainError) answer 4xx with a JSON body
`{"error": code, "message": Korean text, "field": name or null}`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

from sotong.core.api import router as core_router
from sotong.core.errors import DomainError


class KoreanJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Korean as text, not \\uXXXX escapes."""

    json_dumps_params = {"ensure_ascii": False}  # noqa: RUF012


api = NinjaAPI(
    renderer=KoreanJSONRenderer(),
    title="sotong API",
    version="1",
    description="소통: 민원·제안, 참여, 메시지 (session auth for staff)",
    urls_namespace="api",
    auth=django_auth,
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or "권한이 없습니다."
    return api.create_response(request, {"error": "forbidden", "message": message, "field": None}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"error": "not_found", "message": "찾을 수 없습니다.", "field": None}, status=404
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"error": "unauthenticated", "message": "로그인이 필요합니다.", "field": None}, status=401
    )


api.add_router("/", core_router)
api.add_router("/cases/", "sotong.cases.api.router")
api.add_router("/insights/", "sotong.insights.api.router")
api.add_router("/communities/", "sotong.communities.api.router")
api.add_router("/campaigns/", "sotong.campaigns.api.router")
