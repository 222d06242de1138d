from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "legend50.registry"
    verbose_name = "기준정보"
