"""Why was a proposal left out, and what would have had to change for it to get in?

For each excluded eligible proposal j (against a solved result with objective z*):

* value: re-solve with j forced in -> z_j. The loss ``delta = z* - z_j`` is exactly how much j's value
  must rise for a portfolio containing it to tie with z* (``value_needed = value_j + delta``).
* cost: one MIP per proposal with j forced in, j's request scaled by a continuous ``s`` in [0, 1], the
  constraint ``total value >= z*`` and objective ``max s``. ``1 - s*`` is the smallest uniform cut of
  j's request (all budget dimensions alike) at which it would tie; infeasible means no cut suffices.

That is two exact MIPs per excluded proposal: fine for a real call (~35 candidates, well under a
second), linear in the number of proposals explained. For large n pass ``indices`` to explain only
the proposals the UI shows, and/or ``cost=False`` to skip the second solve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from .diagnose import diagnose_infeasibility
from .model import CompiledModel, compile_problem, new_highs, pass_arrays, silent_highs
from .problem import PortfolioProblem, PortfolioResult, fmt_value
from .solver import solve_portfolio

__all__ = ["Exclusion", "explain_exclusions"]

_TIE_TOL = 1e-9


@dataclass(frozen=True)
class Exclusion:
    index: int
    value: float
    forced_objective: float | None  # best total value of a portfolio that contains it; None: none exists
    value_increase: float | None  # delta: the value it lacks to tie with the chosen portfolio
    value_needed: float | None  # value + delta
    cost_reduction: np.ndarray | None  # won to cut per budget dimension so it would tie; None: no cut works
    cost_reduction_share: float | None  # the same as a fraction of its request
    message: str


def _forced_reason(problem: PortfolioProblem, j: int) -> str:
    mi = problem._must_include
    mi_used = problem._cost[mi].sum(axis=0) if mi.size else np.zeros(problem.k, dtype=np.int64)
    for d in range(problem.k):
        over = int(problem._cost[j, d] + mi_used[d] - problem._budget[d])
        if over > 0:
            alone = " together with must_include" if mi_used[d] else ""
            return f"its request{alone} exceeds budget dimension {d} by {over:,} won"
    for g in problem.groupings:
        hi = g.maximum.get(int(g.labels[j]))
        if hi is not None:
            taken = int(np.count_nonzero(g.labels[mi] == g.labels[j]))
            if taken >= hi:
                who = "must_include already fills it" if taken else "it allows none"
                return f"{g.name} {int(g.labels[j])} allows at most {hi} selected and {who}"
    name = "must_include with this proposal" if mi.size else "this proposal"
    reason = diagnose_infeasibility(problem.with_must_include(j), must_include_name=name)
    if reason:
        return "with it, " + reason
    return "no portfolio containing it meets every budget and group minimum at once"


def _cost_model(model: CompiledModel, pos: int, floor: float):
    """Columns x (m) then s; rows: scaled budgets, group rows, total value >= floor."""
    k, m = model.k, model.m
    a = model.matrix.tolil(copy=True)
    a[:k, pos] = 0.0
    s_col = sp.csc_matrix(model.matrix[:k, pos].toarray().reshape(-1, 1))
    s_col.resize((model.matrix.shape[0], 1))
    value_row = sp.csc_matrix(np.append(model.value, 0.0).reshape(1, -1))
    matrix = sp.vstack([sp.hstack([a.tocsc(), s_col]), value_row]).tocsc()
    matrix.eliminate_zeros()
    matrix.sort_indices()
    row_lower, row_upper = model.row_bounds()
    row_lower = np.append(row_lower, floor)
    row_upper = np.append(row_upper, np.inf)
    objective = np.zeros(m + 1)
    objective[m] = 1.0
    lower = np.append(model.mandatory.astype(np.float64), 0.0)
    lower[pos] = 1.0
    upper = np.ones(m + 1)
    integrality = np.append(np.ones(m, dtype=np.int32), 0)
    return objective, lower, upper, matrix, row_lower, row_upper, integrality


def explain_exclusions(
    problem: PortfolioProblem,
    result: PortfolioResult | None = None,
    *,
    indices=None,
    cost: bool = True,
    time_limit_per_solve: float = 5.0,
) -> dict[int, Exclusion]:
    """Per excluded eligible proposal (or only ``indices``), what it would take to be selected.

    Exact when ``result`` is proven optimal; otherwise the figures are relative to ``result.objective``.
    """
    if result is None:
        result = solve_portfolio(problem)
    if result.status == "infeasible":
        return {}
    model = compile_problem(problem)
    selected = set(result.selected.tolist())
    pos_of = {int(c): p for p, c in enumerate(model.cols.tolist())}
    listed = problem.candidate_mask() & problem._eligible
    eligible_out = [int(i) for i in np.flatnonzero(listed).tolist() if i not in selected]
    if indices is not None:
        wanted = {int(i) for i in indices}
        eligible_out = [i for i in eligible_out if i in wanted]
    z_star = result.objective
    floor = z_star - _TIE_TOL * max(1.0, abs(z_star))

    out: dict[int, Exclusion] = {}
    h = new_highs(model, integer=True)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("time_limit", time_limit_per_solve)
    for j in eligible_out:
        vj = float(problem._value[j])
        pos = pos_of.get(j)
        if pos is None:  # its request alone exceeds a budget, so it is not even in the model
            out[j] = Exclusion(
                j, vj, None, None, None, None, None, f"Cannot be selected: {_forced_reason(problem, j)}."
            )
            continue
        h.changeColBounds(pos, 1.0, 1.0)
        h.run()
        status = h.getModelStatus()
        feasible = h.getInfo().primal_solution_status == int(highspy.SolutionStatus.kSolutionStatusFeasible)
        h.changeColBounds(pos, 0.0, 1.0)
        if status == highspy.HighsModelStatus.kInfeasible or not feasible:
            reason = (
                _forced_reason(problem, j)
                if status == highspy.HighsModelStatus.kInfeasible
                else ("no portfolio containing it was found within the time limit")
            )
            out[j] = Exclusion(j, vj, None, None, None, None, None, f"Cannot be selected: {reason}.")
            continue
        forced = float(problem._value[model.cols[np.asarray(h.getSolution().col_value) > 0.5]].sum())
        delta = max(0.0, z_star - forced)
        if delta <= _TIE_TOL * max(1.0, abs(z_star)):
            out[j] = Exclusion(
                j,
                vj,
                forced,
                0.0,
                vj,
                np.zeros(problem.k, dtype=np.int64),
                0.0,
                "Ties with the selected portfolio: an equally valuable portfolio includes it; "
                "it was left out only by tie-breaking.",
            )
            continue
        msg = f"Would need a value of at least {fmt_value(vj + delta)} (now {fmt_value(vj)}, +{fmt_value(delta)})"
        reduction, share = None, None
        if cost and problem._cost[j].any():
            hc = silent_highs()
            pass_arrays(hc, *_cost_model(model, pos, floor))
            hc.setOptionValue("mip_rel_gap", 0.0)
            hc.setOptionValue("time_limit", time_limit_per_solve)
            hc.run()
            if hc.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                s_star = min(1.0, max(0.0, float(hc.getSolution().col_value[model.m])))
                # HiGHS may overshoot a scaled budget row by its 1e-6 tolerance: add that much to the cut.
                slack = np.floor(1e-6 * model.budget_scale).astype(np.int64)
                keep = np.floor(problem._cost[j] * s_star).astype(np.int64) - slack
                reduction = problem._cost[j] - np.clip(keep, 0, problem._cost[j])
                share = float(reduction.sum() / problem._cost[j].sum())
                amounts = " / ".join(f"{int(r):,}" for r in reduction)
                where = "" if problem.k == 1 else " across the budget dimensions"
                msg += f", or its request cut by {math.ceil(share * 1000) / 10:g}% ({amounts} won{where})"
            elif hc.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
                msg += "; no cut of its request alone would get it in"
        out[j] = Exclusion(j, vj, forced, delta, vj + delta, reduction, share, msg + ".")
    return out
