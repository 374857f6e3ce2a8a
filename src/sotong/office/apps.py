from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "sotong.office"
    label = "office"
