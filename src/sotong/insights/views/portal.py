"""Citizen side: 유사민원 under the submission form, fetched by htmx as the citizen types."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sotong.insights.errors import InsightsError
from sotong.insights.suggestions import Insight, for_citizen


@require_GET
def similar_cases(request: HttpRequest) -> HttpResponse:
    """The list of similar public cases for the title and body typed so far (an HTML fragment)."""
    error = ""
    try:
        insight = for_citizen(request.GET.get("title", ""), request.GET.get("body", ""))
    except InsightsError as exc:
        insight, error = Insight(), exc.message
    response = render(request, "insights/portal/_similar_list.html", {"insight": insight, "error": error})
    response["Cache-Control"] = "no-store"
    return response
