"""Staff URLs of insights (namespace `insights_office`), mounted at /office/insights/."""

from django.urls import path

from sotong.insights.views import board, office

app_name = "insights_office"

urlpatterns = [
    path("suggestions/", office.intake_suggestions, name="suggestions"),
    path("board/", board.situation_board, name="board"),
]
