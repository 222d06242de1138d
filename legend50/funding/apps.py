from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "legend50.funding"
    verbose_name = "예산·집행"

    def ready(self):
        try:
            from legend50.activity.kinds import register_kind
        except ImportError:  # pragma: no cover - activity is optional for funding
            return
        register_kind("funding.plan_change_requested", "계획 변경 요청")
        register_kind("funding.plan_change_decided", "계획 변경 결정")
        register_kind("funding.annual_review", "연차평가 결과")
