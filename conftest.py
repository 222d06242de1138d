"""Project-wide pytest fixtures."""

import pytest


@pytest.fixture
def world(db):
    """The facts and demo accounts: regions, organizations, program, call, and one user per role."""
    from legend50.core.testing import load_world

    load_world()


@pytest.fixture(autouse=True)
def _axes_reset(settings):
    # Login throttling is global state; keep tests independent.
    settings.AXES_ENABLED = True
    yield


@pytest.fixture(autouse=True)
def _fresh_version_keyed_caches():
    """Table versions go back when a test's transaction rolls back, so the per-process caches keyed by
    them (users, Actors, rendered pages) start empty in every test; in service versions only ever grow."""
    from django.core.cache import caches

    from legend50.accounts import backends
    from legend50.core import actors, context_processors, pagecache

    actors._actors_by_user.clear()
    backends._rows.clear()
    caches["pages"].clear()
    context_processors._kept_nav.clear()
    pagecache._front.clear()
