"""Rubric, criteria and review sheets for proposal evaluation, with input validation."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

__all__ = [
    "OVERALL",
    "AggregationMethod",
    "Criterion",
    "ReviewScores",
    "Rubric",
    "TotalMode",
]

# Name used in ``failed_thresholds`` for the overall threshold; no criterion may take it.
OVERALL = "overall"

TotalMode = Literal["sum", "weighted"]


class AggregationMethod(StrEnum):
    """How the review totals of one proposal become its score.

    * ``MEAN`` — plain mean of all totals.
    * ``TRIMMED`` — drop the single highest and single lowest total when the proposal has at
      least ``trim_min_reviews`` (default 5) reviews (최고·최저점 제외), plain mean otherwise
      (with a note saying so).
    * ``AUTO`` — the same arithmetic as ``TRIMMED`` without the note: the usual Korean
      committee practice, hence the default.
    """

    MEAN = "mean"
    TRIMMED = "trimmed"
    AUTO = "auto"


def _finite_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True, slots=True)
class Criterion:
    """One line of the evaluation sheet, scored from 0 to ``max_score`` points.

    ``weight`` matters only for ``Rubric(total="weighted")``; ``threshold`` is the 과락 line:
    the criterion's mean over the reviews used must be at least this many points.
    """

    key: str
    max_score: float
    weight: float = 1.0
    threshold: float | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ValueError("criterion key must be a non-empty str")
        if self.key == OVERALL:
            raise ValueError(f"criterion key {OVERALL!r} is reserved for the overall threshold")
        if not _finite_number(self.max_score) or self.max_score <= 0:
            raise ValueError(f"criterion {self.key!r}: max_score must be a positive number")
        if not _finite_number(self.weight) or self.weight < 0:
            raise ValueError(f"criterion {self.key!r}: weight must be a non-negative number")
        if self.threshold is not None and (
            not _finite_number(self.threshold) or not 0 <= self.threshold <= self.max_score
        ):
            raise ValueError(f"criterion {self.key!r}: threshold must lie within 0..{self.max_score}")


@dataclass(frozen=True)
class Rubric:
    """The evaluation sheet.

    ``total="sum"`` (default): a review's total is the plain sum of criterion points, as on
    Korean sheets that allot points per criterion (30 + 30 + 40 = 100); weights are ignored
    and the scale runs to the sum of ``max_score``.

    ``total="weighted"``: each criterion is normalised to its own range and weighted,
    ``100 × Σ wᵢ·(sᵢ / maxᵢ) / Σ wᵢ``, so the scale is 0–100 whatever the point allotment.

    ``overall_threshold`` is on the same scale as the total. ``step`` is the scoring grain
    (half points by default).
    """

    criteria: Sequence[Criterion]
    overall_threshold: float | None = None
    total: TotalMode = "sum"
    step: float = 0.5

    def __post_init__(self) -> None:
        criteria = tuple(self.criteria)
        object.__setattr__(self, "criteria", criteria)
        if not criteria:
            raise ValueError("a rubric needs at least one criterion")
        keys = [c.key for c in criteria]
        if len(set(keys)) != len(keys):
            raise ValueError(f"criterion keys must be unique, got {keys}")
        if self.total not in ("sum", "weighted"):
            raise ValueError(f"total must be 'sum' or 'weighted', got {self.total!r}")
        if self.total == "weighted" and sum(c.weight for c in criteria) <= 0:
            raise ValueError("total='weighted' needs at least one positive weight")
        if not _finite_number(self.step) or self.step <= 0:
            raise ValueError("step must be a positive number")
        if self.overall_threshold is not None and (
            not _finite_number(self.overall_threshold) or not 0 <= self.overall_threshold <= self.scale_max
        ):
            raise ValueError(f"overall_threshold must lie within 0..{self.scale_max}")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.criteria)

    @property
    def scale_max(self) -> float:
        """Highest possible total."""
        if self.total == "weighted":
            return 100.0
        return float(math.fsum(c.max_score for c in self.criteria))

    def criterion(self, key: str) -> Criterion:
        for c in self.criteria:
            if c.key == key:
                return c
        raise KeyError(key)

    def total_of(self, scores: Mapping[str, float]) -> float:
        """Total of one (already validated) review."""
        if self.total == "sum":
            return float(math.fsum(scores[c.key] for c in self.criteria))
        weight_sum = math.fsum(c.weight for c in self.criteria)
        return 100.0 * math.fsum(c.weight * scores[c.key] / c.max_score for c in self.criteria) / weight_sum

    def validate(self, review: ReviewScores) -> None:
        """Raise ``ValueError`` naming proposal, expert and criterion for any bad score."""
        where = f"proposal {review.proposal!r}, expert {review.expert!r}"
        unknown = sorted(set(review.scores) - set(self.keys))
        if unknown:
            raise ValueError(f"{where}, criterion {unknown[0]!r}: not in the rubric")
        for c in self.criteria:
            if c.key not in review.scores:
                raise ValueError(f"{where}, criterion {c.key!r}: score missing")
            s = review.scores[c.key]
            if not _finite_number(s):
                raise ValueError(f"{where}, criterion {c.key!r}: score {s!r} is not a finite number")
            if not 0 <= s <= c.max_score:
                raise ValueError(f"{where}, criterion {c.key!r}: score {s} is outside 0..{c.max_score}")
            steps = s / self.step
            if abs(steps - round(steps)) > 1e-9:
                raise ValueError(f"{where}, criterion {c.key!r}: score {s} is not a multiple of {self.step}")


@dataclass(frozen=True)
class ReviewScores:
    """One expert's sheet for one proposal: criterion key → points."""

    proposal: str
    expert: str
    scores: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("proposal", "expert"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"review {name} must be a non-empty str, got {value!r}")
        # Copy so later mutation of the caller's dict cannot change a computed result.
        object.__setattr__(self, "scores", MappingProxyType(dict(self.scores)))
