"""Turn expert review sheets into a ranked, threshold-checked result for one call.

Pipeline (every step deterministic; input order never matters):

1. Validate every sheet against the rubric (ranges, half points, missing/unknown criteria,
   duplicate proposal–expert pairs) — ``ValueError`` naming proposal, expert and criterion.
2. Total each sheet (``Rubric.total``: plain sum of points, or weighted normalisation).
3. Optional per-expert calibration: each expert's totals become z-scores over the proposals
   that expert reviewed (population SD), mapped back as ``M + S·z`` where ``M``, ``S`` are the
   mean and population SD of all totals in the call. An expert with a single review or zero
   variance keeps raw totals, with a note. Calibrated totals are not clipped to the scale.
4. Per proposal: mean; trimmed mean (drop one highest and one lowest total when there are at
   least ``trim_min_reviews`` reviews — ties for highest/lowest are broken by expert id so the
   dropped sheets are always the same); calibrated mean (same trimming, on calibrated totals).
   ``final`` is the calibrated value when calibrating, else the trimmed or plain mean by
   method; a ``consensus`` score replaces it where given.
5. Thresholds: each criterion's mean over the *used* sheets (after trimming) must reach its
   threshold; ``final`` must reach ``overall_threshold``. Comparisons allow 1e-9 of float noise.
6. Ranking: ``final`` descending; then the ``tie_break`` criterion means, descending, in the
   given order; then lower spread (population SD of the used totals) first; then proposal id
   ascending. Ranks are therefore unique; ``tie_broken_by`` says which key separated a row from
   the one above when their finals were equal.
7. Agreement (Krippendorff's alpha interval, ICC(1), ICC(2,1) where complete) on raw totals.
8. Expert flags: for each sheet, deviation = total − mean of the co-reviewers' totals on the
   same proposal. An expert is flagged when, over at least ``flag_min_reviews`` compared
   sheets, the mean signed deviation D has |z| ≥ ``flag_z`` with z = D / (σ / √n), σ being
   the sample SD of the *other* experts' deviations, and at least ``flag_consistency`` of the
   expert's deviations share D's sign. Negative D = harsh (엄격), positive = lenient (관대).
"""

from __future__ import annotations

import math
import numbers
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from legend50.engines.scoring.agreement import Agreement, agreement
from legend50.engines.scoring.model import OVERALL, AggregationMethod, ReviewScores, Rubric

__all__ = ["AggregationResult", "ExpertStat", "ProposalResult", "aggregate"]

_EPS = 1e-9
_ROUND = 9  # decimals used when comparing floats for ties


@dataclass(frozen=True, slots=True)
class ProposalResult:
    """One row of the ranking."""

    proposal: str
    rank: int
    n_reviews: int
    n_used: int
    experts: tuple[str, ...]
    dropped_experts: tuple[str, ...]
    mean: float
    trimmed_mean: float | None  # None when fewer than trim_min_reviews sheets
    calibrated_mean: float | None  # None unless calibrate=True
    computed: float  # final before any consensus override
    final: float
    method_used: str  # "mean" | "trimmed"
    consensus_applied: bool
    criterion_means: Mapping[str, float]
    spread: float
    passes_thresholds: bool
    failed_thresholds: tuple[str, ...]
    tie_broken_by: str | None
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        row = {f: getattr(self, f) for f in self.__slots__}
        row["criterion_means"] = dict(self.criterion_means)
        return row


@dataclass(frozen=True, slots=True)
class ExpertStat:
    """How one expert's totals compare with co-reviewers'."""

    expert: str
    n_reviews: int
    n_compared: int
    mean_signed_deviation: float | None
    mean_abs_deviation: float | None
    z: float | None
    same_sign_share: float | None
    direction: str | None  # "harsh" | "lenient" | None
    flagged: bool
    reason: str


@dataclass(frozen=True)
class AggregationResult:
    ranking: tuple[ProposalResult, ...]
    agreement: Agreement
    expert_flags: tuple[ExpertStat, ...]
    expert_stats: tuple[ExpertStat, ...]
    method: AggregationMethod
    calibrate: bool
    total_mode: str
    scale_max: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def for_proposal(self, proposal: str) -> ProposalResult:
        for row in self.ranking:
            if row.proposal == proposal:
                return row
        raise KeyError(proposal)

    def as_rows(self) -> list[dict[str, Any]]:
        return [row.as_dict() for row in self.ranking]


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _pop_sd(values: Sequence[float]) -> float:
    if len(values) < 2:
        return 0.0
    mu = _mean(values)
    return math.sqrt(math.fsum((v - mu) ** 2 for v in values) / len(values))


