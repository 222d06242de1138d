from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.utils.translation import get_language

from . import pagecache
from .actors import Role, actor_for

# Read afresh on every page (the inbox count); every other module's items are kept per process, per
# user and language, while the tables they read are unchanged (the same versions as the page cache).
FRESH_NAV_MODULES = frozenset({"legend50.activity.nav"})
_kept_nav: dict[tuple, tuple[dict, list]] = {}


def _nav_modules():
    return [name for name in settings.LEGEND50_NAV_MODULES if find_spec(name) is not None]


def _kept_items(user) -> list:
    """[(module name, its items or None when read afresh)], reused while what it read is unchanged."""
    key = (getattr(user, "pk", None), get_language())
    versions = pagecache.request_versions()
    kept = _kept_nav.get(key)
    if kept is not None and pagecache.unchanged(kept[0], versions):
        return kept[1]
    with pagecache.capturing_statements() as statements:
        entries = [
            (name, None if name in FRESH_NAV_MODULES else import_module(name).items(user))
            for name in _nav_modules()
        ]
    tables = pagecache.tables_read(statements)
    if tables is not None:
        _kept_nav[key] = ({t: versions.get(t, 0) for t in tables.union(pagecache.ALWAYS)}, entries)
    return entries


def _nav_items(user):
    items = []
    for name, kept in _kept_items(user):
        items.extend(import_module(name).items(user) if kept is None else kept)
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
