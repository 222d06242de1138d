"""Tests for legend50.engines.scoring. Expected values are worked by hand in the comments."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legend50.engines.scoring import (
    OVERALL,
    AggregationMethod,
    Criterion,
    ReviewScores,
    Rubric,
    aggregate,
    icc1,
    icc2_1,
    krippendorff_alpha_interval,
)

# 30 + 30 + 40 = 100-point sheet, the usual Korean allotment.
RUBRIC = Rubric(
    criteria=[
        Criterion("feasibility", max_score=30, weight=0.3),
        Criterion("impact", max_score=30, weight=0.3),
        Criterion("budget", max_score=40, weight=0.4),
    ],
)


def R(proposal: str, expert: str, f: float, i: float, b: float) -> ReviewScores:
    return ReviewScores(proposal, expert, {"feasibility": f, "impact": i, "budget": b})


def one_criterion_reviews(table: dict[str, dict[str, float]]) -> list[ReviewScores]:
    return [ReviewScores(p, e, {"score": v}) for p, row in table.items() for e, v in row.items()]


SINGLE = Rubric(criteria=[Criterion("score", max_score=100)])

# ----------------------------------------------------------------------------------------------
# Trimmed mean with exactly 4 and exactly 5 reviews
# ----------------------------------------------------------------------------------------------
# P4 totals: E1 25+24+35 = 84, E2 20+22+30 = 72, E3 28+27+38 = 93, E4 15+18+25 = 58
#   → 4 reviews: nothing dropped; mean = (84+72+93+58)/4 = 307/4 = 76.75
# P5 totals: E1 25.5+24+35 = 84.5, E2 72, E3 93, E4 58, E5 24+26+30 = 80
#   → mean = (84.5+72+93+58+80)/5 = 387.5/5 = 77.5
#   → trimmed: drop 93 (E3) and 58 (E4): (84.5+72+80)/3 = 236.5/3 = 78.8333…
#   feasibility over used E1,E2,E5 = (25.5+20+24)/3 = 69.5/3 = 23.1666…
#   feasibility over all five     = (25.5+20+28+15+24)/5 = 112.5/5 = 22.5
TRIM_REVIEWS = [
    R("P4", "E1", 25, 24, 35),
    R("P4", "E2", 20, 22, 30),
    R("P4", "E3", 28, 27, 38),
    R("P4", "E4", 15, 18, 25),
    R("P5", "E1", 25.5, 24, 35),
    R("P5", "E2", 20, 22, 30),
    R("P5", "E3", 28, 27, 38),
    R("P5", "E4", 15, 18, 25),
    R("P5", "E5", 24, 26, 30),
]


def test_four_reviews_plain_mean_five_reviews_trimmed():
    result = aggregate(TRIM_REVIEWS, RUBRIC)  # method="auto"
    p4, p5 = result.for_proposal("P4"), result.for_proposal("P5")

    assert p4.method_used == "mean" and p4.n_used == 4 and p4.dropped_experts == ()
    assert p4.mean == 76.75 and p4.final == 76.75 and p4.trimmed_mean is None

    assert p5.method_used == "trimmed" and p5.n_used == 3
    assert p5.dropped_experts == ("E3", "E4")
    assert p5.mean == 77.5
    assert p5.trimmed_mean == pytest.approx(236.5 / 3)
    assert p5.final == pytest.approx(78.833333333)
    assert p5.criterion_means["feasibility"] == pytest.approx(69.5 / 3)
    assert p5.criterion_means["budget"] == pytest.approx((35 + 30 + 30) / 3)
    # P5 78.83 ranks above P4 76.75
    assert [r.proposal for r in result.ranking] == ["P5", "P4"]
    assert [r.rank for r in result.ranking] == [1, 2]


def test_method_mean_uses_all_reviews():
    p5 = aggregate(TRIM_REVIEWS, RUBRIC, method="mean").for_proposal("P5")
    assert p5.method_used == "mean" and p5.final == 77.5 and p5.n_used == 5
    assert p5.trimmed_mean == pytest.approx(236.5 / 3)  # still reported for information
    assert p5.criterion_means["feasibility"] == 22.5


def test_method_trimmed_notes_the_fallback():
    result = aggregate(TRIM_REVIEWS, RUBRIC, method=AggregationMethod.TRIMMED)
    assert result.for_proposal("P4").method_used == "mean"
    assert any("plain mean" in n for n in result.for_proposal("P4").notes)
    assert result.for_proposal("P5").final == pytest.approx(236.5 / 3)
    assert aggregate(TRIM_REVIEWS, RUBRIC, method="auto").for_proposal("P4").notes == ()


def test_trimming_with_tied_extremes_is_deterministic():
    # Totals 90, 90, 80, 70, 70: drop one 90 and one 70. By (total, expert) the lowest is
    # (70, "A") and the highest (90, "E") → A and E dropped; mean of 90, 80, 70 = 80.
    table = {"P": {"A": 70, "B": 90, "C": 80, "D": 70, "E": 90}}
    row = aggregate(one_criterion_reviews(table), SINGLE).ranking[0]
    assert row.dropped_experts == ("A", "E")
    assert row.final == 80


def test_criterion_threshold_judged_on_used_reviews():
    rubric = Rubric(
        criteria=[
            Criterion("feasibility", max_score=30, threshold=23),
            Criterion("impact", max_score=30),
            Criterion("budget", max_score=40),
        ]
    )
    # Trimmed: feasibility 23.1667 ≥ 23 passes; all five: 22.5 < 23 fails.
    assert aggregate(TRIM_REVIEWS, rubric).for_proposal("P5").passes_thresholds
    mean_row = aggregate(TRIM_REVIEWS, rubric, method="mean").for_proposal("P5")
    assert mean_row.failed_thresholds == ("feasibility",)


# ----------------------------------------------------------------------------------------------
# Ties and tie-breaks
# ----------------------------------------------------------------------------------------------
# TA: E1 24+26+30 = 80, E2 26+24+30 = 80 → final 80, feasibility 25, impact 25, spread 0
# TB: E1 28+22+30 = 80, E2 26+24+30 = 80 → final 80, feasibility 27, impact 23, spread 0
# TC: E1 30+30+30 = 90, E2 20+20+30 = 70 → final 80, feasibility 25, impact 25, spread 10
# TD: E1 30+30+40 = 100, E2 30+30+39 = 99 → final 99.5 (clear winner)
TIE_REVIEWS = [
    R("TA", "E1", 24, 26, 30),
    R("TA", "E2", 26, 24, 30),
    R("TB", "E1", 28, 22, 30),
    R("TB", "E2", 26, 24, 30),
    R("TC", "E1", 30, 30, 30),
    R("TC", "E2", 20, 20, 30),
    R("TD", "E1", 30, 30, 40),
    R("TD", "E2", 30, 30, 39),
]


def _order(result):
    return [(r.proposal, r.tie_broken_by) for r in result.ranking]


def test_tie_broken_by_configured_criterion():
    result = aggregate(TIE_REVIEWS, RUBRIC, tie_break=["feasibility", "impact"])
    # TB has feasibility 27 > 25; TA and TC tie on both criteria → lower spread (TA, 0) first.
    # tie_broken_by names what separated a row from the row *above* it with the same final.
    assert _order(result) == [("TD", None), ("TB", None), ("TA", "feasibility"), ("TC", "spread")]
    assert result.for_proposal("TD").final == 99.5


def test_tie_broken_by_other_criterion_order():
    result = aggregate(TIE_REVIEWS, RUBRIC, tie_break=["impact"])
    # impact: TA 25, TC 25, TB 23 → TA and TC (spread decides: TA) before TB.
    assert _order(result) == [("TD", None), ("TA", None), ("TC", "spread"), ("TB", "impact")]


def test_without_tie_break_spread_then_proposal_id():
    result = aggregate(TIE_REVIEWS, RUBRIC)
    # TA and TB both spread 0 → id order; TC has spread 10.
    assert _order(result) == [("TD", None), ("TA", None), ("TB", "proposal"), ("TC", "spread")]
    assert [r.rank for r in result.ranking] == [1, 2, 3, 4]


def test_unknown_tie_break_key():
    with pytest.raises(ValueError, match="tie_break key 'novelty'"):
        aggregate(TIE_REVIEWS, RUBRIC, tie_break=["novelty"])
    with pytest.raises(TypeError):
        aggregate(TIE_REVIEWS, RUBRIC, tie_break="feasibility")


# ----------------------------------------------------------------------------------------------
# Thresholds
# ----------------------------------------------------------------------------------------------
THRESH_RUBRIC = Rubric(
    criteria=[
        Criterion("feasibility", max_score=30, threshold=18),
        Criterion("impact", max_score=30),
        Criterion("budget", max_score=40),
    ],
    overall_threshold=70,
)


def test_thresholds():
    reviews = [
        # TF: 15+28+38 = 81, 18+27+36 = 81 → final 81 ≥ 70, feasibility (15+18)/2 = 16.5 < 18
        R("TF", "E1", 15, 28, 38),
        R("TF", "E2", 18, 27, 36),
        # TO: 20+20+29 = 69, 20+20+30.5 = 70.5 → final 69.75 < 70, feasibility 20 ≥ 18
        R("TO", "E1", 20, 20, 29),
        R("TO", "E2", 20, 20, 30.5),
        # TX: exactly on both lines: 69 and 71 → 70; feasibility 17 and 19 → 18
        R("TX", "E1", 17, 22, 30),
        R("TX", "E2", 19, 22, 30),
        # TZ: fails both: 10+10+10 = 30 twice; feasibility 10
        R("TZ", "E1", 10, 10, 10),
        R("TZ", "E2", 10, 10, 10),
    ]
    result = aggregate(reviews, THRESH_RUBRIC)
    tf, to, tx, tz = (result.for_proposal(p) for p in ("TF", "TO", "TX", "TZ"))
    assert (tf.final, tf.passes_thresholds, tf.failed_thresholds) == (81, False, ("feasibility",))
    assert (to.final, to.passes_thresholds, to.failed_thresholds) == (69.75, False, (OVERALL,))
    assert (tx.final, tx.passes_thresholds, tx.failed_thresholds) == (70, True, ())
    assert tz.failed_thresholds == ("feasibility", OVERALL)


def test_consensus_overrides_final():
    reviews = [R("TO", "E1", 20, 20, 29), R("TO", "E2", 20, 20, 30.5), R("TX", "E1", 20, 22, 30)]
    result = aggregate(reviews, THRESH_RUBRIC, consensus={"TO": 75})
    to = result.for_proposal("TO")
    assert to.computed == 69.75 and to.final == 75 and to.consensus_applied
    assert to.passes_thresholds  # overall judged on the consensus score
    assert [r.proposal for r in result.ranking] == ["TO", "TX"]  # 75 > 72
    with pytest.raises(ValueError, match="unknown proposal 'NOPE'"):
        aggregate(reviews, THRESH_RUBRIC, consensus={"NOPE": 50})
    with pytest.raises(ValueError, match="outside"):
        aggregate(reviews, THRESH_RUBRIC, consensus={"TO": 101})


# ----------------------------------------------------------------------------------------------
# Totals
# ----------------------------------------------------------------------------------------------


def test_weighted_total():
    rubric = Rubric(
        criteria=[
            Criterion("a", max_score=10, weight=1),
            Criterion("b", max_score=20, weight=1),
            Criterion("c", max_score=40, weight=2),
        ],
        total="weighted",
    )
    # 100 × (1·5/10 + 1·20/20 + 2·10/40) / (1+1+2) = 100 × (0.5 + 1 + 0.5) / 4 = 50
    result = aggregate([ReviewScores("P", "E", {"a": 5, "b": 20, "c": 10})], rubric)
    assert result.ranking[0].final == pytest.approx(50.0)
    assert result.scale_max == 100.0
    # The same sheet under "sum" is 5 + 20 + 10 = 35 points of 70.
    plain = Rubric(criteria=rubric.criteria)
    assert aggregate([ReviewScores("P", "E", {"a": 5, "b": 20, "c": 10})], plain).ranking[0].final == 35
    assert plain.scale_max == 70


def test_weighted_total_thirty_thirty_forty():
    rubric = Rubric(criteria=RUBRIC.criteria, total="weighted")
    # 100 × (0.3·15/30 + 0.3·30/30 + 0.4·20/40) / 1.0 = 100 × (0.15 + 0.3 + 0.2) = 65
    assert rubric.total_of({"feasibility": 15, "impact": 30, "budget": 20}) == pytest.approx(65.0)


# ----------------------------------------------------------------------------------------------
# Calibration
# ----------------------------------------------------------------------------------------------


def test_calibration_tiny_example():
    # E1 totals 60, 70, 80 (mean 70, population SD √(200/3)); E2 totals 80, 85, 90
    # (mean 85, SD √(50/3)). Both z-vectors are (−√1.5, 0, +√1.5).
    # All six totals: M = 465/6 = 77.5; S² = (17.5²+7.5²+2.5²+2.5²+7.5²+12.5²)/6 = 587.5/6.
    # S·√1.5 = √(587.5/4) = √146.875 ≈ 12.1192 → P1 = 77.5 − 12.1192 for both experts.
    table = {"P1": {"E1": 60, "E2": 80}, "P2": {"E1": 70, "E2": 85}, "P3": {"E1": 80, "E2": 90}}
    result = aggregate(one_criterion_reviews(table), SINGLE, calibrate=True)
    shift = math.sqrt(146.875)
    p1, p2, p3 = (result.for_proposal(p) for p in ("P1", "P2", "P3"))
    assert p1.mean == 70 and p2.mean == 77.5 and p3.mean == 85
    assert p1.calibrated_mean == pytest.approx(77.5 - shift)
    assert p2.calibrated_mean == pytest.approx(77.5)
    assert p3.calibrated_mean == pytest.approx(77.5 + shift)
    assert p1.final == p1.calibrated_mean
    assert result.notes == ()


def test_calibration_changes_ranking_when_harsh_expert_reads_one_side():
    # E1 (harsh) reads P1 and P2; E2 (lenient) reads P3 and P4; E3 reads everything.
    #   P1: E1 50, E3 80   P2: E1 60, E3 82   P3: E2 88, E3 78   P4: E2 92, E3 81
    # Raw means: P1 65, P2 71, P3 83, P4 86.5. Within each of E1 and E2, z = ∓1, so E1's
    # harshness and E2's lenience vanish, leaving E3's own spread to order proposals.
    table = {
        "P1": {"E1": 50, "E3": 80},
        "P2": {"E1": 60, "E3": 82},
        "P3": {"E2": 88, "E3": 78},
        "P4": {"E2": 92, "E3": 81},
    }
    raw = aggregate(one_criterion_reviews(table), SINGLE)
    cal = aggregate(one_criterion_reviews(table), SINGLE, calibrate=True)
    assert [r.proposal for r in raw.ranking] == ["P4", "P3", "P2", "P1"]
    # Calibrated: E1 z = (−1, +1) on P1, P2; E2 z = (−1, +1) on P3, P4; E3 totals 80, 82, 78, 81
    # (mean 80.25, SD √(8.75/4) ≈ 1.479) → z ≈ −0.169, +1.183, −1.521, +0.507.
    # Each proposal's calibrated mean is M + S × (mean of its two z):
    #   P1 (−1 − 0.169)/2 = −0.585   P2 (1 + 1.183)/2 = +1.092
    #   P3 (−1 − 1.521)/2 = −1.261   P4 (1 + 0.507)/2 = +0.754
    # → P2, P4, P1, P3: the harsh reader no longer sinks P1 and P2.
    assert [r.proposal for r in cal.ranking] == ["P2", "P4", "P1", "P3"]
    big_m = 611 / 8
    big_s = math.sqrt(sum((x - big_m) ** 2 for x in (50, 80, 60, 82, 88, 78, 92, 81)) / 8)
    e3 = [80, 82, 78, 81]
    e3_sd = math.sqrt(sum((x - 80.25) ** 2 for x in e3) / 4)
    z_p1 = (-1 + (80 - 80.25) / e3_sd) / 2
    assert cal.for_proposal("P1").calibrated_mean == pytest.approx(big_m + big_s * z_p1)


def test_calibration_leaves_single_and_constant_experts_with_note():
    table = {
        "P1": {"E1": 60, "E2": 70, "E9": 75},  # E9 reviewed once
        "P2": {"E1": 80, "E2": 70},  # E2 gives 70 everywhere
    }
    result = aggregate(one_criterion_reviews(table), SINGLE, calibrate=True)
    assert any("'E9' has one review" in n for n in result.notes)
    assert any("'E2' gave every proposal the same total" in n for n in result.notes)
    # All totals: 60, 70, 75, 80, 70 → M = 71, S² = (121+1+16+81+1)/5 = 44.
    # E1's z = ∓1 → 71 ∓ √44; E2 and E9 stay 70 and 75.
    s = math.sqrt(44)
    assert result.for_proposal("P1").calibrated_mean == pytest.approx(((71 - s) + 70 + 75) / 3)
    assert result.for_proposal("P2").calibrated_mean == pytest.approx(((71 + s) + 70) / 2)


# ----------------------------------------------------------------------------------------------
# Agreement
# ----------------------------------------------------------------------------------------------

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", interval example:
# 4 observers × 12 units with missing values; α_interval = 0.849.
NAN = np.nan
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
).T  # units × observers

# Shrout & Fleiss (1979) Table 2: 6 targets × 4 judges; ICC(1,1) = .17, ICC(2,1) = .29.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], dtype=float
)


def slow_alpha_interval(matrix: np.ndarray) -> float | None:
    """Krippendorff's alpha via the coincidence matrix of values (his value-by-value method)."""
    units = [[v for v in row if not math.isnan(v)] for row in matrix.tolist()]
    units = [u for u in units if len(u) >= 2]
    if len(units) < 2:  # agreement across units needs at least two of them
        return None
    coincidence: dict[tuple[float, float], float] = {}
    for u in units:
        for i, j in itertools.permutations(range(len(u)), 2):
            key = (u[i], u[j])
            coincidence[key] = coincidence.get(key, 0.0) + 1.0 / (len(u) - 1)
    marginals: dict[float, float] = {}
    for (c, _k), o in coincidence.items():
        marginals[c] = marginals.get(c, 0.0) + o
    n = sum(marginals.values())
    observed = sum(o * (c - k) ** 2 for (c, k), o in coincidence.items())
    expected = sum(nc * nk * (c - k) ** 2 for c, nc in marginals.items() for k, nk in marginals.items())
    if expected == 0:
        return None
    return 1.0 - (n - 1) * observed / expected


