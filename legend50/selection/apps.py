from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "legend50.selection"
    verbose_name = "선정"

    def ready(self):
        try:
            from legend50.activity.kinds import register_kind
        except ImportError:  # pragma: no cover - activity is optional for selection
            return
        register_kind("selection.decision_proposed", "선정 결정 결재 요청")
        register_kind("selection.objection_filed", "이의신청 접수")
