"""Compiled (solver-side) form of a PortfolioProblem and exact feasibility checks.

Only candidates (eligible or must_include, minus must_exclude) become columns, and only group labels
whose limits can actually bind become rows, so a 100,000-proposal call with 17 provinces is a
100,000 x ~30 matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from .problem import PortfolioProblem

__all__ = ["CompiledModel", "compile_problem", "check_selection", "new_highs", "pass_arrays", "silent_highs"]


@dataclass(frozen=True)
class GroupRow:
    grouping: str
    label: int
    lo: int
    hi: int | None  # None: no maximum


@dataclass
class CompiledModel:
    problem: PortfolioProblem
    cols: np.ndarray  # int64 (m,): original index of each column
    value: np.ndarray  # float64 (m,)
    cost: np.ndarray  # int64 (m, k)
    budget: np.ndarray  # int64 (k,)
    mandatory: np.ndarray  # bool (m,): must_include
    rows: list[GroupRow]
    col_rows: np.ndarray  # int64 (m, G): group-row id per grouping, -1 when unconstrained
    row_lo: np.ndarray  # int64 (R,)
    row_hi: np.ndarray  # int64 (R,), huge when no maximum
    budget_scale: np.ndarray  # float64 (k,): budget rows are divided by this for conditioning
    matrix: sp.csc_matrix  # (k + R, m), scaled budget rows then group rows

    @property
    def m(self) -> int:
        return int(self.cols.shape[0])

    @property
    def k(self) -> int:
        return int(self.budget.shape[0])

    def row_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        k = self.k
        lower = np.concatenate([np.full(k, -np.inf), self.row_lo.astype(np.float64)])
        hi = self.row_hi.astype(np.float64)
        hi[self.row_hi >= _NO_MAX] = np.inf
        upper = np.concatenate([self.budget / self.budget_scale, hi])
        return lower, upper

    def row_name(self, r: int) -> str:
        if r < self.k:
            return f"budget dimension {r} ({self.budget[r]:,} won)"
        row = self.rows[r - self.k]
        parts = []
        if row.lo:
            parts.append(f"min {row.lo}")
        if row.hi is not None:
            parts.append(f"max {row.hi}")
        return f"{row.grouping} {row.label} ({', '.join(parts)})"


_NO_MAX = np.iinfo(np.int64).max // 4


def compile_problem(problem: PortfolioProblem) -> CompiledModel:
    # A proposal whose request alone exceeds a budget can never be funded: leave it out of the model.
    cand = problem.candidate_mask() & (
        problem.fits_alone() | np.isin(np.arange(problem.n), problem._must_include)
    )
    cols = np.flatnonzero(cand).astype(np.int64)
    m, k = cols.shape[0], problem.k
    value = problem._value[cols]
    cost = problem._cost[cols]
    budget = problem._budget
    mandatory = np.zeros(m, dtype=bool)
    mandatory[np.searchsorted(cols, problem._must_include)] = True

    rows: list[GroupRow] = []
    row_lo: list[int] = []
    row_hi: list[int] = []
    col_rows = np.full((m, len(problem.groupings)), -1, dtype=np.int64)
    for gi, grouping in enumerate(problem.groupings):
        labels = grouping.labels[cols]
        uniq, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
        present = dict(zip(uniq.tolist(), counts.tolist(), strict=True))
        wanted = sorted(set(grouping.minimum) | set(grouping.maximum))
        label_row = np.full(uniq.shape[0], -1, dtype=np.int64)
        for label in wanted:
            lo = grouping.minimum.get(label, 0)
            hi = grouping.maximum.get(label)
            count = present.get(label, 0)
            if lo == 0 and (hi is None or hi >= count):
                continue  # cannot bind
            rid = len(rows)
            rows.append(GroupRow(grouping.name, label, lo, hi))
            row_lo.append(lo)
            row_hi.append(_NO_MAX if hi is None else hi)
            if count:
                label_row[np.searchsorted(uniq, label)] = rid
        if m:
            col_rows[:, gi] = label_row[inverse]

    budget_scale = np.maximum(budget, 1).astype(np.float64)
    # Budget entries (scaled) then one 1.0 per constrained group row.
    bi, bj = np.nonzero(cost.T)
    bv = cost.T[bi, bj] / budget_scale[bi]
    gj, gg = np.nonzero(col_rows >= 0)
    gi_rows = k + col_rows[gj, gg]
    ri = np.concatenate([bi, gi_rows])
    cj = np.concatenate([bj, gj])
    vals = np.concatenate([bv, np.ones(gj.shape[0])])
    matrix = sp.csc_matrix((vals, (ri, cj)), shape=(k + len(rows), m))
    matrix.sort_indices()

    return CompiledModel(
        problem=problem,
        cols=cols,
        value=value,
        cost=cost,
        budget=budget,
        mandatory=mandatory,
        rows=rows,
        col_rows=col_rows,
        row_lo=np.asarray(row_lo, dtype=np.int64),
        row_hi=np.asarray(row_hi, dtype=np.int64),
        budget_scale=budget_scale,
        matrix=matrix,
    )


def pass_arrays(
    h: highspy.Highs,
    objective: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    matrix: sp.csc_matrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    integrality: np.ndarray,
    offset: float = 0.0,
) -> None:
    """Load a maximisation model given as arrays (column-wise sparse matrix) into ``h``."""
    status = h.passModel(
        int(objective.shape[0]),
        int(matrix.shape[0]),
        int(matrix.nnz),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize),
        float(offset),
        np.ascontiguousarray(objective, dtype=np.float64),
        np.ascontiguousarray(col_lower, dtype=np.float64),
        np.ascontiguousarray(col_upper, dtype=np.float64),
        np.ascontiguousarray(row_lower, dtype=np.float64),
        np.ascontiguousarray(row_upper, dtype=np.float64),
        matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32),
        matrix.data.astype(np.float64),
        np.ascontiguousarray(integrality, dtype=np.int32),
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS rejected the portfolio model")


def silent_highs() -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


def new_highs(
    model: CompiledModel,
    *,
    integer: bool,
    col_lower: np.ndarray | None = None,
    col_upper: np.ndarray | None = None,
) -> highspy.Highs:
    """A silent Highs instance holding the (relaxed or binary) model, maximising total value."""
    h = silent_highs()
    lower = model.mandatory.astype(np.float64) if col_lower is None else col_lower
    upper = np.ones(model.m) if col_upper is None else col_upper
    row_lower, row_upper = model.row_bounds()
    integrality = np.full(model.m, 1 if integer else 0, dtype=np.int32)
    pass_arrays(h, model.value, lower, upper, model.matrix, row_lower, row_upper, integrality)
    return h


def check_selection(problem: PortfolioProblem, selected) -> list[str]:
    """Every constraint a selection violates, as human sentences (empty list: feasible).

    Exact integer arithmetic, independent of the solver, so results are verified rather than trusted.
    """
    sel = np.asarray(selected, dtype=np.int64)
    problems: list[str] = []
    if sel.size and (sel.min() < 0 or sel.max() >= problem.n):
        return ["selection holds an index out of range"]
    if np.unique(sel).size != sel.size:
        problems.append("selection holds a duplicate index")
    cand = problem.candidate_mask()
    for i in sel[~cand[sel]]:
        why = "is in must_exclude" if i in set(problem._must_exclude.tolist()) else "is not eligible"
        problems.append(f"proposal {int(i)} {why}")
    missing = np.setdiff1d(problem._must_include, sel)
    for i in missing:
        problems.append(f"must_include proposal {int(i)} is not selected")
    used = problem._cost[sel].sum(axis=0) if sel.size else np.zeros(problem.k, dtype=np.int64)
    for d in range(problem.k):
        if used[d] > problem._budget[d]:
            problems.append(f"budget dimension {d} exceeded by {int(used[d] - problem._budget[d]):,} won")
    for grouping in problem.groupings:
        labels, counts = np.unique(grouping.labels[sel], return_counts=True)
        have = dict(zip(labels.tolist(), counts.tolist(), strict=True))
        for label, lo in grouping.minimum.items():
            if have.get(label, 0) < lo:
                problems.append(
                    f"{grouping.name} {label} has {have.get(label, 0)} selected, below its minimum {lo}"
                )
        for label, hi in grouping.maximum.items():
            if have.get(label, 0) > hi:
                problems.append(
                    f"{grouping.name} {label} has {have.get(label, 0)} selected, above its maximum {hi}"
                )
    return problems
