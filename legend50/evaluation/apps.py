from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "legend50.evaluation"
    verbose_name = "평가"
