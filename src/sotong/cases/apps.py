from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "sotong.cases"
    label = "cases"
    verbose_name = _("민원·제안")
