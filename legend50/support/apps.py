from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "legend50.support"
    verbose_name = "지원사업"
