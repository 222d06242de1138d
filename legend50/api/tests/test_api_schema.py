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
