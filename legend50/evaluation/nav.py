from django.urls import reverse
from django.utils.translation import gettext as _

from legend50.core.actors import Role, actor_for

from . import access


def items(user):
    if not user.is_authenticated:
        return []
    actor = actor_for(user)
    # Only an active expert membership makes a profile usable (the scopes check the role too).
    if actor.reads_everything or (
        actor.has_role(Role.EXPERT) and access.expert_profile_for(user) is not None
    ):
        return [{"label": _("평가"), "url": reverse("evaluation:home")}]
    return []


def panels(request):
    user = request.user
    if not user.is_authenticated:
        return []
    profile = access.expert_profile_for(user)
    if profile is None:
        return []
    from .choices import ReviewStatus
    from .models import Assignment

    open_reviews = (
        Assignment.objects.filter(expert=profile, is_active=True)
        .exclude(review__status=ReviewStatus.SUBMITTED)
        .count()
    )
    return [
        {
            "title": _("제출할 평가표"),
            "value": open_reviews,
            "url": reverse("evaluation:home"),
            "note": _("배정된 과제 중 아직 제출하지 않은 평가표"),
        }
    ]
