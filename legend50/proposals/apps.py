from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "legend50.proposals"
    verbose_name = "제안"
