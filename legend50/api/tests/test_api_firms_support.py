"""Firms, instruments and awards over the API: a firm sees only itself, a province its own firms,
operators the firms they support, the public only the instrument catalog; an operator records an
award through the support service."""

import datetime as dt

import pytest

from legend50.firms.models import Firm
from legend50.support.models import SupportAward
from legend50.support.tests import factories as f

from .matrix import Access, api_matrix, bearer, fresh_throttles, ids  # noqa: F401 (fresh_throttles: autouse)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reg(world):
    catalog = f.catalog()
    return {
        "catalog": catalog,
        "own": Firm.objects.get(organization__memberships__user__username="firm-1"),
        "other": Firm.objects.get(organization__memberships__user__username="firm-2"),
        "daegu": f.firm(1, sales_eok=50, region="27"),
        "seoul": f.firm(2, sales_eok=80, ksic="J58221", region="11"),
    }


def test_firm_matrix(reg, client):
    own, other, daegu, seoul = (reg[k].pk for k in ("own", "other", "daegu", "seoul"))
    assert ids(client, "/api/firms", "firm") == [own]
    assert ids(client, "/api/firms", "firm_other") == [other]
    assert set(ids(client, "/api/firms?limit=100", "province_own")) >= {own, other, daegu}
    assert seoul not in ids(client, "/api/firms?limit=100", "province_own")
    assert ids(client, "/api/firms", "province_other") == [seoul]
    for role in ("anonymous", "expert", "operator"):
        assert ids(client, "/api/firms", role) == [], role
    assert {own, other, daegu, seoul} <= set(ids(client, "/api/firms?limit=100", "ministry"))
    api_matrix(
        client,
        [
            Access(
                f"/api/firms/{own}",
                expect={
                    "firm": 200,
                    "firm_other": 404,
                    "province_own": 200,
                    "province_other": 404,
                    "ministry": 200,
                    "auditor": 200,
                    "operator": 404,
                    "anonymous": 404,
                },
            ),
            Access(
                f"/api/firms/{daegu}/financials",
                expect={"province_own": 200, "province_other": 404, "firm": 404, "anonymous": 404},
            ),
        ],
    )
    financials = client.get(f"/api/firms/{daegu}/financials", headers=bearer("province_own")).json()
    assert [r["year"] for r in financials] == [2022, 2023, 2024, 2025]
    assert financials[0]["sales_krw"] == 50 * f.EOK


def test_firm_filters(reg, client):
    assert ids(client, "/api/firms?region=11", "ministry") == [reg["seoul"].pk]
    assert reg["seoul"].pk in ids(client, "/api/firms?ksic=j58&limit=100", "ministry")
    assert reg["daegu"].pk not in ids(client, "/api/firms?ksic=J58&limit=100", "ministry")
    size = reg["daegu"].size_class
    assert size in ("small", "medium")
    same = ids(client, f"/api/firms?size={size}&limit=100", "ministry")
    assert reg["daegu"].pk in same and all(Firm.objects.get(pk=pk).size_class == size for pk in same)
    assert ids(client, f"/api/firms?q={reg['daegu'].brn[:6]}", "province_own") == [reg["daegu"].pk]


def test_instrument_catalog_is_public(reg, client):
    everything = ids(client, "/api/instruments?limit=100", "anonymous", "code")
    assert "kosmes-policy-loan" in everything
    central = client.get("/api/instruments?level=central&limit=100").json()["items"]
    assert central and all(i["level"] == "central" for i in central)
    body = client.get("/api/instruments/manufacturing-innovation-voucher").json()
    assert body["kind"] == "voucher" and body["operator"]
    assert client.get("/api/instruments/nope").status_code == 404


