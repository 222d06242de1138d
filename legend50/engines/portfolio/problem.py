"""Problem and result types for portfolio selection, with input validation.

Validation happens once, in ``PortfolioProblem.__post_init__``, so every solver entry point can trust
the normalised arrays: value float64 (n,), cost int64 (n, k), budget int64 (k,), labels int64 (n,),
eligible bool (n,), must_include / must_exclude sorted int64 index arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["PortfolioProblem", "PortfolioResult", "Grouping", "fmt_value"]


def fmt_value(x: float) -> str:
    """Scores for people: thousands separators, at most 4 decimals, no trailing zeros."""
    return f"{x:,.4f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Grouping:
    """One way of partitioning candidates (province, region, ...) with per-label count limits."""

    name: str
    labels: np.ndarray  # int64 (n,)
    minimum: dict[int, int]
    maximum: dict[int, int]


def _int_array(name: str, x: Any, ndim: int) -> np.ndarray:
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists etc.
        raise ValueError(f"{name} must be an array: {exc}") from exc
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        return arr.astype(np.int64)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise ValueError(f"{name} must hold integers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating):
        # Money arrives from spreadsheets as floats; accept them only when they are whole numbers.
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must not contain NaN or infinity")
        if not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must hold whole numbers (won / labels), got fractional values")
        if np.any(np.abs(arr) > 2**62):
            raise ValueError(f"{name} has values too large for int64")
    return arr.astype(np.int64)


def _count_dict(name: str, d: Any) -> dict[int, int]:
    if d is None:
        return {}
    if not isinstance(d, dict):
        raise ValueError(f"{name} must be a dict {{label: count}}, got {type(d).__name__}")
    out: dict[int, int] = {}
    for key, val in d.items():
        try:
            k_int, v_int = int(key), int(val)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must map integer labels to integer counts, got {key!r}: {val!r}")
        if k_int != key or v_int != val:
            raise ValueError(f"{name} must map integer labels to integer counts, got {key!r}: {val!r}")
        if v_int < 0:
            raise ValueError(f"{name}[{k_int}] must be non-negative, got {v_int}")
        out[k_int] = v_int
    return out


def _index_array(name: str, idx: Any, n: int) -> np.ndarray:
    if idx is None:
        return np.zeros(0, dtype=np.int64)
    arr = np.asarray(list(idx) if not isinstance(idx, np.ndarray) else idx)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of indices, got shape {arr.shape}")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must hold integer indices, got dtype {arr.dtype}")
    bad = arr[(arr < 0) | (arr >= n)]
    if bad.size:
        raise ValueError(f"{name} has index {int(bad[0])} out of range for {n} candidates")
    return np.unique(arr.astype(np.int64))


@dataclass(frozen=True, eq=False)
class PortfolioProblem:
    """Select a subset of candidates maximising total value under budgets and group count limits.

    ``must_include`` overrides ``eligible`` (a committed continuation project may have no score);
    ``must_exclude`` overrides everything else. ``group_name`` only names the main grouping in
    explanations ("province 27 needs at least 1 ...").

    Frozen so the normalised arrays computed at construction can never go stale; ``eq=False`` because
    field-wise equality over numpy arrays is ambiguous.
    """

    value: Any
    cost: Any
    budget: Any
    group: Any
    min_per_group: dict = field(default_factory=dict)
    max_per_group: dict = field(default_factory=dict)
    eligible: Any = None
    must_include: Any = ()
    must_exclude: Any = ()
    extra_groupings: dict | None = None
    group_name: str = "group"

    def __post_init__(self) -> None:
        try:
            value = np.asarray(self.value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"value must be a float array: {exc}") from exc
        if value.ndim != 1:
            raise ValueError(f"value must be 1-dimensional (n,), got shape {value.shape}")
        if np.any(np.isnan(value)):
            raise ValueError(f"value contains NaN at index {int(np.flatnonzero(np.isnan(value))[0])}")
        if np.any(np.isinf(value)):
            raise ValueError(f"value contains infinity at index {int(np.flatnonzero(np.isinf(value))[0])}")
        n = value.shape[0]

        budget = _int_array("budget", np.atleast_1d(np.asarray(self.budget)), 1)
        k = budget.shape[0]
        if k == 0:
            raise ValueError("budget must have at least one dimension")
        if np.any(budget < 0):
            raise ValueError(
                f"budget must be non-negative, dimension {int(np.flatnonzero(budget < 0)[0])} is negative"
            )

        cost_in = np.asarray(self.cost)
        if cost_in.ndim == 1 and k == 1:
            cost_in = cost_in.reshape(-1, 1)
        if n == 0 and cost_in.size == 0:
            cost_in = np.zeros((0, k), dtype=np.int64)
        cost = _int_array("cost", cost_in, 2)
        if cost.shape != (n, k):
            raise ValueError(
                f"cost must have shape (n, k) = ({n}, {k}) to match value and budget, got {cost.shape}"
            )
        if np.any(cost < 0):
            i, d = np.argwhere(cost < 0)[0]
            raise ValueError(f"cost must be non-negative, cost[{i}, {d}] = {cost[i, d]}")

        group = _int_array("group", self.group if n else np.zeros(0, dtype=np.int64), 1)
        if group.shape != (n,):
            raise ValueError(f"group must have shape ({n},) to match value, got {group.shape}")

        if self.eligible is None:
            eligible = np.ones(n, dtype=bool)
        else:
            eligible = np.asarray(self.eligible)
            if eligible.shape != (n,):
                raise ValueError(f"eligible must have shape ({n},) to match value, got {eligible.shape}")
            if eligible.dtype != bool:
                if not np.all(np.isin(eligible, (0, 1))):
                    raise ValueError("eligible must be a boolean array")
                eligible = eligible.astype(bool)

        must_include = _index_array("must_include", self.must_include, n)
        must_exclude = _index_array("must_exclude", self.must_exclude, n)
        both = np.intersect1d(must_include, must_exclude)
        if both.size:
            raise ValueError(f"must_include and must_exclude both contain index {int(both[0])}")

        if not isinstance(self.group_name, str) or not self.group_name:
            raise ValueError("group_name must be a non-empty string")
        groupings = [
            Grouping(
                self.group_name,
                group,
                _count_dict("min_per_group", self.min_per_group),
                _count_dict("max_per_group", self.max_per_group),
            )
        ]
        if self.extra_groupings is not None:
            if not isinstance(self.extra_groupings, dict):
                raise ValueError(
                    "extra_groupings must be a dict {name: (labels, {label: min}, {label: max})}"
                )
            for gname, spec in self.extra_groupings.items():
                where = f"extra_groupings[{gname!r}]"
                if not isinstance(gname, str) or not gname:
                    raise ValueError(f"extra_groupings keys must be non-empty strings, got {gname!r}")
                if not isinstance(spec, tuple | list) or len(spec) != 3:
                    raise ValueError(f"{where} must be a tuple (labels, {{label: min}}, {{label: max}})")
                labels = _int_array(f"{where} labels", spec[0] if n else np.zeros(0, dtype=np.int64), 1)
                if labels.shape != (n,):
                    raise ValueError(
                        f"{where} labels must have shape ({n},) to match value, got {labels.shape}"
                    )
                groupings.append(
                    Grouping(
                        gname,
                        labels,
                        _count_dict(f"{where} min", spec[1]),
                        _count_dict(f"{where} max", spec[2]),
                    )
                )

        # Normalised views used by the solver (the public fields keep what the caller passed).
        object.__setattr__(self, "_value", value)
        object.__setattr__(self, "_cost", cost)
        object.__setattr__(self, "_budget", budget)
        object.__setattr__(self, "_eligible", eligible)
        object.__setattr__(self, "_must_include", must_include)
        object.__setattr__(self, "_must_exclude", must_exclude)
        object.__setattr__(self, "_groupings", tuple(groupings))

    @property
    def n(self) -> int:
        return int(self._value.shape[0])

    @property
    def k(self) -> int:
        return int(self._budget.shape[0])

    @property
    def groupings(self) -> tuple[Grouping, ...]:
        return self._groupings

    def candidate_mask(self) -> np.ndarray:
        """Who may be selected: (eligible or must_include) and not must_exclude."""
        mask = self._eligible.copy()
        mask[self._must_include] = True
        mask[self._must_exclude] = False
        return mask

    def fits_alone(self) -> np.ndarray:
        """Whose request fits every budget dimension on its own (others can never be selected)."""
        return (self._cost <= self._budget).all(axis=1)

    def with_must_include(self, extra: int) -> PortfolioProblem:
        return PortfolioProblem(
            value=self._value,
            cost=self._cost,
            budget=self._budget,
            group=self._groupings[0].labels,
            min_per_group=self._groupings[0].minimum,
            max_per_group=self._groupings[0].maximum,
            eligible=self._eligible,
            must_include=np.union1d(self._must_include, [extra]).astype(np.int64),
            must_exclude=self._must_exclude,
            extra_groupings={g.name: (g.labels, g.minimum, g.maximum) for g in self._groupings[1:]} or None,
            group_name=self.group_name,
        )


@dataclass(frozen=True)
class PortfolioResult:
    """Outcome of a solve.

    ``bound`` is a proven upper bound on the best achievable objective (NaN when unknown, as for the
    greedy baseline); ``gap = (bound - objective) / max(|bound|, eps)``, 0 when proven optimal.
    """

    selected: np.ndarray
    objective: float
    optimal: bool
    gap: float
    status: str  # "optimal" | "feasible" | "infeasible"
    bound: float
    explanation: str
    used: np.ndarray
    wall_time: float
    method: str = ""
    stats: dict = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        return self.status != "infeasible"
