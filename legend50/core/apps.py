from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "legend50.core"
    verbose_name = "공통"