def test_krippendorff_textbook_value():
    assert round(krippendorff_alpha_interval(KRIPPENDORFF_2011), 3) == 0.849
    assert krippendorff_alpha_interval(KRIPPENDORFF_2011) == pytest.approx(
        slow_alpha_interval(KRIPPENDORFF_2011)
    )


def test_krippendorff_textbook_through_aggregate():
    reviews = [
        ReviewScores(f"U{u + 1:02d}", f"O{o + 1}", {"score": float(v)})
        for (u, o), v in np.ndenumerate(KRIPPENDORFF_2011)
        if not math.isnan(v)
    ]
    rubric = Rubric(criteria=[Criterion("score", max_score=5)], step=1)
    agreement = aggregate(reviews, rubric).agreement
    assert agreement.krippendorff_alpha == pytest.approx(0.8491071428571428)
    assert agreement.n_units == 11  # unit 12 has a single value
    assert agreement.n_pairable_values == 40
    assert not agreement.complete_design and agreement.icc2_1 is None


def test_icc_textbook_values():
    assert round(icc1(SHROUT_FLEISS), 2) == 0.17
    assert round(icc2_1(SHROUT_FLEISS), 2) == 0.29


def test_perfect_agreement():
    table = {p: {e: total for e in ("E1", "E2", "E3")} for p, total in (("P1", 60), ("P2", 75), ("P3", 90))}
    agreement = aggregate(one_criterion_reviews(table), SINGLE).agreement
    assert agreement.krippendorff_alpha == pytest.approx(1.0)
    assert agreement.icc1 == pytest.approx(1.0)
    assert agreement.icc2_1 == pytest.approx(1.0)
    assert agreement.complete_design


