from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "legend50.api"
    verbose_name = "API"
