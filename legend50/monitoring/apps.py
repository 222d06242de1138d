from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "legend50.monitoring"
    verbose_name = "성과·지표"
