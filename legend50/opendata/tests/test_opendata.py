"""Open data and the 360Giving export, on the demo's selected projects."""

import csv
import io
import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

# The 360Giving Data Standard's required grant fields (schema 1.x: id, title, description, currency,
# amountAwarded, awardDate, recipientOrganization or recipientIndividual, fundingOrganization), each
# organisation with id and name.
REQUIRED = {
    "id": str,
    "title": str,
    "description": str,
    "currency": str,
    "amountAwarded": int,
    "awardDate": str,
    "recipientOrganization": list,
    "fundingOrganization": list,
}


@pytest.fixture
def funded(world):
    from legend50.evaluation import demo as evaluation_demo
    from legend50.firms import demo as firms_demo
    from legend50.funding import demo as funding_demo
    from legend50.programs import demo as programs_demo
    from legend50.proposals import demo as proposals_demo
    from legend50.selection import demo as selection_demo

    programs_demo.load_demo()
    for module in (firms_demo, proposals_demo, evaluation_demo, selection_demo, funding_demo):
        if hasattr(module, "load_facts"):
            module.load_facts()
        module.load_demo()


def test_open_data(funded, client):
    """One test over one demo load (the load is the expensive part)."""
    _check_360giving(client)
    _check_downloads(client)
    _check_public_page(client)


def _check_360giving(client):
    response = client.get("/open-data/360giving.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    grants = json.loads(response.content)["grants"]
    assert len(grants) == 21
    for grant in grants:
        for field, kind in REQUIRED.items():
            assert isinstance(grant[field], kind), (field, grant[field])
        assert grant["id"].startswith("360G-") and grant["currency"] == "KRW" and grant["amountAwarded"] > 0
        date.fromisoformat(grant["awardDate"])
        for org in grant["recipientOrganization"] + grant["fundingOrganization"]:
            assert org["id"] and org["name"]
        location = grant["beneficiaryLocation"][0]
        assert re.fullmatch(r"\d{2}", location["geoCode"])
        assert grant["plannedDates"][0]["startDate"] <= grant["plannedDates"][0]["endDate"]
    assert len({g["id"] for g in grants}) == 21
    daegu = [g for g in grants if "ABB" in g["title"] or "에이비비" in g["title"]]
    assert daegu and daegu[0]["beneficiaryLocation"][0]["geoCode"] == "27"


def _check_downloads(client):
    as_json = client.get("/open-data/projects.json").json()["rows"]
    as_csv = list(
        csv.DictReader(io.StringIO(client.get("/open-data/projects.csv").content.decode("utf-8-sig")))
    )
    sheet = load_workbook(io.BytesIO(client.get("/open-data/projects.xlsx").content)).active
    assert len(as_json) == len(as_csv) == sheet.max_row - 1 == 21
    assert sum(r["awarded_krw"] for r in as_json) == sum(int(r["awarded_krw"]) for r in as_csv)
    funding = client.get("/open-data/funding.json").json()["rows"]
    national_2024 = sum(
        r["allocated_krw"] for r in funding if r["year"] == 2024 and r["source"] == "national"
    )
    assert national_2024 == 279_000_000_000
    assert client.get("/open-data/nothing.csv").status_code == 404
    assert client.get("/open-data/projects.exe").status_code == 404


def _check_public_page(client):
    body = client.get("/open-data/").content.decode()
    assert "360giving.json" in body and "억원" in body
    assert "@" not in body.split("<main", 1)[1]  # no e-mail addresses
