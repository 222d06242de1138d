import pytest


@pytest.fixture
def expo(world):
    """The demo world plus the 2023 Expo from the source document."""
    from legend50.events.demo import load_facts

    return load_facts()
