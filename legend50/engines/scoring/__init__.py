"""Score aggregation for proposal evaluation (평가위원 채점 집계).

Experts score each proposal on a rubric of criteria (points per criterion, half points
allowed). :func:`aggregate` turns the sheets into a ranking with plain, trimmed
(최고·최저점 제외) and optionally z-score-calibrated means, per-criterion and overall
thresholds (과락), configurable tie-breaks, consensus overrides, rater agreement
(Krippendorff's alpha, ICC) and flags for experts who sit consistently above or below their
co-reviewers. Pure Python + numpy, deterministic.

>>> rubric = Rubric(criteria=[Criterion("plan", max_score=60), Criterion("impact", max_score=40)])
>>> result = aggregate([ReviewScores("P1", "E1", {"plan": 50, "impact": 30.5})], rubric)
>>> result.ranking[0].final
80.5
"""

from legend50.engines.scoring.aggregate import AggregationResult, ExpertStat, ProposalResult, aggregate
from legend50.engines.scoring.agreement import (
    Agreement,
    agreement,
    icc1,
    icc2_1,
    krippendorff_alpha_interval,
)
from legend50.engines.scoring.model import (
    OVERALL,
    AggregationMethod,
    Criterion,
    ReviewScores,
    Rubric,
    TotalMode,
)

__all__ = [
    "OVERALL",
    "AggregationMethod",
    "AggregationResult",
    "Agreement",
    "Criterion",
    "ExpertStat",
    "ProposalResult",
    "ReviewScores",
    "Rubric",
    "TotalMode",
    "aggregate",
    "agreement",
    "icc1",
    "icc2_1",
    "krippendorff_alpha_interval",
]
