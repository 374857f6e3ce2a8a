from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "sotong.communities"
    label = "communities"
    verbose_name = _("단체·위원회")
