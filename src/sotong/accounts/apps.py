from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sotong.accounts"
    label = "accounts"
    verbose_name = _("조직과 직원")
