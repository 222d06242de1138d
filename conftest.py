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