def test_agreement_undefined_without_variation():
    table = {"P1": {"E1": 70, "E2": 70}, "P2": {"E1": 70, "E2": 70}}
    agreement = aggregate(one_criterion_reviews(table), SINGLE).agreement
    assert agreement.krippendorff_alpha is None
    assert agreement.notes


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, 20)), min_size=3, max_size=3),
        min_size=2,
        max_size=8,
    )
)
def test_alpha_matches_slow_implementation(rows):
    matrix = np.array([[NAN if v is None else float(v) for v in row] for row in rows])
    fast, slow = krippendorff_alpha_interval(matrix), slow_alpha_interval(matrix)
    if slow is None:
        assert fast is None
    else:
        assert fast == pytest.approx(slow, abs=1e-9)


# ----------------------------------------------------------------------------------------------
# Expert flags
# ----------------------------------------------------------------------------------------------


def harsh_panel() -> dict[str, dict[str, float]]:
    # Base quality per proposal; E1–E3 add noise that sums to zero per proposal, so the mean
    # of E1–E3 equals the base exactly. E4 scores base − 10 every time.
    base = [70, 75, 80, 65, 85, 72]
    noise = {"E1": [1, -1, 0, 1, -1, 0], "E2": [-1, 0, 1, 0, 1, -1], "E3": [0, 1, -1, -1, 0, 1]}
    table: dict[str, dict[str, float]] = {}
    for k, b in enumerate(base):
        row = {e: b + n[k] for e, n in noise.items()}
        row["E4"] = b - 10
        table[f"P{k + 1}"] = row
    return table