def test_operator_records_an_award_and_scoping_follows(reg, client):
    daegu = reg["daegu"]
    payload = {
        "instrument": "kosmes-policy-loan",
        "brn": daegu.brn,
        "awarded_on": "2025-03-10",
        "amount_krw": 300_000_000,
    }
    api_matrix(
        client,
        [
            Access(
                "/api/awards",
                method="post",
                data=payload,
                expect={"province_own": 403, "ministry": 403, "firm": 403, "anonymous": 403},
                label="record an award of someone else's instrument",
            )
        ],
    )
    assert not SupportAward.objects.exists()
    operator = bearer("operator")
    missing = client.post(
        "/api/awards", {**payload, "brn": ""}, content_type="application/json", headers=operator
    )
    assert missing.status_code == 400 and "firm_id" in missing.json()["errors"]
    future = client.post(
        "/api/awards",
        {**payload, "awarded_on": (dt.date.today() + dt.timedelta(days=30)).isoformat()},
        content_type="application/json",
        headers=operator,
    )
    assert future.status_code == 400 and "awarded_on" in future.json()["errors"]
    zero = client.post(
        "/api/awards", {**payload, "amount_krw": 0}, content_type="application/json", headers=operator
    )
    assert zero.status_code == 422 and any(k.endswith("amount_krw") for k in zero.json()["errors"])
    assert not SupportAward.objects.exists()

    created = client.post("/api/awards", payload, content_type="application/json", headers=operator)
    assert created.status_code == 201, created.content
    award = created.json()
    assert (
        award["amount_krw"] == 300_000_000 and award["firm_id"] == daegu.pk and award["status"] == "recorded"
    )
    # The same instrument twice in a year: 409 with the flag, recorded once acknowledged.
    again = {**payload, "awarded_on": "2025-09-01", "amount_krw": 100_000_000}
    flagged = client.post("/api/awards", again, content_type="application/json", headers=operator)
    assert flagged.status_code == 409 and flagged.json()["code"] == "duplicate_flagged"
    acknowledged = client.post(
        "/api/awards",
        {**again, "acknowledge_flags": True, "acknowledgement": "시설자금 추가 대출(별도 심사)"},
        content_type="application/json",
        headers=operator,
    )
    assert acknowledged.status_code == 201 and acknowledged.json()["flags"]
    assert SupportAward.objects.count() == 2

    pk = award["id"]
    api_matrix(
        client,
        [
            Access(
                f"/api/awards/{pk}",
                expect={
                    "operator": 200,
                    "province_own": 200,
                    "ministry": 200,
                    "auditor": 200,
                    "province_other": 404,
                    "firm": 404,
                    "expert": 404,
                    "anonymous": 404,
                },
            )
        ],
    )
    assert ids(client, "/api/awards?flagged=true", "operator") == [acknowledged.json()["id"]]
    assert ids(client, "/api/awards", "anonymous") == []
    # Operators now see the firm they supported.
    assert daegu.pk in ids(client, "/api/firms", "operator")


def test_firm_user_keeps_its_own_financials(reg, client):
    own = reg["own"]
    url = f"/api/firms/{own.pk}/financials/2024"
    payload = {"sales_krw": 12 * f.EOK, "employees": 40}
    api_matrix(
        client,
        [
            Access(
                url,
                method="put",
                data=payload,
                expect={
                    "firm_other": 404,
                    "province_other": 404,
                    "operator": 404,
                    "expert": 404,
                    "auditor": 403,
                    "anonymous": 403,
                },
            ),
            Access(
                f"/api/firms/{reg['other'].pk}/financials/2024",
                method="put",
                data=payload,
                expect={"firm": 404},
                label="another firm's financials",
            ),
        ],
    )
    assert not own.financials.exists()
    firm = bearer("firm")
    saved = client.put(url, payload, content_type="application/json", headers=firm)
    assert saved.status_code == 200, saved.content
    assert saved.json()["sales_krw"] == 12 * f.EOK and saved.json()["employees"] == 40
    assert client.get(f"/api/firms/{own.pk}", headers=firm).json()["size_basis"]
    missing = client.put(url, {"employees": 3}, content_type="application/json", headers=firm)
    assert missing.status_code == 400 and "sales_krw" in missing.json()["errors"]
    old = client.put(
        f"/api/firms/{own.pk}/financials/1800", payload, content_type="application/json", headers=firm
    )
    assert old.status_code == 400 and "year" in old.json()["errors"]
    negative = client.put(url, {"sales_krw": -5}, content_type="application/json", headers=firm)
    assert negative.status_code == 422 and any(k.endswith("sales_krw") for k in negative.json()["errors"])
    assert own.financials.get().sales_krw == 12 * f.EOK
    # The province keeps its firms' figures too.
    by_province = client.put(
        url, {"sales_krw": 13 * f.EOK}, content_type="application/json", headers=bearer("province_own")
    )
    assert by_province.status_code == 200 and own.financials.get().sales_krw == 13 * f.EOK
