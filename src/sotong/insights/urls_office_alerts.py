"""Staff URLs of the alerts work, part of the `insights_office` namespace (see `urls_office`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from sotong.insights.views import alerts

urlpatterns: list[URLPattern] = [
    path("surges/", alerts.surges, name="surges"),
    path("safety/", alerts.safety_map, name="safety"),
    path("safety/<int:pk>/decide/", alerts.safety_decide, name="safety_decide"),
    path("safety/terms/", alerts.safety_terms, name="safety_terms"),
    path("safety/terms/<int:pk>/", alerts.safety_term_change, name="safety_term_change"),
]
