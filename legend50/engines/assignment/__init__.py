"""Reviewer assignment: experts to regional project proposals, exact and lexicographic.

Model
-----
Proposal ``i`` wants ``reviewers_per_proposal[i]`` experts (its quota); expert ``j`` reviews at most
``max_load[j]`` proposals; ``conflicts[i, j]`` forbids a pair; a pair is used at most once.
Optional, keyword-only:

* ``expert_group``: at most one expert of a group per proposal (e.g. one per institution).
* ``expert_sector`` + ``min_per_sector={sector: m}``: of each proposal's quota, ``m`` seats are
  reserved for sector experts. Experts of a required sector may also take the remaining open seats,
  but other experts never take a reserved seat, so when a sector cannot supply enough experts the
  seat stays empty and the proposal is reported short ("sector 2: only 0 ... needs 1"). Whenever an
  assignment meeting every quota and every minimum exists, it is found.

Objective (lexicographic): first the largest number of assigned pairs, then the largest total
affinity. A proposal is therefore never left short to gain affinity elsewhere, and a pair of zero
or negative affinity is still used when it is needed to fill a seat.

Exactness and scaling
---------------------
Affinities are scaled to integers ``s = round(affinity * scale)`` with ``scale`` a power of two
(``result.scale``), as large as int64 headroom allows (about 2**30 / max|affinity| for typical
sizes). ``result.optimal`` is True when the returned assignment is *proven* optimal for the scaled
objective; the float objective is then within ``result.objective_gap_bound`` (= pairs / scale, 0.0
when every ``affinity * scale`` is an integer, e.g. integer affinities) of the best float objective.

Solvers
-------
Without sector minimums (and with groups that each lie in one sector) the problem is a min-cost
flow: source -> proposal (cap quota) -> [group node (cap 1)] -> expert (cap 1, cost -s) -> sink
(cap max_load), with sector seats as intermediate hub nodes. OR-Tools' ``SimpleMinCostFlow`` solves
max-flow-then-min-cost, which is exactly the lexicographic objective. Arrays are built with numpy,
conflicted pairs are removed before building, no per-pair Python loop.

On large instances the network is first built on each proposal's top-k experts only, and the
result is certified for the full instance with exact integer node potentials (reduced-cost
optimality; details in ``_flow.py``). Pairs that violate the certificate are added and the flow is
re-solved; if that does not converge quickly the full network is solved instead. Either way the
answer is exact, never a heuristic.

Expert groups that straddle sector classes together with ``min_per_sector`` break the network's
nesting; that case goes to a HiGHS MIP (two lexicographic stages, proven optimal or flagged).

Shortfalls are explained per proposal in ``result.shortfall`` instead of raising, e.g.
``"assigned 2 of 3: only 2 non-conflicted experts with free capacity: needs 3 (...)"``.

Usage::

    problem = AssignmentProblem(affinity=A, reviewers_per_proposal=3, max_load=3, conflicts=C)
    result = solve_assignment(problem)
    result.pairs, result.objective, result.optimal, result.shortfall, result.loads
"""

from ._problem import AssignmentProblem, AssignmentResult
from ._solve import solve_assignment

__all__ = ["AssignmentProblem", "AssignmentResult", "solve_assignment"]
