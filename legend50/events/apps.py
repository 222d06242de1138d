from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "legend50.events"
    verbose_name = "지역혁신대전"
