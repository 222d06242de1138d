import pytest


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    # Microdata files go to a per-test directory, never to the developer's var/.
    settings.VAR_DIR = tmp_path


@pytest.fixture
def facts(world):
    from legend50.monitoring.demo import load_facts

    load_facts()
