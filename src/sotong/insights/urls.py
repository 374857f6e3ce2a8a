"""Citizen URLs of insights (namespace `insights`), mounted at /insights/."""

from django.urls import path

from sotong.insights.views import portal

app_name = "insights"

urlpatterns = [path("similar/", portal.similar_cases, name="similar")]
