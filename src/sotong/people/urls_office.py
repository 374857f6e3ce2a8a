"""Staff pages of the people registry (namespace `people_office`), mounted at /office/people/."""

from django.urls import path  # noqa: F401

app_name = "people_office"
urlpatterns: list = []
