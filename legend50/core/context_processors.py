from importlib import import_module
from importlib.util import find_spec

from django.conf import settings

from .actors import Role, actor_for


def _nav_items(user):
    items = []
    for module_name in settings.LEGEND50_NAV_MODULES:
        if find_spec(module_name) is None:
            continue
        items.extend(import_module(module_name).items(user))
    return items


def shell(request):
    """What the page shell needs: the actor, its role labels, the navigation, demo mode."""
    user = getattr(request, "user", None)
    actor = actor_for(user)
    return {
        "actor": actor,
        "role_labels": [Role(r).label for r in sorted(actor.roles)],
        "nav_items": _nav_items(user) if user is not None else [],
        "demo_mode": settings.DEMO_MODE,
    }
