from django.apps import AppConfig


class FirmsConfig(AppConfig):
    name = "legend50.firms"
    verbose_name = "기업"
