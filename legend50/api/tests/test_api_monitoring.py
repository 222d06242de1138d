"""Monitoring over the API: public indicators and observations (small groups suppressed), firm
outcomes scoped like the pages, official figures and outcomes written through the services."""

from decimal import Decimal

import pytest

from legend50.firms.models import Firm
from legend50.monitoring.models import FirmOutcome, Indicator, Observation
from legend50.monitoring.tests.factories import make_firm

from .matrix import Access, api_matrix, bearer, fresh_throttles, ids  # noqa: F401 (fresh_throttles: autouse)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mon(world):
    from legend50.monitoring.demo import load_facts

    load_facts()
    indicator = Indicator.objects.order_by("order").first()
    small = Observation.objects.create(
        indicator=indicator, year=2023, region_code="27", value=Decimal("0.4"), dataset="microdata", n_firms=2
    )
    big = Observation.objects.create(
        indicator=indicator,
        year=2023,
        region_code="11",
        value=Decimal("0.3"),
        dataset="microdata",
        n_firms=900,
    )
    own_firm = Firm.objects.get(organization__memberships__user__username="firm-1")
    other_firm = Firm.objects.get(organization__memberships__user__username="firm-2")
    seoul = make_firm("서울정밀", "11")
    outcomes = {
        firm.pk: FirmOutcome.objects.create(firm=firm, year=2023, sales_krw=1_000_000_000, source="imported")
        for firm in (own_firm, other_firm, seoul)
    }
    return {
        "indicator": indicator,
        "small": small,
        "big": big,
        "own": own_firm,
        "other": other_firm,
        "seoul": seoul,
        "outcomes": outcomes,
    }


def test_indicators_and_official_series_are_public(mon, client):
    body = client.get("/api/indicators").json()
    assert len(body) == 4 and body[0]["target"] == 0.5
    assert client.get(f"/api/indicators/{mon['indicator'].key}").status_code == 200
    assert client.get("/api/indicators/nope").json()["code"] == "not_found"
    national = client.get("/api/observations?region=national&official=true&limit=100").json()
    assert national["count"] == Observation.objects.filter(is_official=True, region_code="").count() > 0
    assert all(o["is_official"] and o["region_code"] == "" for o in national["items"])


def test_small_groups_are_suppressed_except_for_those_entitled(mon, client):
    def row(role, region):
        items = client.get(f"/api/observations?region={region}", headers=bearer(role)).json()["items"]
        return items[0]

    for role in ("anonymous", "province_other", "firm", "expert"):
        r = row(role, "27")
        assert r["suppressed"] and r["value"] is None and r["n_firms"] is None, role
    for role in ("province_own", "office_own", "ministry", "auditor"):
        r = row(role, "27")
        assert not r["suppressed"] and r["value"] == 0.4, role
    assert row("anonymous", "11")["value"] == 0.3  # 900 firms: public


def test_outcomes_matrix(mon, client):
    own, other, seoul = (mon["outcomes"][mon[k].pk].pk for k in ("own", "other", "seoul"))
    assert ids(client, "/api/outcomes", "anonymous") == []
    assert sorted(ids(client, "/api/outcomes", "ministry")) == sorted([own, other, seoul])
    assert sorted(ids(client, "/api/outcomes", "auditor")) == sorted([own, other, seoul])
    assert sorted(ids(client, "/api/outcomes", "province_own")) == sorted([own, other])
    assert ids(client, "/api/outcomes", "province_other") == [seoul]
    assert ids(client, "/api/outcomes", "firm") == [own]
    assert ids(client, "/api/outcomes", "firm_other") == [other]
    assert ids(client, "/api/outcomes", "expert") == []
    assert ids(client, "/api/outcomes?region=11", "province_own") == []


def test_province_records_an_outcome_of_its_own_firm(mon, client):
    payload = {"firm_id": mon["own"].pk, "year": 2024, "sales_krw": 2_500_000_000, "direct_exports_krw": 10}
    api_matrix(
        client,
        [
            Access(
                "/api/outcomes",
                method="put",
                data=payload,
                expect={"province_other": 404, "firm": 403, "expert": 404, "auditor": 403, "anonymous": 403},
                label="outcome of a Daegu firm",
            )
        ],
    )
    assert not FirmOutcome.objects.filter(year=2024).exists()
    response = client.put(
        "/api/outcomes", payload, content_type="application/json", headers=bearer("province_own")
    )
    assert response.status_code == 200, response.content
    assert response.json()["sales_krw"] == 2_500_000_000 and response.json()["source"] == "reported"
    # Bad input: the required sales figure missing (service, 400) and a negative amount (422).
    missing = client.put(
        "/api/outcomes",
        {"firm_id": mon["own"].pk, "year": 2022},
        content_type="application/json",
        headers=bearer("province_own"),
    )
    assert missing.status_code == 400 and "sales_krw" in missing.json()["errors"]
    negative = client.put(
        "/api/outcomes",
        {"firm_id": mon["own"].pk, "year": 2022, "sales_krw": -1},
        content_type="application/json",
        headers=bearer("province_own"),
    )
    assert negative.status_code == 422 and any(k.endswith("sales_krw") for k in negative.json()["errors"])
    assert not FirmOutcome.objects.filter(year=2022).exists()


def test_ministry_records_an_official_figure(mon, client):
    key = mon["indicator"].key
    payload = {"indicator": key, "year": 2025, "value": "41.5%", "source": "중소벤처기업부 보도자료 2026.3."}
    api_matrix(
        client,
        [
            Access(
                "/api/observations",
                method="post",
                data=payload,
                expect={"province_own": 403, "auditor": 403, "expert": 403, "anonymous": 403},
            )
        ],
    )
    created = client.post(
        "/api/observations", payload, content_type="application/json", headers=bearer("ministry")
    )
    assert created.status_code == 201, created.content
    assert created.json()["value"] == 0.415 and created.json()["is_official"]
    bad = client.post(
        "/api/observations",
        {"indicator": key, "year": 2025, "value": "150%", "source": ""},
        content_type="application/json",
        headers=bearer("ministry"),
    )
    assert bad.status_code == 400 and {"value", "source"} <= set(bad.json()["errors"])
    assert Observation.objects.get(indicator__key=key, year=2025, is_official=True).value == Decimal("0.415")
