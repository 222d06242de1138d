"""Evaluation over the API: experts reach only assigned, pledged, non-conflicted proposals; blind
calls are masked; score sheets are saved and submitted through the evaluation services."""

import pytest
from django.contrib.auth import get_user_model

from legend50.evaluation import services
from legend50.evaluation.models import Conflict, Review
from legend50.evaluation.tests import factories as f

from .matrix import Access, api_matrix, bearer, fresh_throttles, ids  # noqa: F401 (fresh_throttles: autouse)

pytestmark = pytest.mark.django_db
User = get_user_model()

SCORES = {"need": 25, "plan": 15, "content": 24, "impact": 16}


@pytest.fixture
def ev(world):
    call = f.call_2024(blind_review=True)
    firm = f.firm("(주)달빛로봇", "27")
    p1 = f.proposal(
        call, "27", "달빛로봇 스마트공장 고도화", firms=[firm], summary="(주)달빛로봇이 추진합니다."
    )
    p2 = f.proposal(call, "47", "경북 이차전지 소재")
    e1, e2 = f.expert(1), f.expert(2)
    p_conf = f.proposal(
        call, "48", "경남 조선 기자재", consortium=[(e1.affiliation, "innovation_institution")]
    )
    for p in (p1, p_conf):
        f.assign(e1, p)
    f.assign(e2, p2)
    for e in (e1, e2):
        f.pledge(e, call)
    services.review_save(
        by=User.objects.get(username="expert-2"),
        proposal=p2,
        scores={k: str(v) for k, v in SCORES.items()},
        comment="경북 과제 평가 의견입니다.",
        submit=True,
    )
    return {"call": call, "p1": p1, "p2": p2, "p_conf": p_conf, "e1": e1, "e2": e2}


def test_sheet_matrix(ev, client):
    p1, p2, p_conf = ev["p1"].pk, ev["p2"].pk, ev["p_conf"].pk
    api_matrix(
        client,
        [
            Access(
                f"/api/evaluation/proposals/{p1}/review",
                expect={
                    "expert": 200,
                    "expert_other": 404,
                    "ministry": 404,
                    "auditor": 404,
                    "province_own": 404,
                    "firm": 404,
                    "anonymous": 403,
                },
            ),
            Access(f"/api/evaluation/proposals/{p_conf}/review", expect={"expert": 404}, label="conflicted"),
            Access(f"/api/evaluation/proposals/{p2}/review", expect={"expert": 404, "expert_other": 200}),
            Access(
                f"/api/evaluation/proposals/{p1}/review",
                method="put",
                data={"scores": {"need": 20}},
                expect={"expert_other": 404, "ministry": 404, "province_own": 404, "anonymous": 403},
                label="save someone else's sheet",
            ),
            Access(
                f"/api/evaluation/proposals/{p_conf}/review",
                method="put",
                data={"scores": {"need": 20}},
                expect={"expert": 404},
                label="save a conflicted sheet",
            ),
        ],
    )
    assert not Review.objects.filter(assignment__proposal_id__in=[p1, p_conf]).exists()


def test_reviews_are_scoped(ev, client):
    reviewed = Review.objects.get(assignment__proposal=ev["p2"]).pk
    assert ids(client, "/api/evaluation/reviews", "expert_other") == [reviewed]
    assert ids(client, "/api/evaluation/reviews", "ministry") == [reviewed]
    assert ids(client, "/api/evaluation/reviews", "auditor") == [reviewed]
    for role in ("expert", "province_own", "province_other", "firm", "operator", "anonymous"):
        assert ids(client, "/api/evaluation/reviews", role) == [], role
    api_matrix(
        client,
        [
            Access(
                f"/api/evaluation/reviews/{reviewed}",
                expect={
                    "expert_other": 200,
                    "ministry": 200,
                    "expert": 404,
                    "province_own": 404,
                    "anonymous": 404,
                },
            )
        ],
    )
    # A conflict declared after the review closes the expert's access at the next request.
    Conflict.objects.create(expert=ev["e2"], proposal=ev["p2"], source="officer", reason="사후 확인된 관계")
    assert ids(client, "/api/evaluation/reviews", "expert_other") == []
    assert (
        client.get(f"/api/evaluation/reviews/{reviewed}", headers=bearer("expert_other")).status_code == 404
    )


