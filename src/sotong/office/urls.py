from django.urls import path

from sotong.office.views import access_log
from sotong.office.views import office as views

app_name = "office"
urlpatterns = [
    path("", views.home, name="home"),
    path("access-log/", access_log.access_log, name="access_log"),
    path("access-log/review/", access_log.review_month, name="access_log_review"),
]
