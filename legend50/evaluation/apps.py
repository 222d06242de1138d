from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "legend50.evaluation"
    verbose_name = "평가"

    def ready(self):
        from legend50.core.scoping import register_scope_extension

        from .access import expert_proposal_scope

        register_scope_extension("proposals.Proposal", expert_proposal_scope)
