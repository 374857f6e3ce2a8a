"""Staff URLs of the clusters work, part of the `insights_office` namespace (see `urls_office`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from sotong.insights.views import clusters

urlpatterns: list[URLPattern] = [
    path("clusters/", clusters.cluster_list, name="clusters"),
    path("clusters/runs/new/", clusters.run_new, name="cluster_run_new"),
    path("clusters/<int:pk>/", clusters.cluster_detail, name="cluster"),
    path("clusters/<int:pk>/name/", clusters.cluster_name, name="cluster_name"),
    path("clusters/<int:pk>/pin/", clusters.cluster_pin, name="cluster_pin"),
    path("clusters/<int:pk>/merge/", clusters.cluster_merge, name="cluster_merge"),
    path("clusters/<int:pk>/split/", clusters.cluster_split, name="cluster_split"),
    path("clusters/<int:pk>/examples/", clusters.cluster_example, name="cluster_example"),
]
