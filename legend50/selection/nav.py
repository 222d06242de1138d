from django.urls import reverse
from django.utils.translation import gettext as _

from legend50.core.actors import actor_for


def items(user):
    actor = actor_for(user)
    rows = []
    if actor.reads_everything:
        rows.append({"label": _("선정"), "url": reverse("selection:index")})
    rows.append({"label": _("선정 결과"), "url": reverse("selection:latest_results")})
    return rows


def panels(request):
    actor = actor_for(request.user)
    if not actor.is_ministry:
        return []
    from .models import Decision, DecisionStatus, Objection, ObjectionStatus

    pending = Decision.objects.filter(status=DecisionStatus.PROPOSED).count()
    open_objections = Objection.objects.filter(status=ObjectionStatus.FILED).count()
    return [
        {"title": _("결재 대기 선정 결정"), "value": pending, "url": reverse("selection:index")},
        {"title": _("답변 대기 이의신청"), "value": open_objections, "url": reverse("selection:index")},
    ]
