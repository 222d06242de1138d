"""Schemathesis against /api/openapi.json, in process, as an authenticated user:
no server errors and no response that breaks the published schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(autouse=True)
def _in_process_requests(settings):
    """The WSGI app is called directly, not through Django's test client: keep the test's database
    connection (and its transaction) across requests, and fuzz without the rate limits."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    settings.LEGEND50_API_RATE_LIMITS = False
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world):
    from django.contrib.auth import get_user_model

    from legend50.api.models import ApiToken

    return ApiToken.issue(user=get_user_model().objects.get(username="ministry"), name="fuzz")[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, bearer):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {bearer}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
