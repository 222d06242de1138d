from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "legend50.funding"
    verbose_name = "예산·집행"
