"""Input and output records of the assignment engine, with input validation."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["AssignmentProblem", "AssignmentResult"]


def _int_vector(value: Any, length: int, name: str) -> np.ndarray:
    """Broadcast an int or an integer array of shape (length,) to a non-negative int64 vector."""
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{name}: expected an int or an integer array, got a bool")
    if isinstance(value, numbers.Integral):
        if value < 0:
            raise ValueError(f"{name}: must be >= 0, got {value}")
        return np.full(length, int(value), dtype=np.int64)
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name}: expected an int or an integer array, got dtype {arr.dtype}")
    if arr.shape != (length,):
        raise ValueError(f"{name}: expected shape ({length},), got {arr.shape}")
    if length and arr.min() < 0:
        raise ValueError(f"{name}: entries must be >= 0, got min {arr.min()}")
    return arr.astype(np.int64, copy=False)


def _label_vector(value: Any, length: int, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name}: expected an integer array, got dtype {arr.dtype}")
    if arr.shape != (length,):
        raise ValueError(f"{name}: expected shape ({length},), got {arr.shape}")
    return arr.astype(np.int64, copy=False)


@dataclass(eq=False)  # array fields: element-wise == would make dataclass equality ambiguous
class AssignmentProblem:
    """One reviewer-assignment instance; see the package docstring for the model.

    ``affinity[i, j]`` scores expert ``j`` for proposal ``i`` (higher is better, any finite float).
    ``reviewers_per_proposal`` and ``max_load`` are ints or per-row / per-column int arrays.
    ``conflicts[i, j]`` True forbids the pair. ``expert_group`` (one label per expert) allows at
    most one expert of a group per proposal. ``expert_sector`` with ``min_per_sector``
    ({sector label: minimum}) reserves that many of each proposal's seats for the sector.
    Inputs are validated on construction; a bad one raises ValueError naming the argument.
    """

    affinity: np.ndarray
    reviewers_per_proposal: int | np.ndarray
    max_load: int | np.ndarray
    conflicts: np.ndarray | None = None
    expert_group: np.ndarray | None = field(default=None, kw_only=True)
    expert_sector: np.ndarray | None = field(default=None, kw_only=True)
    min_per_sector: dict[int, int] | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        aff = np.asarray(self.affinity)
        if aff.ndim != 2:
            raise ValueError(
                f"affinity: expected a 2-D array (n_proposals, n_experts), got shape {aff.shape}"
            )
        if aff.dtype == np.bool_ or not (
            np.issubdtype(aff.dtype, np.floating) or np.issubdtype(aff.dtype, np.integer)
        ):
            raise ValueError(f"affinity: expected a real numeric dtype, got {aff.dtype}")
        aff = aff.astype(np.float64, copy=False)
        if aff.size and not np.isfinite(aff).all():
            raise ValueError("affinity: contains NaN or infinite values")
        self.affinity = aff
        n_prop, n_exp = aff.shape

        self._quota = _int_vector(self.reviewers_per_proposal, n_prop, "reviewers_per_proposal")
        self._load = _int_vector(self.max_load, n_exp, "max_load")

        if self.conflicts is not None:
            conf = np.asarray(self.conflicts)
            if conf.dtype != np.bool_:
                raise ValueError(f"conflicts: expected a bool array, got dtype {conf.dtype}")
            if conf.shape != aff.shape:
                raise ValueError(f"conflicts: expected shape {aff.shape} like affinity, got {conf.shape}")
            self.conflicts = conf

        if self.expert_group is not None:
            self.expert_group = _label_vector(self.expert_group, n_exp, "expert_group")

        if self.min_per_sector is not None and self.expert_sector is None:
            raise ValueError("min_per_sector: given without expert_sector")
        if self.expert_sector is not None:
            self.expert_sector = _label_vector(self.expert_sector, n_exp, "expert_sector")
        if self.min_per_sector is not None:
            if not isinstance(self.min_per_sector, dict):
                raise ValueError("min_per_sector: expected a dict {sector: minimum per proposal}")
            for sector, minimum in self.min_per_sector.items():
                if isinstance(sector, bool) or not isinstance(sector, numbers.Integral):
                    raise ValueError(f"min_per_sector: sector labels must be ints, got {sector!r}")
                if isinstance(minimum, bool) or not isinstance(minimum, numbers.Integral) or minimum < 0:
                    raise ValueError(f"min_per_sector: minimum for sector {sector} must be an int >= 0")
            total_min = sum(int(m) for m in self.min_per_sector.values())
            short = np.flatnonzero((self._quota > 0) & (self._quota < total_min))
            if short.size:
                raise ValueError(
                    f"min_per_sector: minimums add up to {total_min}, more than "
                    f"reviewers_per_proposal {int(self._quota[short[0]])} of proposal {int(short[0])}"
                )

    @property
    def n_proposals(self) -> int:
        return int(self.affinity.shape[0])

    @property
    def n_experts(self) -> int:
        return int(self.affinity.shape[1])

    @property
    def quotas(self) -> np.ndarray:
        """Reviewers wanted per proposal, as an int64 vector."""
        return self._quota

    @property
    def loads(self) -> np.ndarray:
        """Maximum reviews per expert, as an int64 vector."""
        return self._load

    @property
    def required_sectors(self) -> dict[int, int]:
        """Sector minimums that actually bind (minimum > 0)."""
        if not self.min_per_sector:
            return {}
        return {int(s): int(m) for s, m in self.min_per_sector.items() if int(m) > 0}


@dataclass(eq=False)
class AssignmentResult:
    """Solution of an AssignmentProblem.

    ``optimal`` means proven optimal for the integer-scaled objective (count first, then
    ``round(affinity * scale)``); the float objective is then within ``objective_gap_bound`` of the
    best float objective among maximum-count assignments (0.0 when the scaling was exact).
    """

    pairs: np.ndarray
    objective: float
    optimal: bool
    shortfall: dict[int, str]
    loads: np.ndarray
    assigned: np.ndarray
    solver: str
    wall_time_s: float
    scale: float
    objective_gap_bound: float
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def n_pairs(self) -> int:
        return int(self.pairs.shape[0])
