"""MIP back-end (HiGHS) for constraint mixes the flow network cannot express.

Used only when min_per_sector is combined with expert groups that span several seat classes
(a group holding experts of a required sector and of another sector): the group's "at most one" and
the sector seats then interlock, which breaks the network's nesting. Variables are the eligible pairs
(binary) and, per proposal and required sector, the number of sector experts seated beyond the
sector minimum (continuous; integral at any vertex that matters). Two solves give the lexicographic
objective: maximise the pair count, then fix it and maximise the scaled affinity. Both objectives
are integral, so an absolute gap below 1 proves optimality.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._instance import Instance

MIP_MAX_SCALED = 1 << 20  # HiGHS works in floating point: keep objective coefficients well inside 2**53


def solve_mip(
    inst: Instance, rows: np.ndarray, cols: np.ndarray, time_limit_s: float | None
) -> tuple[np.ndarray, np.ndarray, bool, dict]:
    import highspy

    n = rows.size
    P = inst.P
    entries_r: list[np.ndarray] = []
    entries_c: list[np.ndarray] = []
    entries_v: list[np.ndarray] = []
    lower: list[np.ndarray] = []
    upper: list[np.ndarray] = []
    n_rows = 0
    var = np.arange(n, dtype=np.int64)

    def add_rows(row_ids: np.ndarray, col_ids: np.ndarray, vals: np.ndarray, n_new: int, lo, hi) -> None:
        nonlocal n_rows
        entries_r.append(row_ids + n_rows)
        entries_c.append(col_ids)
        entries_v.append(vals.astype(np.float64))
        lower.append(np.broadcast_to(np.asarray(lo, np.float64), (n_new,)))
        upper.append(np.broadcast_to(np.asarray(hi, np.float64), (n_new,)))
        n_rows += n_new

    ones = np.ones(n)
    add_rows(rows, var, ones, P, -np.inf, inst.q.astype(np.float64))
    add_rows(cols, var, ones, inst.E, -np.inf, inst.L.astype(np.float64))
    if inst.group is not None:
        key = rows * inst.n_groups + inst.group[cols]
        _, inverse = np.unique(key, return_inverse=True)
        n_keys = int(inverse.max()) + 1 if n else 0
        add_rows(inverse, var, ones, n_keys, -np.inf, 1.0)
    n_extra = 0
    if inst.sector_mode:
        assert inst.entry_class is not None
        n_req = len(inst.sectors)
        n_extra = P * n_req
        extra = n + np.arange(n_extra, dtype=np.int64).reshape(P, n_req)
        cls = inst.entry_class[cols]
        open_pairs = cls == 0
        # open seats: experts of non-required sectors + required-sector experts beyond the minimum
        add_rows(
            np.concatenate([rows[open_pairs], np.repeat(np.arange(P), n_req)]),
            np.concatenate([var[open_pairs], extra.ravel()]),
            np.ones(int(open_pairs.sum()) + n_extra),
            P,
            -np.inf,
            np.where(inst.q > 0, inst.q - inst.total_min, 0).astype(np.float64),
        )
        # sector k: (sector experts) - excess <= minimum
        for k in range(1, n_req + 1):
            sel = cls == k
            add_rows(
                np.concatenate([rows[sel], np.arange(P)]),
                np.concatenate([var[sel], extra[:, k - 1]]),
                np.concatenate([np.ones(int(sel.sum())), -np.ones(P)]),
                P,
                -np.inf,
                float(inst.sector_min[k - 1]),
            )
    n_cols = n + n_extra
    matrix = sp.csc_matrix(
        (np.concatenate(entries_v), (np.concatenate(entries_r), np.concatenate(entries_c))),
        shape=(n_rows, n_cols),
    )
    matrix.sort_indices()

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = np.concatenate([-np.ones(n), np.zeros(n_extra)])
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.concatenate([np.ones(n), np.full(n_extra, float(inst.q.max() if P else 0))])
    lp.row_lower_ = np.concatenate(lower)
    lp.row_upper_ = np.concatenate(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n + [highspy.HighsVarType.kContinuous] * n_extra

    h = highspy.Highs()
    h.silent()
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.5)  # objectives are integers: a gap below 1 is a proof
    # The LP relaxation of an assignment is nearly integral; the feasibility-jump heuristic only adds a
    # fixed start-up cost (about 20 ms per solve, which dominates small instances).
    h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    h.passModel(lp)
    h.run()
    status1 = h.getModelStatus()
    x = np.asarray(h.getSolution().col_value)
    if x.size != n_cols:
        raise RuntimeError(f"HiGHS found no assignment (status {h.modelStatusToString(status1)})")
    count = int(np.rint(-h.getInfo().objective_function_value))
    proven = status1 == highspy.HighsModelStatus.kOptimal

    # Stage 2: keep the pair count, maximise scaled affinity.
    h.addRow(float(count), np.inf, n, np.arange(n, dtype=np.int32), np.ones(n))
    s = inst.scaled_pairs(rows, cols).astype(np.float64)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), -s)
    sol = highspy.HighsSolution()
    sol.col_value = list(x)
    h.setSolution(sol)
    h.run()
    status2 = h.getModelStatus()
    x2 = np.asarray(h.getSolution().col_value)
    if x2.size == n_cols:
        x = x2
    proven = proven and status2 == highspy.HighsModelStatus.kOptimal
    used = x[:n] > 0.5
    stats = {
        "mip_status": [h.modelStatusToString(status1), h.modelStatusToString(status2)],
        "mip_vars": n_cols,
        "mip_rows": n_rows + 1,
    }
    return rows[used], cols[used], proven, stats
