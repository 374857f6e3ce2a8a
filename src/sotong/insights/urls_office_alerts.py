"""Staff URLs of the alerts work, part of the `insights_office` namespace (see `urls_office`)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
