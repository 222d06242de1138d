import pytest

from legend50.api.models import ApiToken
from legend50.proposals.models import Proposal, ProposalStatus

pytestmark = pytest.mark.django_db


def _headers(username):
    from django.contrib.auth import get_user_model

    raw = ApiToken.issue(user=get_user_model().objects.get(username=username), name="t")[1]
    return {"Authorization": f"Bearer {raw}"}


def test_province_drafts_saves_and_sees_only_its_own(world, client):
    own = _headers("province-27")
    response = client.post(
        "/api/proposals",
        {"call": "legend50plus-2027-sample", "title": "대구 API 과제"},
        content_type="application/json",
        headers=own,
    )
    if response.status_code == 404:  # the sample call is demo data; create it for the test
        from legend50.programs import demo

        demo.load_demo()
        response = client.post(
            "/api/proposals",
            {"call": "legend50plus-2027-sample", "title": "대구 API 과제"},
            content_type="application/json",
            headers=own,
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lead_region_code"] == "27" and body["status"] == "draft"
    pid = body["id"]
    saved = client.patch(
        f"/api/proposals/{pid}",
        {"lock_version": body["lock_version"], "summary": "요약", "status": "selected"},
        content_type="application/json",
        headers=own,
    )
    assert (
        saved.status_code == 200 and saved.json()["summary"] == "요약" and saved.json()["status"] == "draft"
    )
    stale = client.patch(
        f"/api/proposals/{pid}",
        {"lock_version": body["lock_version"], "summary": "덮어쓰기"},
        content_type="application/json",
        headers=own,
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    other = _headers("province-11")
    assert client.get(f"/api/proposals/{pid}", headers=other).status_code == 404
    assert (
        client.patch(
            f"/api/proposals/{pid}",
            {"lock_version": 9, "summary": "x"},
            content_type="application/json",
            headers=other,
        ).status_code
        == 404
    )
    assert pid not in [p["id"] for p in client.get("/api/proposals", headers=other).json()["items"]]
    assert client.get(f"/api/proposals/{pid}").status_code == 404  # anonymous


def test_submitting_an_unready_draft_names_what_is_missing(world, client):
    from legend50.programs import demo

    demo.load_demo()
    own = _headers("province-27")
    pid = client.post(
        "/api/proposals",
        {"call": "legend50plus-2027-sample", "title": "미완성"},
        content_type="application/json",
        headers=own,
    ).json()["id"]
    response = client.post(f"/api/proposals/{pid}/submit", {}, content_type="application/json", headers=own)
    assert response.status_code == 400 and response.json()["code"] == "validation_failed"
    assert response.json()["errors"]["readiness"]
    assert (
        Proposal.objects.get(pk=pid).status == ProposalStatus.DRAFT
        and not Proposal.objects.get(pk=pid).versions.exists()
    )