def _calibrate(reviews: Sequence[ReviewScores], totals: Sequence[float]) -> tuple[list[float], list[str]]:
    notes: list[str] = []
    big_m, big_s = _mean(totals), _pop_sd(totals)
    calibrated = list(totals)
    if big_s == 0.0:
        notes.append("calibration skipped: every total in the call is the same")
        return calibrated, notes
    by_expert: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(reviews):
        by_expert[r.expert].append(i)
    for expert in sorted(by_expert):
        idx = by_expert[expert]
        values = [totals[i] for i in idx]
        if len(idx) < 2:
            notes.append(f"expert {expert!r} has one review; left uncalibrated")
            continue
        mu, sd = _mean(values), _pop_sd(values)
        if sd == 0.0:
            notes.append(f"expert {expert!r} gave every proposal the same total; left uncalibrated")
            continue
        for i in idx:
            calibrated[i] = big_m + big_s * (totals[i] - mu) / sd
    return calibrated, notes


def _expert_stats(
    reviews: Sequence[ReviewScores],
    totals: Sequence[float],
    *,
    flag_z: float,
    flag_min_reviews: int,
    flag_consistency: float,
) -> tuple[ExpertStat, ...]:
    by_proposal: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(reviews):
        by_proposal[r.proposal].append(i)
    deviations: dict[str, list[float]] = defaultdict(list)
    n_reviews: dict[str, int] = defaultdict(int)
    for i, r in enumerate(reviews):
        n_reviews[r.expert] += 1
        others = [totals[j] for j in by_proposal[r.proposal] if j != i]
        if others:
            deviations[r.expert].append(totals[i] - _mean(others))

    stats: list[ExpertStat] = []
    for expert in sorted(n_reviews):
        devs = deviations.get(expert, [])
        n = len(devs)
        if n == 0:
            stats.append(
                ExpertStat(expert, n_reviews[expert], 0, None, None, None, None, None, False,
                           "공동 평가위원이 없어 비교 불가 (no co-reviewers)")
            )  # fmt: skip
            continue
        d = _mean(devs)
        mad = _mean([abs(x) for x in devs])
        pooled_others = [x for e, xs in deviations.items() if e != expert for x in xs]
        z: float | None = None
        if len(pooled_others) >= 2:
            mu_o = _mean(pooled_others)
            sigma = math.sqrt(math.fsum((x - mu_o) ** 2 for x in pooled_others) / (len(pooled_others) - 1))
            if sigma > 0:
                z = d / (sigma / math.sqrt(n))
            else:
                z = 0.0 if abs(d) <= _EPS else math.copysign(math.inf, d)
        direction = None if abs(d) <= _EPS else ("harsh" if d < 0 else "lenient")
        same = sum(1 for x in devs if (x < -_EPS if d < 0 else x > _EPS)) if direction else 0
        share = same / n
        flagged = (
            direction is not None
            and z is not None
            and n >= flag_min_reviews
            and abs(z) >= flag_z
            and share >= flag_consistency
        )
        word = {"harsh": "낮게", "lenient": "높게"}.get(direction or "", "")
        kind = {"harsh": "엄격 (harsh)", "lenient": "관대 (lenient)"}.get(direction or "", "편차 없음")
        z_text = "n/a" if z is None else f"{z:+.2f}"
        reason = (
            f"공동 평가위원 평균 대비 평균 {d:+.2f}점, z={z_text}, {n}건 중 {same}건 {word} 채점 → {kind}"
            if direction
            else f"공동 평가위원 평균과 차이 없음 (mean deviation {d:+.2f}, {n}건)"
        )
        if not flagged and direction:
            reason += (
                f"; 기준 미달 — 표시 기준: {flag_min_reviews}건 이상, |z| ≥ {flag_z}, "
                f"같은 방향 {flag_consistency:.0%} 이상"
            )
        stats.append(ExpertStat(expert, n_reviews[expert], n, d, mad, z, share, direction, flagged, reason))
    return tuple(stats)


