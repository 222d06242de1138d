from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "legend50.selection"
    verbose_name = "선정"
