from django.urls import path

from sotong.campaigns.views import public

app_name = "campaigns_public"

urlpatterns = [
    path("u/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("p/<str:token>/", public.purpose_unsubscribe, name="purpose_unsubscribe"),
    path("hooks/sms-reports/", public.sms_reports, name="sms_reports"),
    path("hooks/email-bounces/", public.email_bounces, name="email_bounces"),
]