def aggregate(
    reviews: Iterable[ReviewScores],
    rubric: Rubric,
    method: AggregationMethod | str = AggregationMethod.AUTO,
    *,
    calibrate: bool = False,
    tie_break: Sequence[str] = (),
    consensus: Mapping[str, float] | None = None,
    trim_min_reviews: int = 5,
    flag_z: float = 2.0,
    flag_min_reviews: int = 3,
    flag_consistency: float = 0.75,
) -> AggregationResult:
    """Aggregate review sheets into a ranking; see the module docstring for every rule."""
    method = AggregationMethod(method)
    if isinstance(tie_break, str):
        raise TypeError("tie_break must be a sequence of criterion keys, not a str")
    for key in tie_break:
        if key not in rubric.keys:
            raise ValueError(f"tie_break key {key!r} is not a criterion of the rubric")
    if trim_min_reviews < 3:
        raise ValueError("trim_min_reviews must be at least 3 (two sheets are dropped)")

    ordered = sorted(reviews, key=lambda r: (r.proposal, r.expert))
    if not ordered:
        raise ValueError("no reviews to aggregate")
    seen: set[tuple[str, str]] = set()
    for r in ordered:
        if (r.proposal, r.expert) in seen:
            raise ValueError(f"proposal {r.proposal!r}, expert {r.expert!r}: more than one review")
        seen.add((r.proposal, r.expert))
        rubric.validate(r)

    consensus = dict(consensus or {})
    proposals = sorted({r.proposal for r in ordered})
    for p, value in consensus.items():
        if p not in proposals:
            raise ValueError(f"consensus score given for unknown proposal {p!r}")
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ValueError(f"proposal {p!r}: consensus score {value!r} is not a finite number")
        if not 0 <= value <= rubric.scale_max:
            raise ValueError(f"proposal {p!r}: consensus score {value} is outside 0..{rubric.scale_max}")

    totals = [rubric.total_of(r.scores) for r in ordered]
    notes: list[str] = []
    calibrated: list[float] | None = None
    if calibrate:
        calibrated, cal_notes = _calibrate(ordered, totals)
        notes.extend(cal_notes)

    by_proposal: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(ordered):
        by_proposal[r.proposal].append(i)

    rows: list[dict[str, Any]] = []
    for p in proposals:
        idx = by_proposal[p]
        n = len(idx)
        row_notes: list[str] = []
        trim = method is not AggregationMethod.MEAN and n >= trim_min_reviews
        if method is AggregationMethod.TRIMMED and not trim:
            row_notes.append(f"{n} reviews (< {trim_min_reviews}): plain mean, nothing dropped")
        basis = calibrated if calibrated is not None else totals
        if trim:
            # Lowest and highest by (value, expert): equal totals drop the lower expert id
            # at the bottom and the higher expert id at the top.
            order = sorted(idx, key=lambda i: (basis[i], ordered[i].expert))
            dropped = {order[0], order[-1]}
            used = [i for i in idx if i not in dropped]
        else:
            dropped, used = set(), list(idx)

        raw_mean = _mean([totals[i] for i in idx])
        raw_trim = None
        if n >= trim_min_reviews:  # reported for information even under method="mean"
            raw_order = sorted(idx, key=lambda i: (totals[i], ordered[i].expert))
            raw_trim = _mean([totals[i] for i in raw_order[1:-1]])
        cal_mean = _mean([calibrated[i] for i in used]) if calibrated is not None else None
        if cal_mean is not None:
            computed = cal_mean
        else:
            computed = _mean([totals[i] for i in used])
        final = float(consensus[p]) if p in consensus else computed

        crit_means = {
            c.key: math.fsum(ordered[i].scores[c.key] for i in used) / len(used) for c in rubric.criteria
        }
        failed = [
            c.key
            for c in rubric.criteria
            if c.threshold is not None and crit_means[c.key] < c.threshold - _EPS
        ]
        if rubric.overall_threshold is not None and final < rubric.overall_threshold - _EPS:
            failed.append(OVERALL)
        rows.append(
            {
                "proposal": p,
                "n_reviews": n,
                "n_used": len(used),
                "experts": tuple(ordered[i].expert for i in idx),
                "dropped_experts": tuple(sorted(ordered[i].expert for i in dropped)),
                "mean": raw_mean,
                "trimmed_mean": raw_trim,
                "calibrated_mean": cal_mean,
                "computed": computed,
                "final": final,
                "method_used": "trimmed" if trim else "mean",
                "consensus_applied": p in consensus,
                "criterion_means": MappingProxyType(crit_means),
                "spread": _pop_sd([basis[i] for i in used]),
                "passes_thresholds": not failed,
                "failed_thresholds": tuple(failed),
                "notes": tuple(row_notes),
            }
        )

    def sort_key(row: dict[str, Any]) -> tuple:
        return (
            -round(row["final"], _ROUND),
            *(-round(row["criterion_means"][k], _ROUND) for k in tie_break),
            round(row["spread"], _ROUND),
            row["proposal"],
        )

    rows.sort(key=sort_key)
    ranking: list[ProposalResult] = []
    for position, row in enumerate(rows, start=1):
        broken_by = None
        if position > 1:
            prev = sort_key(rows[position - 2])
            cur = sort_key(row)
            if prev[0] == cur[0]:
                names = [*tie_break, "spread", "proposal"]
                broken_by = next(name for name, a, b in zip(names, prev[1:], cur[1:], strict=True) if a != b)
        ranking.append(ProposalResult(rank=position, tie_broken_by=broken_by, **row))

    experts = sorted({r.expert for r in ordered})
    col = {e: j for j, e in enumerate(experts)}
    row_of = {p: i for i, p in enumerate(proposals)}
    matrix = np.full((len(proposals), len(experts)), np.nan)
    for r, t in zip(ordered, totals, strict=True):
        matrix[row_of[r.proposal], col[r.expert]] = t

    stats = _expert_stats(
        ordered, totals, flag_z=flag_z, flag_min_reviews=flag_min_reviews, flag_consistency=flag_consistency
    )
    return AggregationResult(
        ranking=tuple(ranking),
        agreement=agreement(matrix),
        expert_flags=tuple(s for s in stats if s.flagged),
        expert_stats=stats,
        method=method,
        calibrate=calibrate,
        total_mode=rubric.total,
        scale_max=rubric.scale_max,
        notes=tuple(notes),
    )
