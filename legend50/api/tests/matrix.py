"""The permission matrix over the API: one Bearer token per role of `legend50.core.testing.ROLE_USERS`
(anonymous sends no header), every mismatch reported at once."""

from __future__ import annotations

import pytest
from django.test import Client

from legend50.core.testing import ROLE_USERS, Access

__all__ = ["Access", "api_matrix", "bearer", "fresh_throttles", "ids"]


@pytest.fixture(autouse=True)
def fresh_throttles():
    """The API rate limits count in the cache, and user ids repeat from test to test: start each test
    with empty counters so a long run is not throttled (import this fixture into the test module)."""
    from django.core.cache import cache

    cache.clear()
    yield


def bearer(role: str) -> dict:
    """Authorization headers for a role key (or a username); {} for anonymous."""
    from django.contrib.auth import get_user_model

    from legend50.api.models import ApiToken

    username = ROLE_USERS.get(role, role)
    if not username:
        return {}
    user = get_user_model().objects.get(username=username)
    raw = ApiToken.issue(user=user, name=f"matrix-{role}")[1]
    return {"Authorization": f"Bearer {raw}"}


def api_matrix(client: Client, accesses: list[Access]) -> None:
    headers = {}
    mismatches = []
    for access in accesses:
        for role, expected in access.expect.items():
            if role not in headers:
                headers[role] = bearer(role)
            send = getattr(client, access.method)
            kwargs = {"content_type": "application/json"} if access.method != "get" else {}
            response = send(
                access.url, access.data or {}, headers={**access.headers, **headers[role]}, **kwargs
            )
            allowed = expected if isinstance(expected, tuple) else (expected,)
            if response.status_code not in allowed:
                mismatches.append(
                    f"{access.method.upper()} {access.label or access.url} as {role}: "
                    f"got {response.status_code}, expected {expected}"
                )
    assert not mismatches, "API permission matrix mismatches:\n" + "\n".join(mismatches)


def ids(client: Client, url: str, role: str, key: str = "id") -> list:
    """The `key` of every item of a (paginated or plain) list endpoint as `role` sees it."""
    response = client.get(url, headers=bearer(role))
    assert response.status_code == 200, (url, role, response.status_code, response.content[:300])
    body = response.json()
    items = body["items"] if isinstance(body, dict) and "items" in body else body
    return [item[key] for item in items]
