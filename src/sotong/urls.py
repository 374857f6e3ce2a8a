from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from sotong.api import api
from sotong.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("accounts/", include("sotong.accounts.urls")),
    path("office/cases/", include("sotong.cases.urls_office")),
    path("office/insights/", include("sotong.insights.urls_office")),
    path("office/people/", include("sotong.people.urls_office")),
    path("office/communities/", include("sotong.communities.urls_office")),
    path("office/campaigns/", include("sotong.campaigns.urls_office")),
    path("office/", include("sotong.office.urls")),
    path("admin/", admin.site.urls),
    path("cases/", include("sotong.cases.urls")),
    path("insights/", include("sotong.insights.urls")),
    path("people/", include("sotong.people.urls_portal")),
    path("campaigns/", include("sotong.campaigns.urls_public")),
    path("", include("sotong.portal.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
