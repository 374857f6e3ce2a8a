from django.urls import path

from sotong.campaigns.views import office, office_campaign

app_name = "campaigns_office"

urlpatterns = [
    path("", office.index, name="index"),
    path("newsletters/new/", office.newsletter_new, name="newsletter_new"),
    path("newsletters/<int:pk>/", office.newsletter_detail, name="newsletter"),
    path("newsletters/<int:pk>/templates/new/", office.template_edit, name="template_new"),
    path("templates/<int:pk>/", office.template_edit, name="template"),
    path("templates/<int:pk>/preview/", office.template_preview, name="template_preview"),
    path("new/", office_campaign.campaign_new, name="campaign_new"),
    path("urgent/", office_campaign.urgent, name="urgent"),
    path("<int:pk>/", office_campaign.campaign_detail, name="campaign"),
    path("<int:pk>/action/", office_campaign.campaign_action, name="campaign_action"),
    path("<int:pk>/export.<str:fmt>", office_campaign.campaign_export, name="campaign_export"),
]