def test_consistently_harsh_expert_is_flagged():
    result = aggregate(one_criterion_reviews(harsh_panel()), SINGLE)
    assert [f.expert for f in result.expert_flags] == ["E4"]
    e4 = result.expert_flags[0]
    # Co-reviewers of E4 on P_k are E1–E3 whose mean is the base → deviation −10 each time.
    assert e4.mean_signed_deviation == pytest.approx(-10)
    assert e4.n_compared == 6 and e4.same_sign_share == 1.0
    assert e4.direction == "harsh" and e4.z < -2
    assert "엄격" in e4.reason and "6건 중 6건 낮게" in e4.reason
    others = {s.expert: s for s in result.expert_stats if s.expert != "E4"}
    assert not any(s.flagged for s in others.values())


def test_lenient_but_inconsistent_expert_not_flagged():
    table = harsh_panel()
    for k, p in enumerate(sorted(table)):
        table[p]["E4"] = table[p]["E1"] + (8 if k % 2 == 0 else -6)  # +1 on average, alternating sign
    result = aggregate(one_criterion_reviews(table), SINGLE)
    assert result.expert_flags == ()


def test_expert_with_too_few_reviews_not_flagged():
    table = {p: row for p, row in list(harsh_panel().items())[:2]}
    result = aggregate(one_criterion_reviews(table), SINGLE)
    e4 = next(s for s in result.expert_stats if s.expert == "E4")
    assert e4.direction == "harsh" and not e4.flagged and "기준 미달" in e4.reason


