"""Every operation of the published schema declares the shared error bodies (so clients and
schemathesis know them) and every app's main resources are there."""

import pytest

pytestmark = pytest.mark.django_db

RESOURCES = [
    "/api/regions",
    "/api/organizations",
    "/api/firms",
    "/api/firms/{firm_id}/financials",
    "/api/calls",
    "/api/proposals",
    "/api/evaluation/assignments",
    "/api/evaluation/reviews",
    "/api/evaluation/proposals/{proposal_id}/review",
    "/api/decisions",
    "/api/results",
    "/api/projects",
    "/api/allocations",
    "/api/disbursements",
    "/api/instruments",
    "/api/awards",
    "/api/indicators",
    "/api/observations",
    "/api/events",
    "/api/events/{slug}/sessions",
    "/api/events/{slug}/recipients",
    "/api/events/{slug}/exhibitors",
    "/api/agreements",
]


def test_every_resource_is_published_with_the_error_shape(client):
    schema = client.get("/api/openapi.json").json()
    missing = [path for path in RESOURCES if path not in schema["paths"]]
    assert not missing, missing
    undeclared = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not {"400", "401", "403", "404", "409", "422", "429"} <= set(operation["responses"])
    ]
    assert not undeclared, "use legend50.api.schemas.responses(...) on: " + ", ".join(undeclared)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"


HUGE = 409825664075779932160  # beyond any database integer


def test_huge_integers_are_refused_or_not_found_never_a_crash(world, client):
    """Every integer parameter of every GET (path or query) with a value no database integer holds:
    a 404 or a 422, never a 500 (SQLite raises OverflowError on such values)."""
    from .matrix import bearer

    headers = bearer("ministry")
    schema = client.get("/api/openapi.json").json()
    crashes = []
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        params = operation.get("parameters", [])
        url = path
        for p in params:
            if p["in"] == "path":
                value = HUGE if p["schema"].get("type") == "integer" else "2023"
                url = url.replace("{" + p["name"] + "}", str(value))
        queries = [
            p["name"]
            for p in params
            if p["in"] == "query"
            and "integer" in {p["schema"].get("type")} | {s.get("type") for s in p["schema"].get("anyOf", [])}
        ]
        for query in [None, *queries]:
            target = url + (f"?{query}={HUGE}" if query else "")
            if query is None and target == path:
                continue
            response = client.get(target, headers=headers)
            if response.status_code not in (200, 404, 422):
                crashes.append(f"{target}: {response.status_code}")
    assert not crashes, crashes
