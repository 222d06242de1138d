"""Reviewer-assignment engine: constraints, lexicographic optimality, shortfall reports, validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legend50.engines.assignment import AssignmentProblem, _solve, solve_assignment

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- helpers


def brute_force(
    A: np.ndarray,
    q: np.ndarray,
    L: np.ndarray,
    C: np.ndarray,
    group: np.ndarray | None = None,
    sector: np.ndarray | None = None,
    mins: dict[int, int] | None = None,
) -> tuple[int, float]:
    """(max pair count, max affinity among max-count assignments) by enumerating every pair subset."""
    P, E = A.shape
    elig = [(i, j) for i in range(P) for j in range(E) if not C[i, j] and q[i] > 0 and L[j] > 0]
    n = len(elig)
    if n == 0:
        return 0, 0.0
    assert n <= 16, "instance too large for brute force"
    pick = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.int64)
    ri = np.array([i for i, _ in elig])
    cj = np.array([j for _, j in elig])
    rows_inc = np.zeros((n, P), dtype=np.int64)
    rows_inc[np.arange(n), ri] = 1
    cols_inc = np.zeros((n, E), dtype=np.int64)
    cols_inc[np.arange(n), cj] = 1
    per_row = pick @ rows_inc
    ok = (per_row <= q).all(axis=1) & ((pick @ cols_inc) <= L).all(axis=1)
    if group is not None:
        keys = ri * (int(group.max()) + 1) + group[cj]
        _, inv = np.unique(keys, return_inverse=True)
        g_inc = np.zeros((n, inv.max() + 1), dtype=np.int64)
        g_inc[np.arange(n), inv] = 1
        ok &= ((pick @ g_inc) <= 1).all(axis=1)
    if mins:
        required = {s: m for s, m in mins.items() if m > 0}
        total_min = sum(required.values())
        open_inc = np.zeros((n, P), dtype=np.int64)
        open_mask = ~np.isin(sector[cj], list(required))
        open_inc[np.arange(n)[open_mask], ri[open_mask]] = 1
        open_seats = pick @ open_inc
        for s, m in required.items():
            s_inc = np.zeros((n, P), dtype=np.int64)
            sel = sector[cj] == s
            s_inc[np.arange(n)[sel], ri[sel]] = 1
            open_seats = open_seats + np.maximum(pick @ s_inc - m, 0)
        ok &= (open_seats <= np.where(q > 0, q - total_min, 0)).all(axis=1)
    count = pick.sum(axis=1)
    value = pick @ A[ri, cj]
    best = count[ok].max()
    return int(best), float(value[ok & (count == best)].max())


def assert_valid(problem: AssignmentProblem, result) -> None:
    A = problem.affinity
    P, E = A.shape
    pairs = result.pairs
    assert pairs.ndim == 2 and pairs.shape[1] == 2
    rows, cols = pairs[:, 0], pairs[:, 1]
    assert ((rows >= 0) & (rows < P)).all() and ((cols >= 0) & (cols < E)).all()
    assert np.unique(rows * E + cols).size == rows.size, "duplicate pair"
    if problem.conflicts is not None:
        assert not problem.conflicts[rows, cols].any(), "conflicted pair assigned"
    loads = np.bincount(cols, minlength=E)
    assigned = np.bincount(rows, minlength=P)
    assert (loads <= problem.loads).all()
    assert (assigned <= problem.quotas).all()
    np.testing.assert_array_equal(result.loads, loads)
    np.testing.assert_array_equal(result.assigned, assigned)
    assert result.objective == pytest.approx(float(A[rows, cols].sum()), abs=1e-9)
    assert set(result.shortfall) == set(np.flatnonzero(assigned < problem.quotas).tolist())
    if problem.expert_group is not None:
        keys = rows * (int(problem.expert_group.max()) + 1) + problem.expert_group[cols]
        assert np.unique(keys).size == keys.size, "two experts of one group on a proposal"
    for sector, minimum in problem.required_sectors.items():
        full = (assigned == problem.quotas) & (problem.quotas > 0)
        got = np.bincount(rows[problem.expert_sector[cols] == sector], minlength=P)
        assert (got[full] >= minimum).all(), "full panel missing a required sector"


@st.composite
def tiny_instances(draw, with_groups=False, with_sectors=False, float_aff=False):
    P = draw(st.integers(1, 3))
    E = draw(st.integers(1, 4))
    cells = P * E
    if float_aff:
        aff = draw(st.lists(st.floats(-2, 2, allow_nan=False, width=32), min_size=cells, max_size=cells))
    else:
        aff = draw(st.lists(st.integers(-3, 5), min_size=cells, max_size=cells))
    A = np.array(aff, dtype=np.float64).reshape(P, E)
    C = np.array(draw(st.lists(st.booleans(), min_size=cells, max_size=cells))).reshape(P, E)
    q = np.array(draw(st.lists(st.integers(0, 3), min_size=P, max_size=P)), dtype=np.int64)
    L = np.array(draw(st.lists(st.integers(0, 2), min_size=E, max_size=E)), dtype=np.int64)
    kw: dict = {}
    if with_groups:
        kw["expert_group"] = np.array(draw(st.lists(st.integers(0, 2), min_size=E, max_size=E)))
    if with_sectors:
        kw["expert_sector"] = np.array(draw(st.lists(st.integers(0, 2), min_size=E, max_size=E)))
        kw["min_per_sector"] = {1: draw(st.integers(0, 1)), 2: draw(st.integers(0, 1))}
        q = np.where(q > 0, np.maximum(q, sum(kw["min_per_sector"].values())), 0)
    return AssignmentProblem(affinity=A, reviewers_per_proposal=q, max_load=L, conflicts=C, **kw)


def random_problem(
    seed: int, P: int, E: int, q=2, L=2, conflict=0.05, popular=False, **kw
) -> AssignmentProblem:
    rng = np.random.default_rng(seed)
    A = rng.random((P, E)) - 0.3
    if popular:  # everyone ranks the same few experts first: exercises sparse pricing rounds
        A = 0.3 * A + rng.random(E)[None, :] ** 3
    return AssignmentProblem(
        affinity=A, reviewers_per_proposal=q, max_load=L, conflicts=rng.random((P, E)) < conflict, **kw
    )


# --------------------------------------------------------------------------- optimality vs brute force


@FAST
@given(tiny_instances(), st.sampled_from(["auto", "sparse"]))
def test_matches_brute_force_integer_affinities(problem, strategy):
    result = solve_assignment(problem, strategy=strategy)
    assert_valid(problem, result)
    count, value = brute_force(problem.affinity, problem.quotas, problem.loads, problem.conflicts)
    assert result.n_pairs == count
    assert result.objective == value  # integer affinities scale exactly
    assert result.optimal and result.objective_gap_bound == 0.0
    if strategy == "sparse":
        assert result.solver in ("ortools-mcf-sparse-certified", "trivial")


@FAST
@given(tiny_instances(float_aff=True))
def test_matches_brute_force_float_affinities(problem):
    result = solve_assignment(problem)
    assert_valid(problem, result)
    count, value = brute_force(problem.affinity, problem.quotas, problem.loads, problem.conflicts)
    assert result.n_pairs == count
    assert result.objective == pytest.approx(value, abs=result.objective_gap_bound + 1e-9)


@FAST
@given(tiny_instances(with_groups=True))
def test_groups_match_brute_force(problem):
    result = solve_assignment(problem)
    assert_valid(problem, result)
    count, value = brute_force(
        problem.affinity, problem.quotas, problem.loads, problem.conflicts, group=problem.expert_group
    )
    assert (result.n_pairs, result.objective) == (count, value)


@FAST
@given(tiny_instances(with_sectors=True))
def test_sectors_match_brute_force(problem):
    result = solve_assignment(problem)
    assert_valid(problem, result)
    count, value = brute_force(
        problem.affinity,
        problem.quotas,
        problem.loads,
        problem.conflicts,
        sector=problem.expert_sector,
        mins=problem.min_per_sector,
    )
    assert (result.n_pairs, result.objective) == (count, value)


@FAST
@given(tiny_instances(with_groups=True, with_sectors=True))
def test_groups_and_sectors_match_brute_force(problem):
    """Groups may straddle sectors here, which routes to the MIP back-end."""
    result = solve_assignment(problem)
    assert_valid(problem, result)
    count, value = brute_force(
        problem.affinity,
        problem.quotas,
        problem.loads,
        problem.conflicts,
        group=problem.expert_group,
        sector=problem.expert_sector,
        mins=problem.min_per_sector,
    )
    assert (result.n_pairs, result.objective) == (count, value)
    assert result.optimal


# --------------------------------------------------------------------------- larger random instances


@pytest.mark.parametrize(
    "seed, kwargs",
    [
        (0, {}),
        (1, {"popular": True}),
        (2, {"q": 3, "L": 1, "conflict": 0.3}),  # tight supply: shortfalls
        (3, {"popular": True, "expert_group": np.arange(120) % 25}),
        (4, {"q": 3, "expert_sector": np.arange(120) % 4, "min_per_sector": {1: 1, 3: 1}}),
    ],
)
def test_sparse_pricing_equals_dense_network(seed, kwargs):
    problem = random_problem(seed, 70, 120, **kwargs)
    sparse = solve_assignment(problem, strategy="sparse")
    dense = solve_assignment(problem, strategy="dense")
    for result in (sparse, dense):
        assert_valid(problem, result)
        assert result.optimal
    assert sparse.n_pairs == dense.n_pairs
    assert sparse.stats["scaled_objective"] == dense.stats["scaled_objective"]
    assert sparse.objective == pytest.approx(dense.objective, abs=sparse.objective_gap_bound)


@FAST
@given(
    st.integers(0, 10**6),
    st.integers(5, 25),
    st.integers(5, 30),
    st.sampled_from([None, 3, 6]),
    st.booleans(),
    st.booleans(),
)
def test_certificate_with_tiny_candidate_sets(seed, P, E, n_groups, sectors, popular):
    """Start pricing from 1-2 candidates per proposal so the certificate must add most pairs itself."""
    rng = np.random.default_rng(seed)
    kw: dict = {}
    if n_groups:
        kw["expert_group"] = rng.integers(0, n_groups, E)
        if sectors:  # keep groups inside one sector so the flow back-end applies
            kw["expert_sector"] = kw["expert_group"] % 2
            kw["min_per_sector"] = {1: 1}
    elif sectors:
        kw["expert_sector"] = rng.integers(0, 3, E)
        kw["min_per_sector"] = {1: 1, 2: 1}
    A = np.round(rng.normal(size=(P, E)), 1)
    if popular:
        A = A + np.round(3 * rng.random(E), 1)[None, :]
    problem = AssignmentProblem(
        affinity=A,
        reviewers_per_proposal=rng.integers(0, 4, P) * (1 + sectors),
        max_load=rng.integers(0, 4, E),
        conflicts=rng.random((P, E)) < 0.2,
        **kw,
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_solve, "_candidate_k", lambda inst: (1, 1))
        mp.setattr(_solve, "MAX_CANDIDATE_FRACTION", 2.0)  # never bail out to the dense network
        sparse = solve_assignment(problem, strategy="sparse")
    dense = solve_assignment(problem, strategy="dense")
    assert_valid(problem, sparse)
    assert sparse.solver in ("ortools-mcf-sparse-certified", "trivial"), sparse.stats
    assert (sparse.n_pairs, sparse.stats["scaled_objective"]) == (
        dense.n_pairs,
        dense.stats["scaled_objective"],
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_mip_equals_flow(seed):
    problem = random_problem(seed, 12, 15, q=2, L=2, conflict=0.2, expert_group=np.arange(15) % 6)
    flow = solve_assignment(problem, strategy="dense")
    mip = solve_assignment(problem, strategy="mip")
    assert_valid(problem, mip)
    assert mip.solver == "highs-mip" and mip.optimal
    assert mip.n_pairs == flow.n_pairs
    assert mip.objective == pytest.approx(flow.objective, abs=1e-4)


def test_property_checks_on_medium_instance():
    problem = random_problem(7, 300, 400, q=3, L=3, conflict=0.02)
    result = solve_assignment(problem)
    assert_valid(problem, result)
    assert result.optimal and result.n_pairs == 900 and not result.shortfall
    assert result.solver.startswith("ortools-mcf")


# --------------------------------------------------------------------------- semantics


def test_count_beats_affinity():
    # Proposal 0 would gain most from expert 0, but expert 0 is proposal 1's only option.
    A = np.array([[10.0, 1.0], [0.0, 0.0]])
    C = np.array([[False, False], [False, True]])
    result = solve_assignment(
        AssignmentProblem(affinity=A, reviewers_per_proposal=1, max_load=1, conflicts=C)
    )
    assert result.pairs.tolist() == [[0, 1], [1, 0]]
    assert result.objective == 1.0 and not result.shortfall


def test_negative_affinity_pairs_fill_quota():
    A = np.array([[-1.0, -2.0, 5.0, -0.5]])
    C = np.array([[False, False, False, True]])
    result = solve_assignment(
        AssignmentProblem(affinity=A, reviewers_per_proposal=3, max_load=1, conflicts=C)
    )
    assert result.pairs[:, 1].tolist() == [0, 1, 2]
    assert result.objective == 2.0 and result.optimal


def test_conflicts_default_to_none():
    A = np.array([[1.0, 5.0, 0.0], [4.0, 6.0, 0.0]])
    result = solve_assignment(AssignmentProblem(affinity=A, reviewers_per_proposal=1, max_load=1))
    assert result.pairs.tolist() == [[0, 1], [1, 0]] and result.objective == 9.0


def test_per_row_and_per_column_arrays():
    A = np.ones((3, 3))
    problem = AssignmentProblem(
        affinity=A, reviewers_per_proposal=np.array([0, 1, 3]), max_load=np.array([2, 1, 1])
    )
    result = solve_assignment(problem)
    assert_valid(problem, result)
    assert result.assigned.tolist() == [0, 1, 3]


def test_shortfall_names_proposals_without_enough_experts():
    A = np.ones((3, 4))
    C = np.zeros((3, 4), dtype=bool)
    C[1, :2] = True  # proposal 1: only experts 2 and 3 are allowed
    result = solve_assignment(
        AssignmentProblem(affinity=A, reviewers_per_proposal=3, max_load=3, conflicts=C)
    )
    assert list(result.shortfall) == [1]
    reason = result.shortfall[1]
    assert "only 2 non-conflicted experts" in reason and "needs 3" in reason


def test_shortfall_reports_exhausted_capacity():
    # Two proposals want 3 each, 4 experts of load 1: two pairs short in total.
    A = np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    result = solve_assignment(AssignmentProblem(affinity=A, reviewers_per_proposal=3, max_load=1))
    assert result.n_pairs == 4 and result.optimal
    assert result.assigned.tolist() in ([3, 1], [2, 2], [1, 3])
    for i, reason in result.shortfall.items():
        assert "with free capacity: needs 3" in reason, (i, reason)


def test_sector_seat_stays_empty_and_is_reported():
    A = np.array([[5.0, 4.0, 3.0, 1.0]])
    sector = np.array([0, 0, 0, 1])
    C = np.array([[False, False, False, True]])  # the only sector-1 expert is conflicted
    problem = AssignmentProblem(
        affinity=A,
        reviewers_per_proposal=3,
        max_load=1,
        conflicts=C,
        expert_sector=sector,
        min_per_sector={1: 1},
    )
    result = solve_assignment(problem)
    assert result.n_pairs == 2 and result.objective == 9.0
    assert "sector 1" in result.shortfall[0]


def test_sector_minimum_met_when_possible():
    A = np.array([[5.0, 4.0, 3.0, -1.0]])
    sector = np.array([0, 0, 0, 7])
    problem = AssignmentProblem(
        affinity=A, reviewers_per_proposal=3, max_load=1, expert_sector=sector, min_per_sector={7: 1}
    )
    result = solve_assignment(problem)
    assert result.pairs[:, 1].tolist() == [0, 1, 3] and not result.shortfall


def test_group_limits_one_expert_per_group():
    A = np.array([[9.0, 8.0, 1.0]])
    problem = AssignmentProblem(
        affinity=A, reviewers_per_proposal=2, max_load=1, expert_group=np.array([4, 4, 5])
    )
    result = solve_assignment(problem)
    assert result.pairs[:, 1].tolist() == [0, 2] and result.objective == 10.0


def test_empty_instances():
    for shape in [(0, 3), (3, 0), (0, 0)]:
        result = solve_assignment(
            AssignmentProblem(affinity=np.zeros(shape), reviewers_per_proposal=2, max_load=2)
        )
        assert result.pairs.shape == (0, 2) and result.objective == 0.0 and result.optimal
    result = solve_assignment(
        AssignmentProblem(affinity=np.ones((2, 2)), reviewers_per_proposal=0, max_load=2)
    )
    assert result.n_pairs == 0 and not result.shortfall


def test_result_extras():
    result = solve_assignment(random_problem(0, 5, 6))
    assert result.solver and result.wall_time_s >= 0 and result.scale > 0
    assert result.pairs.dtype == np.int64


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"affinity": np.ones(3)}, "affinity"),
        ({"affinity": np.array([[1.0, np.nan]])}, "affinity"),
        ({"affinity": np.array([[1.0, np.inf]])}, "affinity"),
        ({"affinity": np.array([["a", "b"]])}, "affinity"),
        ({"reviewers_per_proposal": -1}, "reviewers_per_proposal"),
        ({"reviewers_per_proposal": 2.5}, "reviewers_per_proposal"),
        ({"reviewers_per_proposal": np.array([1, 2, 3])}, "reviewers_per_proposal"),
        ({"max_load": np.array([1])}, "max_load"),
        ({"max_load": True}, "max_load"),
        ({"conflicts": np.zeros((2, 3), dtype=bool)}, "conflicts"),
        ({"conflicts": np.zeros((1, 2), dtype=int)}, "conflicts"),
        ({"expert_group": np.array([0])}, "expert_group"),
        ({"expert_group": np.array([0.5, 1.0])}, "expert_group"),
        ({"min_per_sector": {1: 1}}, "min_per_sector"),
        ({"expert_sector": np.array([0, 1]), "min_per_sector": {0: 2, 1: 2}}, "min_per_sector"),
        ({"expert_sector": np.array([0, 1]), "min_per_sector": {0: -1}}, "min_per_sector"),
        ({"expert_sector": np.array([0, 1, 2])}, "expert_sector"),
    ],
)
def test_bad_inputs_raise_value_error_naming_argument(kwargs, name):
    base = {"affinity": np.ones((1, 2)), "reviewers_per_proposal": 2, "max_load": 1}
    base.update(kwargs)
    with pytest.raises(ValueError, match=name):
        AssignmentProblem(**base)


def test_bad_strategy_and_problem():
    problem = AssignmentProblem(affinity=np.ones((1, 1)), reviewers_per_proposal=1, max_load=1)
    with pytest.raises(ValueError, match="strategy"):
        solve_assignment(problem, strategy="greedy")
    with pytest.raises(ValueError, match="problem"):
        solve_assignment("not a problem")
