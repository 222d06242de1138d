import pytest

from legend50.core import pagecache


@pytest.fixture(autouse=True)
def _one_page_cache_bucket(monkeypatch):
    """Requests a moment apart must find each other's stored page even when the real clock crosses a
    bucket boundary between them; the tests about the clock move it themselves."""
    monkeypatch.setattr(pagecache, "bucket_clock", lambda: 1_800_000_000.0)
