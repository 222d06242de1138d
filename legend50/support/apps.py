from django.apps import AppConfig
from django.db.models import Q


def _operators_see_their_firms(actor, action):
    """Operators see the firms they support: participating firms of selected projects (their
    instruments are concentrated on them) and firms their instruments have supported."""
    from legend50.core.actors import Role

    if action != "view" or not actor.has_role(Role.OPERATOR):
        return None
    return Q(participations__status="admitted") | Q(
        support_awards__instrument__operator_id__in=actor.organization_ids
    )


class SupportConfig(AppConfig):
    name = "legend50.support"
    verbose_name = "지원사업"

    def ready(self):
        from legend50.core.scoping import register_scope_extension

        register_scope_extension("firms.Firm", _operators_see_their_firms)
        try:
            from django.utils.translation import gettext_lazy as _

            from legend50.activity.kinds import register_kind
        except ImportError:
            return
        register_kind("participation.applied", _("프로젝트 참여 신청"))
        register_kind("participation.decided", _("프로젝트 참여 심사 결과"))
        register_kind("support.duplicate_flagged", _("중복지원 점검 대상"))
