"""solve_assignment: choose a back-end, run it, check the answer and package the result."""

from __future__ import annotations

import math
import time
from typing import Literal

import numpy as np

from . import _flow
from ._instance import Instance
from ._mip import MIP_MAX_SCALED, solve_mip
from ._problem import AssignmentProblem, AssignmentResult
from ._shortfall import shortfall_reasons

Strategy = Literal["auto", "sparse", "dense", "mip"]

# Instances up to this many cells go straight to the dense network: pricing would not pay off.
DENSE_CELLS = 200_000
# Column generation gives up (and solves densely) after this many rounds or once the candidate set
# holds this fraction of all eligible pairs; both only matter for adversarial instances.
MAX_ROUNDS = 30
MAX_CANDIDATE_FRACTION = 0.25


def _candidate_k(inst: Instance) -> tuple[int, int]:
    # Enough spare candidates per proposal that ordinary contention needs no pricing round; the
    # per-expert side seeds experts nobody ranks highly (see top_k_candidates).
    k_row = int(4 * inst.q.max() + 8) if inst.P else 0
    k_col = int(2 * inst.L.max() + 4) if inst.E else 0
    return k_row, k_col


def check_assignment(inst: Instance, rows: np.ndarray, cols: np.ndarray) -> None:
    """Raise RuntimeError if (rows, cols) breaks a hard constraint; guards every back-end."""
    if rows.size == 0:
        return
    if inst.C is not None and inst.C[rows, cols].any():
        raise RuntimeError("internal error: a conflicted pair was assigned")
    key = rows * inst.E + cols
    if np.unique(key).size != key.size:
        raise RuntimeError("internal error: duplicate pair")
    if (np.bincount(rows, minlength=inst.P) > inst.q).any():
        raise RuntimeError("internal error: quota exceeded")
    if (np.bincount(cols, minlength=inst.E) > inst.L).any():
        raise RuntimeError("internal error: max_load exceeded")
    if inst.group is not None:
        gkey = rows * inst.n_groups + inst.group[cols]
        if np.unique(gkey).size != gkey.size:
            raise RuntimeError("internal error: two experts of one group on a proposal")
    if inst.sector_mode:
        assert inst.entry_class is not None
        cls = inst.entry_class[cols]
        open_seats = np.bincount(rows[cls == 0], minlength=inst.P)
        for k in range(1, len(inst.sectors) + 1):
            extra = np.bincount(rows[cls == k], minlength=inst.P) - inst.sector_min[k - 1]
            open_seats = open_seats + np.maximum(extra, 0)
        if (open_seats > np.where(inst.q > 0, inst.q - inst.total_min, 0)).any():
            raise RuntimeError("internal error: seats reserved for a sector were given to another")


def _solve_flow(inst: Instance, strategy: str) -> tuple[np.ndarray, np.ndarray, bool, str, dict]:
    stats: dict = {}
    n_cells = inst.P * inst.E
    if strategy == "sparse" or (strategy == "auto" and n_cells > DENSE_CELLS):
        k_row, k_col = _candidate_k(inst)
        rows, cols = _flow.top_k_candidates(inst, k_row, k_col)
        in_set = np.zeros((inst.P, inst.E), dtype=bool)
        in_set[rows, cols] = True
        n_eligible = None
        for round_no in range(MAX_ROUNDS):
            net = _flow.build_network(inst, rows, cols)
            if not _flow.solve_network(inst, net):
                stats["sparse_failure"] = net.stats.get("mcf_status")
                break
            dist = _flow.certificate_potentials(inst, net)
            if dist is None:
                stats["sparse_failure"] = net.stats.get("certificate")
                break
            add_r, add_c, n_viol = _flow.price_omitted(
                inst, net, dist, in_set, per_row=k_row << min(round_no, 10)
            )
            stats.setdefault("rounds", []).append(
                {"candidates": int(rows.size), "violations": n_viol, "added": int(add_r.size)}
            )
            if n_viol == 0:
                r, c = _flow.chosen_pairs(net)
                stats["candidate_pairs"] = int(rows.size)
                return r, c, True, "ortools-mcf-sparse-certified", stats
            rows = np.concatenate([rows, add_r])
            cols = np.concatenate([cols, add_c])
            in_set[add_r, add_c] = True
            if n_eligible is None:
                n_eligible = sum(int(inst.eligible(a, b).sum()) for a, b in inst.row_chunks())
            if rows.size > MAX_CANDIDATE_FRACTION * n_eligible:
                stats["sparse_failure"] = "candidate set grew too large"
                break
        else:
            stats["sparse_failure"] = "round limit"
        del in_set
    rows, cols = _flow.all_eligible(inst)
    net = _flow.build_network(inst, rows, cols)
    del rows, cols
    ok = _flow.solve_network(inst, net)
    if not ok:
        raise RuntimeError(f"OR-Tools min cost flow failed: {net.stats.get('mcf_status')}")
    r, c = _flow.chosen_pairs(net)
    stats["candidate_pairs"] = int(net.pair_rows.size)
    return r, c, True, "ortools-mcf-dense", stats


