from django.db.models import Prefetch

from legend50.core.actors import actor_for
from legend50.programs.models import Call

from .models import Decision, DecisionItem, DecisionStatus, Objection, Outcome


def decision_list(user, call=None):
    qs = Decision.objects.visible_to(user).select_related("call", "proposed_by", "approved_by")
    return qs.filter(call=call) if call is not None else qs


def approved_decision(call):
    """The call's approved decision (public facts once approved), or None."""
    return Decision.objects.filter(call=call, status=DecisionStatus.APPROVED).first()


def public_results(user, call):
    decision = approved_decision(call)
    if decision is None:
        return None, DecisionItem.objects.none()
    items = (
        DecisionItem.objects.visible_to(user)
        .filter(decision=decision, outcome=Outcome.SELECTED)
        .select_related("proposal__lead_region")
        .order_by("proposal__lead_region__code", "proposal__title")
    )
    return decision, items


def own_results(user, call):
    """Items of the approved decision the user may see beyond the public list: a province's own
    proposals (any outcome), or everything for the ministry."""
    decision = approved_decision(call)
    if decision is None:
        return None, DecisionItem.objects.none()
    items = (
        DecisionItem.objects.visible_to(user)
        .filter(decision=decision)
        .select_related("proposal__lead_region")
        .prefetch_related(Prefetch("objections", queryset=Objection.objects.order_by("-filed_at")))
        .order_by("proposal__lead_region__code", "rank")
    )
    actor = actor_for(user)
    if not actor.reads_everything:
        # Scores and reasons of other provinces' proposals stay private even when selected.
        items = items.filter(proposal__lead_region__code__in=actor.region_codes)
    return decision, items


def calls_with_results(user):
    calls = Call.objects.visible_to(user).order_by("-start_year")
    approved = set(Decision.objects.filter(status=DecisionStatus.APPROVED).values_list("call_id", flat=True))
    return [c for c in calls if c.pk in approved]


def objection_list(user):
    return Objection.objects.visible_to(user).select_related(
        "item__proposal__lead_region", "item__decision__call"
    )
