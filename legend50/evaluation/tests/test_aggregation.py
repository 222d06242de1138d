"""Aggregation through the evaluation service against hand-computed examples (the arithmetic itself
is the scoring engine's; these check that the call's settings, consensus, conflicts and ties reach it
and that finalizing writes what selection reads)."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from legend50.core.errors import ConflictError
from legend50.evaluation import selectors, services
from legend50.evaluation.models import Conflict, Consensus, Review

from . import factories as f

pytestmark = pytest.mark.django_db


def sheet(expert, proposal, need, plan, content, impact, status="submitted"):
    a = f.assign(expert, proposal)
    scores = {"need": need, "plan": plan, "content": content, "impact": impact}
    return Review.objects.create(
        assignment=a,
        status=status,
        scores=scores,
        total=Decimal(str(need + plan + content + impact)),
        comment="의견",
    )


def row(results, proposal):
    return next(r for r in results.rows if r["proposal"] == str(proposal.pk))


@pytest.fixture
def experts(world):
    return {i: f.expert(i) for i in (3, 4, 5, 6, 7, 8)}


def test_plain_mean_under_five_reviews_and_thresholds(experts):
    call = f.call_2024()
    p1 = f.proposal(call, "27", "P1")
    p2 = f.proposal(call, "47", "P2")
    e = experts
    sheet(e[3], p1, 25, 15.5, 24, 16)  # 80.5
    sheet(e[4], p1, 20, 10, 20, 10)  # 60
    sheet(e[5], p1, 22, 14, 21, 15)  # 72
    sheet(e[3], p2, 10, 10, 20, 10)  # 50
    sheet(e[4], p2, 12, 10, 20, 10)  # 52
    sheet(e[5], p2, 11, 10, 20, 10)  # 51
    results = selectors.call_results(call)
    r1, r2 = row(results, p1), row(results, p2)
    assert (
        r1["final"] == pytest.approx(212.5 / 3) and r1["method_used"] == "mean" and r1["trimmed_mean"] is None
    )
    assert r1["rank"] == 1 and r1["passes_thresholds"]
    assert r2["final"] == pytest.approx(51.0) and r2["rank"] == 2
    assert r2["criterion_means"]["need"] == pytest.approx(11.0)
    assert set(r2["failed_thresholds"]) == {"need", "overall"}
    assert r1["calibrated_display"] is not None  # shown side by side even when the call does not calibrate


def test_trimmed_mean_with_five_reviews_and_mean_method(experts):
    call = f.call_2024()
    p3 = f.proposal(call, "27", "P3")
    for expert, (need, plan, content, impact) in zip(
        [experts[i] for i in (3, 4, 5, 6, 7)],
        [(30, 20, 25, 15), (25, 15, 25, 15), (20, 15, 20, 15), (20, 10, 20, 10), (10, 10, 10, 10)],
        strict=True,
    ):
        sheet(expert, p3, need, plan, content, impact)  # totals 90, 80, 70, 60, 40
    r = row(selectors.call_results(call), p3)
    assert r["mean"] == pytest.approx(68.0)
    assert r["trimmed_mean"] == pytest.approx(70.0) and r["final"] == pytest.approx(70.0)
    assert r["method_used"] == "trimmed" and r["n_used"] == 3
    assert set(r["dropped_names"]) == {"전문가3", "전문가7"}
    call.aggregation_method = "mean"
    call.save()
    assert row(selectors.call_results(call), p3)["final"] == pytest.approx(68.0)


def test_ties_follow_the_calls_tie_break_order(experts):
    call = f.call_2024(tie_break=["content", "need"])
    p4 = f.proposal(call, "27", "P4")
    p5 = f.proposal(call, "47", "P5")
    p6 = f.proposal(call, "48", "P6")
    e = experts
    # All three average 70. P5 has the higher 사업 내용 mean; P4 and P6 tie on it and split on 필요성.
    for expert in (e[3], e[4]):
        sheet(expert, p4, 20, 15, 20, 15)  # content 20, need 20
        sheet(expert, p5, 15, 15, 25, 15)  # content 25
        sheet(expert, p6, 25, 10, 20, 15)  # content 20, need 25
    results = selectors.call_results(call)
    order = [r["proposal"] for r in results.rows]
    assert order == [str(p5.pk), str(p6.pk), str(p4.pk)]
    assert row(results, p6)["tie_broken_by"] == "content"
    assert row(results, p4)["tie_broken_by"] == "need"


def test_consensus_replaces_score_and_conflicted_review_is_excluded(experts):
    call = f.call_2024()
    p1 = f.proposal(call, "27", "P1")
    p2 = f.proposal(call, "47", "P2")
    e = experts
    sheet(e[3], p1, 25, 15.5, 24, 16)  # 80.5
    sheet(e[4], p1, 20, 10, 20, 10)  # 60
    sheet(e[5], p1, 22, 14, 21, 15)  # 72
    sheet(e[3], p2, 20, 15, 20, 15)  # 70
    sheet(e[4], p2, 20, 15, 20, 15)  # 70
    Conflict.objects.create(expert=e[5], proposal=p1, source="officer", reason="사후 확인된 자문 관계")
    results = selectors.call_results(call)
    assert row(results, p1)["final"] == pytest.approx(70.25)
    assert results.excluded_for_conflict == [("전문가5", "P1")]
    assert [r["proposal"] for r in results.rows] == [str(p1.pk), str(p2.pk)]
    Consensus.objects.create(proposal=p2, score=Decimal("75.00"), comment="토론 후 상향")
    results = selectors.call_results(call)
    assert row(results, p2)["final"] == 75.0 and row(results, p2)["computed"] == 70.0
    assert row(results, p2)["consensus_applied"] and results.rows[0]["proposal"] == str(p2.pk)

    services.panel_finalize(by=get_user_model().objects.get(username="ministry"), call=call)
    p1.refresh_from_db()
    p2.refresh_from_db()
    assert (p2.rank, p2.final_score, p2.passes_thresholds) == (1, Decimal("75.000"), True)
    assert (p1.rank, p1.final_score) == (2, Decimal("70.250"))


def test_finalize_refuses_with_pending_reviews(experts):
    call = f.call_2024()
    p1 = f.proposal(call, "27", "P1")
    sheet(experts[3], p1, 20, 15, 20, 15)
    sheet(experts[4], p1, 20, 15, 20, 15, status="draft")
    f.assign(experts[5], p1)
    assert selectors.call_results(call).pending_reviews == 2
    with pytest.raises(ConflictError, match="2건"):
        services.panel_finalize(by=get_user_model().objects.get(username="ministry"), call=call)


def test_calibration_setting_reaches_the_engine(experts):
    call = f.call_2024(calibrate_scores=True)
    props = [f.proposal(call, "27", f"C{i}") for i in range(3)]
    # expert 3 is lenient by +10 on every proposal; calibration removes the offset
    for p, base in zip(props, (50, 55, 60), strict=True):
        sheet(experts[3], p, 25, 15, base - 40, 10)  # totals base + 10
        sheet(experts[4], p, 20, 10, base - 40, 10)  # totals base
    results = selectors.call_results(call)
    finals = [row(results, p)["final"] for p in props]
    assert finals[0] < finals[1] < finals[2]
    assert all(row(results, p)["calibrated_mean"] is not None for p in props)