def solve_assignment(
    problem: AssignmentProblem,
    *,
    strategy: Strategy = "auto",
    time_limit_s: float | None = None,
) -> AssignmentResult:
    """Assign experts to proposals: most pairs first, then highest total affinity.

    strategy: "auto" picks the exact min-cost-flow network when the constraints allow it (sparse
    candidates with an optimality certificate on large instances, the full network on small ones)
    and the HiGHS MIP otherwise; "sparse", "dense" and "mip" force a back-end (for tests and
    benchmarks). time_limit_s only bounds the MIP; flows always run to optimality.
    """
    if not isinstance(problem, AssignmentProblem):
        raise ValueError(f"problem: expected an AssignmentProblem, got {type(problem).__name__}")
    if strategy not in ("auto", "sparse", "dense", "mip"):
        raise ValueError(f"strategy: unknown value {strategy!r}")
    start = time.perf_counter()
    probe = Instance(problem)
    use_mip = strategy == "mip" or not probe.groups_nest_in_sectors()
    inst = Instance(problem, max_scaled=MIP_MAX_SCALED) if use_mip else probe

    if inst.P == 0 or inst.E == 0 or not inst.row_active.any() or not inst.col_active.any():
        rows = cols = np.zeros(0, dtype=np.int64)
        optimal, solver, stats = True, "trivial", {}
    elif use_mip:
        rows, cols = _flow.all_eligible(inst)
        rows, cols, optimal, stats = solve_mip(inst, rows, cols, time_limit_s)
        solver = "highs-mip"
    else:
        rows, cols, optimal, solver, stats = _solve_flow(inst, strategy)

    check_assignment(inst, rows, cols)
    order = np.lexsort((cols, rows))
    rows, cols = rows[order].astype(np.int64), cols[order].astype(np.int64)
    pairs = np.stack([rows, cols], axis=1) if rows.size else np.zeros((0, 2), dtype=np.int64)
    loads = np.bincount(cols, minlength=inst.E).astype(np.int64)
    assigned = np.bincount(rows, minlength=inst.P).astype(np.int64)
    objective = math.fsum(inst.A[rows, cols].tolist())
    exact = inst.scaling_is_exact()
    gap = 0.0 if exact else rows.size / inst.scale
    stats.update(
        {
            "scaled_objective": int(inst.scaled_pairs(rows, cols).sum()),
            "scaling_exact": exact,
            "max_pairs_bound": inst.max_pairs,
        }
    )
    return AssignmentResult(
        pairs=pairs,
        objective=objective,
        optimal=bool(optimal),
        shortfall=shortfall_reasons(inst, rows, cols, loads, assigned),
        loads=loads,
        assigned=assigned,
        solver=solver,
        wall_time_s=time.perf_counter() - start,
        scale=inst.scale,
        objective_gap_bound=gap,
        stats=stats,
    )
