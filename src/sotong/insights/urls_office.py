"""Staff URLs of insights (namespace `insights_office`), mounted at /office/insights/.

The clusters and the alerts (surges, urgent safety map) keep their own lists in `urls_office_clusters`
and `urls_office_alerts`; they are joined here under the one namespace.
"""

from django.urls import path

from sotong.insights.urls_office_alerts import urlpatterns as alert_urls
from sotong.insights.urls_office_clusters import urlpatterns as cluster_urls
from sotong.insights.views import board, office

app_name = "insights_office"

urlpatterns = [
    path("suggestions/", office.intake_suggestions, name="suggestions"),
    path("board/", board.situation_board, name="board"),
    path("board/export.xlsx", board.board_export, name="board_export"),
    path("board/report.pdf", board.monthly_report, name="board_report"),
    *cluster_urls,
    *alert_urls,
]
