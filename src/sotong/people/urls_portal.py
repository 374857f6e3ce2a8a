"""Citizen pages of the people registry (namespace `people`), mounted at /people/: 전자소통 가입 and self-service."""

from django.urls import path  # noqa: F401

app_name = "people"
urlpatterns: list = []
