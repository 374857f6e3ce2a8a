from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "sotong.messaging"
    label = "messaging"
    verbose_name = _("메시지 발송")
