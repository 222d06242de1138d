"""Selection and funding over the API: decisions for the ministry, public results without scores,
a province's own results and money, objections and disbursements through the services."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from legend50.funding import services as funding_services
from legend50.funding.models import Allocation, Disbursement, Project
from legend50.selection import services
from legend50.selection.models import Decision, Objection
from legend50.selection.tests.factories import EOK, call_2024, make_candidates, round_query

from .matrix import Access, api_matrix, bearer, fresh_throttles, ids  # noqa: F401 (fresh_throttles: autouse)

pytestmark = pytest.mark.django_db
User = get_user_model()
ROOMY = {f"budget-{y}-national": 200 * EOK for y in (2024, 2025, 2026)}


@pytest.fixture
def approved(world):
    make_candidates()
    decision = services.decision_propose(
        call=call_2024(),
        data=round_query(**ROOMY),
        rationale="예산 범위 내 총점 최대 조합",
        by=User.objects.get(username="ministry"),
    )
    services.decision_approve(decision=decision, by=User.objects.get(username="admin"))
    items = {i.proposal.lead_region.code: i for i in decision.items.select_related("proposal__lead_region")}
    assert items["27"].outcome == "selected" and items["43"].outcome == "not_selected"
    return {
        "decision": decision,
        "items": items,
        "projects": {p.lead_region.code: p for p in Project.objects.all()},
    }


def test_decisions_are_for_the_ministry(approved, client):
    pk = approved["decision"].pk
    assert ids(client, "/api/decisions", "ministry") == [pk]
    assert ids(client, "/api/decisions", "auditor") == [pk]
    for role in ("province_own", "expert", "firm", "anonymous"):
        assert ids(client, "/api/decisions", role) == [], role
    api_matrix(
        client,
        [
            Access(
                f"/api/decisions/{pk}",
                expect={"ministry": 200, "auditor": 200, "province_own": 404, "anonymous": 404},
            )
        ],
    )
    body = client.get(f"/api/decisions/{pk}", headers=bearer("ministry")).json()
    assert body["status"] == "approved" and body["n_selected"] == 4 and body["objection_deadline"]


def test_results_public_and_own(approved, client):
    items = approved["items"]
    public = client.get("/api/results?limit=50").json()["items"]
    assert {r["region_code"] for r in public} == {"27", "11", "41", "29"}
    assert all(r["outcome"] == "selected" and r["score"] is None and r["rationale"] is None for r in public)
    own = {
        r["region_code"]: r
        for r in client.get("/api/results?limit=50", headers=bearer("province_own")).json()["items"]
    }
    assert own["27"]["detail_visible"] and own["27"]["score"] == 90 and own["27"]["rationale"]
    assert not own["11"]["detail_visible"] and own["11"]["score"] is None
    assert len(ids(client, "/api/results?limit=50", "ministry")) == 6
    api_matrix(
        client,
        [
            Access(
                f"/api/results/{items['43'].pk}",
                expect={
                    "ministry": 200,
                    "auditor": 200,
                    "province_own": 404,
                    "province_other": 404,
                    "anonymous": 404,
                },
                label="not selected (충북)",
            ),
            Access(
                f"/api/results/{items['27'].pk}",
                expect={"anonymous": 200, "province_other": 200, "province_own": 200},
            ),
        ],
    )


def test_province_files_an_objection(approved, client):
    item = approved["items"]["27"].pk
    url = f"/api/results/{item}/objections"
    api_matrix(
        client,
        [
            Access(
                url,
                method="post",
                data={"text": "예산 배분 재검토 요청"},
                expect={"province_other": 404, "ministry": 404, "firm": 404, "anonymous": 403},
            )
        ],
    )
    assert not Objection.objects.exists()
    blank = client.post(url, {"text": "  "}, content_type="application/json", headers=bearer("province_own"))
    assert blank.status_code == 400 and "text" in blank.json()["errors"]
    created = client.post(
        url,
        {"text": "예산 배분 재검토 요청"},
        content_type="application/json",
        headers=bearer("province_own"),
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "filed" and created.json()["result_id"] == item
    oid = created.json()["id"]
    assert ids(client, "/api/objections", "province_own") == [oid]
    assert ids(client, "/api/objections", "ministry") == [oid]
    for role in ("province_other", "firm", "anonymous"):
        assert ids(client, "/api/objections", role) == [], role


def test_projects_and_money_are_scoped(approved, client):
    daegu, seoul = approved["projects"]["27"], approved["projects"]["11"]
    Project.objects.filter(pk=seoul.pk).update(is_published=False)
    assert seoul.pk not in ids(client, "/api/projects", "anonymous")
    assert daegu.pk in ids(client, "/api/projects", "anonymous")
    api_matrix(
        client,
        [
            Access(
                f"/api/projects/{seoul.pk}",
                expect={
                    "province_other": 200,
                    "ministry": 200,
                    "auditor": 200,
                    "province_own": 404,
                    "anonymous": 404,
                },
                label="unpublished Seoul project",
            ),
            Access(
                f"/api/projects/{daegu.pk}/agreement",
                expect={
                    "province_own": 200,
                    "office_own": 200,
                    "ministry": 200,
                    "province_other": 404,
                    "anonymous": 404,
                },
            ),
        ],
    )
    own_allocs = set(Allocation.objects.filter(project=daegu).values_list("pk", flat=True))
    assert set(ids(client, "/api/allocations?limit=100", "province_own")) == own_allocs
    assert own_allocs.isdisjoint(ids(client, "/api/allocations?limit=100", "province_other"))
    assert len(ids(client, "/api/allocations?limit=100", "ministry")) == Allocation.objects.count()
    assert len(ids(client, "/api/allocations?limit=100", "auditor")) == Allocation.objects.count()
    for role in ("anonymous", "firm", "expert", "operator"):
        assert ids(client, "/api/allocations", role) == [], role
    rows = client.get("/api/allocations?year=2024&source=national", headers=bearer("province_own")).json()[
        "items"
    ]
    assert len(rows) == 1 and rows[0]["amount_krw"] == 60 * EOK and rows[0]["remaining_krw"] == 60 * EOK


def test_ministry_disburses_within_the_allocation(approved, client):
    daegu = approved["projects"]["27"]
    alloc = Allocation.objects.get(project=daegu, year=2024, source="national")
    url = f"/api/allocations/{alloc.pk}/disbursements"
    ministry = bearer("ministry")
    unsigned = client.post(url, {"amount_krw": 10 * EOK}, content_type="application/json", headers=ministry)
    assert unsigned.status_code == 409
    funding_services.agreement_sign(
        agreement=daegu.agreement, signed_on=date(2024, 1, 15), by=User.objects.get(username="ministry")
    )
    api_matrix(
        client,
        [
            Access(
                url,
                method="post",
                data={"amount_krw": EOK},
                expect={
                    "province_own": 403,
                    "auditor": 403,
                    "province_other": 404,
                    "firm": 404,
                    "anonymous": 403,
                },
            )
        ],
    )
    assert not Disbursement.objects.exists()
    zero = client.post(url, {"amount_krw": 0}, content_type="application/json", headers=ministry)
    assert zero.status_code == 422 and any(k.endswith("amount_krw") for k in zero.json()["errors"])
    paid = client.post(
        url, {"amount_krw": 20 * EOK, "memo": "1차"}, content_type="application/json", headers=ministry
    )
    assert paid.status_code == 201, paid.content
    assert paid.json()["tranche"] == 1 and paid.json()["project_id"] == daegu.pk
    too_much = client.post(url, {"amount_krw": 41 * EOK}, content_type="application/json", headers=ministry)
    assert too_much.status_code == 409 and too_much.json()["code"] == "conflict"
    alloc.refresh_from_db()
    assert alloc.disbursed_krw == 20 * EOK and Disbursement.objects.count() == 1
    assert ids(client, "/api/disbursements", "province_own") == [paid.json()["id"]]
    for role in ("province_other", "firm", "anonymous"):
        assert ids(client, "/api/disbursements", role) == [], role
    assert Decision.objects.count() == 1
