from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "sotong.campaigns"
    label = "campaigns"
    verbose_name = _("뉴스레터·대량 발송")