# ----------------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "fragment"),
    [
        (
            {"feasibility": 31, "impact": 10, "budget": 10},
            "criterion 'feasibility': score 31 is outside 0..30",
        ),
        ({"feasibility": -0.5, "impact": 10, "budget": 10}, "criterion 'feasibility': score -0.5 is outside"),
        (
            {"feasibility": 25.3, "impact": 10, "budget": 10},
            "criterion 'feasibility': score 25.3 is not a multiple of 0.5",
        ),
        ({"feasibility": 25, "impact": 10}, "criterion 'budget': score missing"),
        (
            {"feasibility": 25, "impact": 10, "budget": 10, "novelty": 3},
            "criterion 'novelty': not in the rubric",
        ),
        ({"feasibility": float("nan"), "impact": 10, "budget": 10}, "not a finite number"),
        ({"feasibility": "25", "impact": 10, "budget": 10}, "not a finite number"),
        ({"feasibility": True, "impact": 10, "budget": 10}, "not a finite number"),
    ],
)
def test_invalid_scores_name_proposal_expert_criterion(scores, fragment):
    reviews = [ReviewScores("P7", "E3", scores)]
    with pytest.raises(ValueError) as exc:
        aggregate(reviews, RUBRIC)
    message = str(exc.value)
    assert "proposal 'P7'" in message and "expert 'E3'" in message
    assert fragment in message


