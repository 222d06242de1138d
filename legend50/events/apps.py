from django.apps import AppConfig


def _reviewer_scope(actor, action):
    """Reviewers named for an event's merit review see (and score) its nominations under review."""
    from django.db.models import Q

    from .choices import NominationStatus

    if not actor.is_authenticated or action not in ("view", "review"):
        return None
    return Q(event__award_reviewers__id=actor.user_id, status=NominationStatus.UNDER_REVIEW)


class EventsConfig(AppConfig):
    name = "legend50.events"
    verbose_name = "지역혁신대전"

    def ready(self):
        from legend50.core.scoping import register_scope_extension

        register_scope_extension("events.Nomination", _reviewer_scope)
