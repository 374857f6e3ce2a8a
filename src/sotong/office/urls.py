from django.urls import path

from sotong.office.views import office as views

app_name = "office"
urlpatterns = [
    path("", views.home, name="home"),
]
