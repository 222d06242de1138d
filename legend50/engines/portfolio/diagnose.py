"""Cheap, per-constraint infeasibility checks that produce sentences a programme officer understands.

Each check is a necessary condition for feasibility, so a message here is always a true reason;
passing all of them does not prove feasibility (the solver is the final judge).
"""

from __future__ import annotations

import numpy as np

from .problem import PortfolioProblem

__all__ = ["diagnose_infeasibility"]


def _won(x: int) -> str:
    return f"{int(x):,} won"


def diagnose_infeasibility(
    problem: PortfolioProblem, *, must_include_name: str = "must_include"
) -> str | None:
    """The first necessary condition that fails, as a sentence; None when all pass.

    ``must_include_name`` lets callers that forced a proposal in (exclusion explanations) name it.
    """
    mi_name = must_include_name
    listed = problem.candidate_mask()
    mi = problem._must_include
    cost, budget = problem._cost, problem._budget
    cand = listed & problem.fits_alone()
    cand[mi] = True
    pool = cand.copy()
    pool[mi] = False  # optional candidates that could be funded at all

    for g in problem.groupings:
        for label, lo in sorted(g.minimum.items()):
            hi = g.maximum.get(label)
            if hi is not None and lo > hi:
                return f"{g.name} {label} has a minimum of {lo} selected above its maximum of {hi}"

    for g in problem.groupings:
        for label, lo in sorted(g.minimum.items()):
            if lo == 0:
                continue
            in_label = g.labels == label
            count = int(np.count_nonzero(cand & in_label))
            if count >= lo:
                continue
            n_listed = int(np.count_nonzero(listed & in_label))
            head = f"{g.name} {label} needs at least {lo} selected but"
            if n_listed == 0:
                return f"{head} has no eligible candidate"
            if n_listed < lo:
                noun = "candidate" if n_listed == 1 else "candidates"
                return f"{head} has only {n_listed} eligible {noun}"
            if count == 0 and n_listed == 1:
                return f"{head} its only eligible candidate does not fit within the budget on its own"
            if count == 0:
                return f"{head} none of its {n_listed} eligible candidates fits within the budget on its own"
            return f"{head} only {count} of its {n_listed} eligible candidates fit within the budget on their own"

    mi_labels = {
        g.name: dict(zip(*[a.tolist() for a in np.unique(g.labels[mi], return_counts=True)], strict=True))
        for g in problem.groupings
    }
    for g in problem.groupings:
        for label, hi in sorted(g.maximum.items()):
            have = mi_labels[g.name].get(label, 0)
            if have > hi:
                noun = "proposal" if have == 1 else "proposals"
                return f"{mi_name} puts {have} {noun} in {g.name} {label}, above its maximum of {hi}"

    mi_used = cost[mi].sum(axis=0) if mi.size else np.zeros(problem.k, dtype=np.int64)
    for d in range(problem.k):
        if mi_used[d] > budget[d]:
            return f"{mi_name} alone exceeds budget dimension {d} by {_won(mi_used[d] - budget[d])}"

    # Group minimums filled with the cheapest optional candidates, one budget dimension at a time.
    for g in problem.groupings:
        shortfalls = []
        for label, lo in sorted(g.minimum.items()):
            short = lo - mi_labels[g.name].get(label, 0)
            if short > 0:
                shortfalls.append((label, short, np.flatnonzero(pool & (g.labels == label))))
        if not shortfalls:
            continue
        n_extra = sum(s for _, s, _ in shortfalls)
        for d in range(problem.k):
            cheapest = 0
            for _, short, members in shortfalls:
                c = cost[members, d]
                cheapest += int(np.partition(c, short - 1)[:short].sum()) if short < c.size else int(c.sum())
            if mi_used[d] + cheapest > budget[d]:
                extra = f" plus {_won(mi_used[d])} for {mi_name}" if mi_used[d] else ""
                plural = "selection" if n_extra == 1 else "selections"
                return (
                    f"the minimums per {g.name} require {n_extra} more {plural} whose cheapest cost "
                    f"({_won(cheapest)}{extra}) exceeds budget dimension {d} ({_won(budget[d])}) "
                    f"by {_won(mi_used[d] + cheapest - budget[d])}"
                )

    # One grouping's minimums against another grouping's maximums (counts only).
    for ga in problem.groupings:
        need = int(mi.size) + sum(
            max(0, lo - mi_labels[ga.name].get(label, 0)) for label, lo in ga.minimum.items()
        )
        if need == 0:
            continue
        for gb in problem.groupings:
            labels, counts = np.unique(gb.labels[cand], return_counts=True)
            allowed = sum(
                min(c, gb.maximum.get(lab, c))
                for lab, c in zip(labels.tolist(), counts.tolist(), strict=True)
            )
            if need > allowed:
                what = f"the minimums per {ga.name}" + (f" and {mi_name}" if mi.size else "")
                if gb is ga:
                    return f"{what} need at least {need} selections but the maximums allow at most {allowed}"
                return (
                    f"{what} need at least {need} selections but the maximums per {gb.name} "
                    f"allow at most {allowed}"
                )
    return None
