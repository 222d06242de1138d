from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "legend50.activity"
    verbose_name = "활동·알림"