def test_half_points_accepted_at_the_edges():
    result = aggregate([R("P", "E", 29.5, 0.5, 40)], RUBRIC)
    assert result.ranking[0].final == 70


def test_duplicate_review_rejected():
    with pytest.raises(ValueError, match="more than one review"):
        aggregate([R("P", "E", 1, 1, 1), R("P", "E", 2, 2, 2)], RUBRIC)


def test_empty_and_bad_rubrics():
    with pytest.raises(ValueError, match="no reviews"):
        aggregate([], RUBRIC)
    with pytest.raises(ValueError, match="unique"):
        Rubric(criteria=[Criterion("a", 10), Criterion("a", 10)])
    with pytest.raises(ValueError, match="reserved"):
        Criterion(OVERALL, 10)
    with pytest.raises(ValueError, match="threshold"):
        Criterion("a", 10, threshold=11)
    with pytest.raises(ValueError, match="overall_threshold"):
        Rubric(criteria=[Criterion("a", 10)], overall_threshold=11)
    with pytest.raises(ValueError):
        Rubric(criteria=[])
    with pytest.raises(ValueError, match="method|AggregationMethod|valid"):
        aggregate([R("P", "E", 1, 1, 1)], RUBRIC, method="median")


def test_review_scores_are_copied():
    scores = {"feasibility": 10, "impact": 10, "budget": 10}
    review = ReviewScores("P", "E", scores)
    scores["feasibility"] = 99
    assert review.scores["feasibility"] == 10


# ----------------------------------------------------------------------------------------------
# Determinism
# ----------------------------------------------------------------------------------------------


def test_input_order_does_not_matter():
    reviews = TRIM_REVIEWS + TIE_REVIEWS + one_criterion_reviews({})
    expected = aggregate(reviews, RUBRIC, calibrate=True, tie_break=["impact"])
    rng = random.Random(20240101)
    for _ in range(5):
        shuffled = reviews[:]
        rng.shuffle(shuffled)
        again = aggregate(shuffled, RUBRIC, calibrate=True, tie_break=["impact"])
        assert again.as_rows() == expected.as_rows()
        assert again.agreement == expected.agreement
        assert again.expert_stats == expected.expert_stats
        assert again.notes == expected.notes