def test_assignments_of_an_expert_withhold_conflicted_titles(ev, client):
    rows = client.get("/api/evaluation/assignments", headers=bearer("expert")).json()["items"]
    by_id = {r["proposal_id"]: r for r in rows}
    assert set(by_id) == {ev["p1"].pk, ev["p_conf"].pk}
    assert by_id[ev["p1"].pk]["open"] and "달빛로봇" not in by_id[ev["p1"].pk]["title"]  # blind call
    assert not by_id[ev["p_conf"].pk]["open"] and by_id[ev["p_conf"].pk]["title"] == "(열람 제한)"
    assert ids(client, "/api/evaluation/assignments?is_open=true", "expert", "proposal_id") == [ev["p1"].pk]
    assert ids(client, "/api/evaluation/assignments", "expert_other", "proposal_id") == [ev["p2"].pk]
    assert len(ids(client, "/api/evaluation/assignments", "ministry")) == 3
    ministry_rows = client.get("/api/evaluation/assignments", headers=bearer("ministry")).json()["items"]
    assert "달빛로봇 스마트공장 고도화" in [r["title"] for r in ministry_rows]  # staff read names
    for role in ("province_own", "firm", "anonymous"):
        assert ids(client, "/api/evaluation/assignments", role) == [], role


def test_expert_saves_a_draft_then_submits(ev, client):
    headers = bearer("expert")
    url = f"/api/evaluation/proposals/{ev['p1'].pk}/review"
    sheet = client.get(url, headers=headers).json()
    assert (
        sheet["proposal"]["blind"]
        and "달빛로봇" not in sheet["proposal"]["title"] + sheet["proposal"]["summary"]
    )
    assert [c["key"] for c in sheet["criteria"]] == ["need", "plan", "content", "impact"]
    saved = client.put(
        url, {"scores": {"need": 22.5}, "comment": "초안"}, content_type="application/json", headers=headers
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["status"] == "draft" and body["total"] == 22.5 and not body["locked"]
    assert Review.objects.get(assignment__proposal=ev["p1"]).scores == {"need": 22.5}

    # Bad input: out of range and not a half point — 400 naming the criteria, nothing written.
    bad = client.put(
        url, {"scores": {"need": 31, "plan": 10.3}}, content_type="application/json", headers=headers
    )
    assert bad.status_code == 400 and bad.json()["code"] == "validation_failed"
    assert set(bad.json()["errors"]) == {"need", "plan"}
    assert Review.objects.get(assignment__proposal=ev["p1"]).scores == {"need": 22.5}
    # Not a number at all: 422 naming the field.
    typed = client.put(url, {"scores": {"need": "많이"}}, content_type="application/json", headers=headers)
    assert typed.status_code == 422 and any(k.endswith("scores.need") for k in typed.json()["errors"])

    # Submitting an incomplete sheet names what is missing.
    incomplete = client.post(
        f"{url}/submit", {"scores": {"need": 20}}, content_type="application/json", headers=headers
    )
    assert incomplete.status_code == 400
    assert {"plan", "content", "impact", "comment"} <= set(incomplete.json()["errors"])

    done = client.post(
        f"{url}/submit",
        {"scores": SCORES, "comment": "계획이 구체적이고 실현 가능성이 높습니다."},
        content_type="application/json",
        headers=headers,
    )
    assert done.status_code == 200 and done.json()["locked"] and done.json()["total"] == 80
    again = client.put(url, {"scores": {"need": 1}}, content_type="application/json", headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert float(Review.objects.get(assignment__proposal=ev["p1"]).total) == 80


def test_blind_call_leaks_no_registered_name_to_the_expert(ev, client):
    headers = bearer("expert")
    served = "".join(
        client.get(url, headers=headers).content.decode()
        for url in (
            "/api/evaluation/assignments",
            "/api/evaluation/reviews",
            f"/api/evaluation/proposals/{ev['p1'].pk}/review",
            "/api/proposals",
            f"/api/proposals/{ev['p1'].pk}",
        )
    )
    assert "달빛로봇" not in served and "\\ub2ec\\ube5b\\ub85c\\ubd07" not in served
    assert client.get(f"/api/proposals/{ev['p1'].pk}", headers=headers).status_code == 404
