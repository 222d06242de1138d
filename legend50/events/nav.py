from django.urls import reverse
from django.utils.translation import gettext as _

from legend50.core.actors import Role, actor_for


def items(user):
    return [{"label": _("지역혁신대전"), "url": reverse("events:list")}]


def panels(request):
    """Dashboard panel: nominations awaiting the user (ministry: to screen/review; provinces: theirs)."""
    from .choices import NominationStatus
    from .models import Event, Nomination

    actor = actor_for(request.user)
    if not (actor.is_ministry or actor.has_role(Role.PROVINCE_OFFICER, Role.INSTITUTION_STAFF)):
        return []
    event = Event.objects.visible_to(request.user).order_by("-starts_on").first()
    if event is None:
        return []
    open_ = Nomination.objects.visible_to(request.user).filter(
        event=event, status__in=[NominationStatus.SUBMITTED, NominationStatus.UNDER_REVIEW]
    )
    return [
        {
            "title": _("유공자 추천 (심사 중)"),
            "value": open_.count(),
            "url": reverse("events:nominations", kwargs={"slug": event.slug}),
            "note": event.name,
        }
    ]
