from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "legend50.programs"
    verbose_name = "사업·공모"
