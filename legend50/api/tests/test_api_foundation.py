import pytest
from django.core.management import call_command

from legend50.api.models import ApiToken
from legend50.core.testing import login_as

pytestmark = pytest.mark.django_db


def _token(username):
    from django.contrib.auth import get_user_model

    return ApiToken.issue(user=get_user_model().objects.get(username=username), name="t")[1]


def test_openapi_and_docs(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Legend50 API"
    assert "/api/regions" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_regions_are_public(world, client):
    body = client.get("/api/regions").json()
    assert len(body) == 17 and {"code": "52", "name": "전북특별자치도"}.items() <= body[-1].items()


def test_bad_token_is_401_with_the_error_shape(world, client):
    response = client.get("/api/regions", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert client.get("/api/regions", headers={"Authorization": "Basic x"}).status_code == 401


def test_revoked_token_stops_working(world, client):
    raw = _token("province-27")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/calls", headers=headers).status_code == 200
    ApiToken.objects.get().revoke()
    assert client.get("/api/calls", headers=headers).status_code == 401


def test_not_found_and_validation_shapes(world, client):
    response = client.get("/api/organizations/999999")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = client.get("/api/organizations?limit=0")
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
    assert "limit" in response.json()["errors"]


def test_pagination_and_filters(world, client):
    body = client.get("/api/organizations?kind=local_government&limit=5").json()
    assert body["count"] == 17 and len(body["items"]) == 5
    body = client.get("/api/organizations?region=27&kind=local_government").json()
    assert [o["name"] for o in body["items"]] == ["대구광역시"]


def test_token_cli_and_ui(world, client, capsys):
    call_command("token", "create", "province-27", "--name", "cli")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("l50_") and ApiToken.objects.filter(user__username="province-27").count() == 1
    login_as(client, "province_own")
    response = client.post("/accounts/tokens/new/", {"name": "UI 토큰"}, follow=True)
    assert "한 번만 표시됩니다" in response.content.decode()
    token = ApiToken.objects.get(name="UI 토큰")
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    # Someone else's token cannot be revoked.
    other = ApiToken.objects.get(name="cli")
    login_as(client, "province_other")
    assert client.post(f"/accounts/tokens/{other.pk}/revoke/").status_code == 404


def test_huge_offsets_are_refused_not_crashing(world, client):
    response = client.get("/api/organizations?offset=2325123442406424051712")
    assert response.status_code == 422 and "offset" in response.json()["errors"]


def test_rate_limit_answers_429_with_retry_after(world, client, settings):
    from django.core.cache import cache

    cache.clear()
    statuses = [client.get("/api/regions").status_code for _ in range(125)]
    assert statuses.count(200) == 120 and statuses[-1] == 429
    response = client.get("/api/regions")
    assert response.json()["code"] == "rate_limited" and int(response["Retry-After"]) >= 1
    settings.LEGEND50_API_RATE_LIMITS = False
    assert client.get("/api/regions").status_code == 200
    cache.clear()


def test_nul_characters_are_refused_not_stored(world, client):
    response = client.get("/api/organizations?q=a%00b")
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
    response = client.post(
        "/api/proposals", '{"call": "x\\u0000", "title": "t"}', content_type="application/json"
    )
    assert response.status_code == 422


def test_token_holders_have_their_own_budget(world, client):
    from django.core.cache import cache

    cache.clear()
    headers = {"Authorization": f"Bearer {_token('province-27')}"}
    for _ in range(121):
        client.get("/api/regions")
    assert client.get("/api/regions").status_code == 429
    assert client.get("/api/regions", headers=headers).status_code == 200
    cache.clear()
