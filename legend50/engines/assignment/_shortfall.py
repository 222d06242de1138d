"""Human-readable reasons for proposals that end up with fewer reviewers than their quota."""

from __future__ import annotations

import numpy as np

from ._instance import Instance


def _distinct(inst: Instance, cols: np.ndarray) -> int:
    if inst.group is None:
        return int(cols.size)
    return int(np.unique(inst.group[cols]).size)


def shortfall_reasons(
    inst: Instance, rows: np.ndarray, cols: np.ndarray, loads: np.ndarray, assigned: np.ndarray
) -> dict[int, str]:
    """Explain, per short proposal, which supply ran out at the returned (maximum-count) solution.

    rows must be sorted ascending (solve_assignment sorts the pairs before calling).

    "Free capacity" is judged at the returned solution: an expert counts if it is not conflicted
    and still below max_load, or already reviews this proposal. Since the number of pairs is
    maximal, a short proposal always lacks such experts (overall, per group or per required sector);
    the fallback text covers interactions the simple counts cannot show.
    """
    short = np.flatnonzero(assigned < inst.q)
    if short.size == 0:
        return {}
    free_cols = loads < inst.L
    own = np.zeros(inst.E, dtype=bool)
    unit = "non-conflicted experts" if inst.group is None else "non-conflicted experts from distinct groups"
    reasons: dict[int, str] = {}
    for i in short.tolist():
        eligible = np.ones(inst.E, dtype=bool) if inst.C is None else ~inst.C[i]
        eligible &= inst.col_active
        lo, hi = np.searchsorted(rows, [i, i + 1])
        mine = cols[lo:hi]
        own[:] = False
        own[mine] = True
        available = eligible & (free_cols | own)
        need = int(inst.q[i])
        parts: list[str] = []
        n_total = _distinct(inst, np.flatnonzero(eligible))
        n_free = _distinct(inst, np.flatnonzero(available))
        if n_total < need:
            parts.append(f"only {n_total} {unit}: needs {need}")
        elif n_free < need:
            parts.append(
                f"only {n_free} {unit} with free capacity: needs {need} "
                f"(the other {n_total - n_free} eligible are at max_load)"
            )
        if inst.sector_mode:
            assert inst.entry_class is not None
            for k, sector in enumerate(inst.sectors, start=1):
                minimum = int(inst.sector_min[k - 1])
                in_sector = inst.entry_class == k
                have = int(in_sector[mine].sum())
                if have >= minimum:
                    continue
                s_total = _distinct(inst, np.flatnonzero(eligible & in_sector))
                s_free = _distinct(inst, np.flatnonzero(available & in_sector))
                if s_total < minimum:
                    parts.append(f"sector {sector}: only {s_total} {unit}: needs {minimum}")
                else:
                    parts.append(
                        f"sector {sector}: only {s_free} {unit} with free capacity: needs {minimum} "
                        f"(the other {s_total - s_free} eligible are at max_load)"
                    )
        if not parts:
            parts.append(
                "no feasible way to fill it without leaving another proposal with fewer reviewers "
                "(experts it could use are committed elsewhere)"
            )
        reasons[i] = f"assigned {int(assigned[i])} of {need}: " + "; ".join(parts)
    return reasons
