"""Portfolio selection engine: exactness against brute force, constraints, explanations, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legend50.engines.portfolio import (
    PortfolioProblem,
    explain_exclusions,
    greedy_portfolio,
    solve_portfolio,
)
from legend50.engines.portfolio import solver as solver_module

# --------------------------------------------------------------------------------------------------
# Independent reference: enumerate every subset with numpy (n <= 12 -> at most 4,096 rows).


def _spec(p: PortfolioProblem):
    """The problem as the caller wrote it, re-read from the public fields (not the solver's views)."""
    n = len(np.asarray(p.value))
    value = np.asarray(p.value, dtype=float)
    budget = np.atleast_1d(np.asarray(p.budget, dtype=np.int64))
    cost = np.asarray(p.cost, dtype=np.int64).reshape(n, budget.size)
    eligible = np.ones(n, bool) if p.eligible is None else np.asarray(p.eligible, bool)
    groupings = [(np.asarray(p.group), p.min_per_group, p.max_per_group)]
    for labels, mins, maxs in (p.extra_groupings or {}).values():
        groupings.append((np.asarray(labels), mins, maxs))
    return n, value, cost, budget, eligible, list(p.must_include), list(p.must_exclude), groupings


def _feasible_rows(p: PortfolioProblem, subsets: np.ndarray) -> np.ndarray:
    """Which rows of a (s, n) boolean subset matrix satisfy every constraint."""
    n, value, cost, budget, eligible, mi, me, groupings = _spec(p)
    allowed = eligible.copy()
    allowed[mi] = True
    allowed[me] = False
    ok = ~subsets[:, ~allowed].any(axis=1)
    if mi:
        ok &= subsets[:, mi].all(axis=1)
    ok &= (subsets.astype(np.int64) @ cost <= budget).all(axis=1)
    for labels, mins, maxs in groupings:
        for label, lo in mins.items():
            ok &= subsets[:, labels == label].sum(axis=1) >= lo
        for label, hi in maxs.items():
            ok &= subsets[:, labels == label].sum(axis=1) <= hi
    return ok


def _brute_force(p: PortfolioProblem) -> float | None:
    n = len(np.asarray(p.value))
    subsets = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
    ok = _feasible_rows(p, subsets)
    if not ok.any():
        return None
    return float((subsets[ok].astype(float) @ np.asarray(p.value, dtype=float)).max())


def _assert_feasible(p: PortfolioProblem, selected: np.ndarray) -> None:
    n = len(np.asarray(p.value))
    row = np.zeros((1, n), dtype=bool)
    row[0, selected] = True
    assert selected.dtype.kind == "i" and np.all(np.diff(selected) > 0), "selected must be sorted unique ints"
    assert _feasible_rows(p, row)[0], f"selection {selected.tolist()} breaks a constraint"


@st.composite
def small_problems(draw):
    n = draw(st.integers(0, 11))
    k = draw(st.integers(1, 3))
    rnd = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    value = np.round(rnd.uniform(0, 10, n), 1)
    value[rnd.random(n) < 0.15] = 0.0  # zero scores happen
    if n >= 2 and draw(st.booleans()):
        value[1] = value[0]  # exact ties happen too
    cost = rnd.integers(0, 10, (n, k))
    budget = rnd.integers(0, 30, k)
    group = rnd.integers(0, 3, n)
    mins = {int(g): int(rnd.integers(0, 3)) for g in range(3) if rnd.random() < 0.4}
    maxs = {int(g): int(rnd.integers(0, 4)) for g in range(3) if rnd.random() < 0.4}
    eligible = rnd.random(n) < 0.85
    order = rnd.permutation(n)
    must_include = order[: draw(st.integers(0, min(2, n)))]
    must_exclude = order[2 : 2 + draw(st.integers(0, 1))] if n > 2 else []
    extra = None
    if draw(st.booleans()):
        extra = {
            "region": (rnd.integers(0, 2, n), {0: int(rnd.integers(0, 2))}, {1: int(rnd.integers(0, 3))})
        }
    return PortfolioProblem(
        value=value,
        cost=cost,
        budget=budget,
        group=group,
        min_per_group=mins,
        max_per_group=maxs,
        eligible=eligible,
        must_include=must_include,
        must_exclude=must_exclude,
        extra_groupings=extra,
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_optimal_against_brute_force_and_every_constraint_holds(p):
    best = _brute_force(p)
    r = solve_portfolio(p)
    if best is None:
        assert r.status == "infeasible" and not r.optimal
        assert r.selected.size == 0
        assert isinstance(r.explanation, str) and len(r.explanation) > 20
        return
    assert r.status == "optimal" and r.optimal and r.gap == 0.0, r.explanation
    assert r.objective == pytest.approx(best, abs=1e-9)
    assert r.bound >= r.objective - 1e-9
    _assert_feasible(p, r.selected)
    assert r.objective == pytest.approx(float(np.asarray(p.value)[r.selected].sum()))
    assert np.array_equal(r.used, np.asarray(p.cost).reshape(-1, len(r.used))[r.selected].sum(0))
    # Zero-value proposals are only taken when a minimum or must_include needs them.
    zero_taken = [
        i for i in r.selected.tolist() if np.asarray(p.value)[i] == 0 and i not in set(p.must_include)
    ]
    for i in zero_taken:
        rest = np.setdiff1d(r.selected, [i])
        row = np.zeros((1, len(np.asarray(p.value))), dtype=bool)
        row[0, rest] = True
        assert not _feasible_rows(p, row)[0], f"zero-value proposal {i} taken without need"


@settings(max_examples=60, deadline=None)
@given(small_problems())
def test_greedy_follows_the_ranked_list(p):
    g = greedy_portfolio(p)
    n, value, cost, budget, eligible, mi, me, groupings = _spec(p)
    if g.status == "infeasible" and g.selected.size == 0:
        return  # must_include alone breaks a budget or maximum
    allowed = eligible.copy()
    allowed[mi] = True
    allowed[me] = False
    taken = list(mi)
    used = cost[taken].sum(axis=0) if taken else np.zeros_like(budget)

    def within_max(sel):
        return all(
            np.count_nonzero(labels[sel] == label) <= hi
            for labels, _, maxs in groupings
            for label, hi in maxs.items()
        )

    rank = sorted((i for i in range(n) if allowed[i] and i not in mi), key=lambda i: (-value[i], i))
    for i in rank:
        if np.all(used + cost[i] <= budget) and within_max([*taken, i]):
            taken.append(i)
            used = used + cost[i]
    assert g.selected.tolist() == sorted(taken)
    assert g.objective == pytest.approx(float(value[taken].sum()))
    assert math.isnan(g.bound) and math.isnan(g.gap) and not g.optimal
    if g.status == "feasible":
        _assert_feasible(p, g.selected)


def test_greedy_reports_a_missed_minimum_but_keeps_its_list():
    # The ranked list spends everything on group 0; group 1 has a minimum of 1.
    p = PortfolioProblem(value=[9, 8, 1], cost=[5, 5, 5], budget=[10], group=[0, 0, 1], min_per_group={1: 1})
    g = greedy_portfolio(p)
    assert g.selected.tolist() == [0, 1]
    assert g.status == "infeasible" and "group 1" in g.explanation and "minimum" in g.explanation
    r = solve_portfolio(p)
    assert r.selected.tolist() == [0, 2] and r.optimal


def test_hand_example_and_result_fields():
    p = PortfolioProblem(
        value=[9.0, 8.0, 7.0, 1.0], cost=[[6], [5], [5], [11]], budget=[10], group=[0, 0, 0, 0]
    )
    assert p.min_per_group == {} and p.max_per_group == {} and p.eligible is None
    r = solve_portfolio(p)
    assert r.selected.tolist() == [1, 2] and r.selected.dtype.kind == "i"
    assert r.objective == 15.0 and r.optimal and r.gap == 0.0 and r.status == "optimal"
    assert r.used.tolist() == [10] and r.bound == pytest.approx(15.0)
    assert r.wall_time >= 0 and "optimal" in r.explanation.lower()
    g = greedy_portfolio(p)
    assert g.selected.tolist() == [0] and g.objective == 9.0 and g.status == "feasible"


def test_extra_groupings_must_include_override_and_exclude():
    # Region 1 may hold at most one; proposal 3 is ineligible but must be included; 0 is excluded.
    p = PortfolioProblem(
        value=[10, 9, 8, 0.5, 7],
        cost=[[1, 1]] * 5,
        budget=[10, 10],
        group=[0, 0, 1, 1, 1],
        eligible=[True, True, True, False, True],
        must_include=[3],
        must_exclude=[0],
        extra_groupings={"region": (np.array([1, 1, 1, 2, 2]), {2: 2}, {1: 1})},
    )
    r = solve_portfolio(p)
    assert r.selected.tolist() == [1, 3, 4] and r.optimal
    _assert_feasible(p, r.selected)


def test_ties_and_zero_values_are_deterministic():
    p = PortfolioProblem(value=[5, 5, 5, 5, 0, 0], cost=[3] * 6, budget=[6], group=[0, 1, 0, 1, 0, 1])
    first = solve_portfolio(p)
    assert first.objective == 10 and first.selected.size == 2
    for _ in range(3):
        assert solve_portfolio(p).selected.tolist() == first.selected.tolist()
    # A zero-value proposal is taken only when a minimum needs it.
    q = PortfolioProblem(value=[5, 0, 0], cost=[1, 1, 1], budget=[3], group=[0, 1, 2], min_per_group={2: 1})
    assert solve_portfolio(q).selected.tolist() == [0, 2]


# --------------------------------------------------------------------------------------------------
# Infeasibility: each kind of explanation


@pytest.mark.parametrize(
    ("kwargs", "needles"),
    [
        (dict(group=[1, 1, 2], min_per_group={27: 1}), ["group 27", "at least 1", "no eligible candidate"]),
        (
            dict(group=[1, 1, 2], min_per_group={2: 1}, eligible=[True, True, False]),
            ["group 2", "no eligible candidate"],
        ),
        (
            dict(group=[1, 1, 2], min_per_group={1: 3}),
            ["group 1", "at least 3", "only 2 eligible candidates"],
        ),
        (dict(group=[1, 1, 2], min_per_group={1: 2}, max_per_group={1: 1}), ["minimum of 2", "maximum of 1"]),
        (
            dict(group=[1, 1, 2], max_per_group={1: 1}, must_include=[0, 1]),
            ["must_include", "group 1", "maximum"],
        ),
        (
            dict(group=[1, 1, 2], must_include=[0, 1, 2], budget=[100, 8]),
            ["must_include alone exceeds budget dimension 1 by 1 won"],
        ),
        (
            dict(group=[1, 2, 3], min_per_group={1: 1, 2: 1, 3: 1}, budget=[100, 8]),
            ["minimums per group", "3 more selections", "budget dimension 1", "by 1 won"],
        ),
        (
            dict(
                group=[1, 1, 2],
                min_per_group={1: 2},
                extra_groupings={"region": (np.array([5, 5, 5]), {}, {5: 1})},
            ),
            ["minimums per group", "at least 2", "region", "at most 1"],
        ),
        (
            dict(group=[1, 2, 2], min_per_group={1: 1}, cost=[[1, 99], [1, 1], [1, 1]], budget=[10, 10]),
            ["group 1", "fit within the budget on its own"],
        ),
    ],
)
def test_infeasible_is_explained_by_the_cheap_checks(kwargs, needles):
    base = dict(value=[3.0, 2.0, 1.0], cost=[[1, 3], [1, 3], [1, 3]], budget=[10, 10], group=[1, 1, 2])
    p = PortfolioProblem(**{**base, **kwargs})
    r = solve_portfolio(p)
    assert r.status == "infeasible" and not r.optimal and r.selected.size == 0
    assert r.method == "diagnosis"
    for needle in needles:
        assert needle.lower() in r.explanation.lower(), (needle, r.explanation)
    assert _brute_force(p) is None


def test_infeasible_only_for_the_lp_names_the_conflicting_limits():
    # Each check passes alone; province + region minimums with "at most one cheap one" exceed the budget.
    p = PortfolioProblem(
        value=[5, 5, 5, 5],
        cost=[8, 3, 8, 3],
        budget=[10],
        group=[1, 1, 2, 2],
        min_per_group={1: 1, 2: 1},
        extra_groupings={"sector": (np.array([0, 7, 0, 7]), {}, {7: 1})},
        group_name="province",
    )
    assert _brute_force(p) is None
    r = solve_portfolio(p)
    assert r.status == "infeasible" and r.method == "lp"
    for needle in ["budget dimension 0", "province 1 (min 1)", "province 2 (min 1)", "sector 7 (max 1)"]:
        assert needle in r.explanation, r.explanation


def test_infeasible_only_in_integers_gets_the_solver_message():
    # Fractionally fine (halves of 0 and 1 plus 2), but every integer pair breaks a budget or the pair maximum.
    p = PortfolioProblem(
        value=[1, 1, 1],
        cost=[[6, 0], [0, 6], [6, 6]],
        budget=[10, 10],
        group=[0, 0, 0],
        min_per_group={0: 2},
        extra_groupings={"pair": (np.array([1, 1, 9]), {}, {1: 1})},
    )
    assert _brute_force(p) is None
    r = solve_portfolio(p)
    assert r.status == "infeasible" and r.selected.size == 0 and not r.optimal
    assert "no combination" in r.explanation.lower() and "budget" in r.explanation


# --------------------------------------------------------------------------------------------------
# Input validation


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(value=[1.0, float("nan"), 2.0]), "value"),
        (dict(value=[[1.0, 2.0, 3.0]]), "value"),
        (dict(cost=[[1], [2]]), "cost"),
        (dict(cost=[[1], [-2], [3]]), "cost"),
        (dict(cost=[[1.5], [2], [3]]), "cost"),
        (dict(budget=[-1]), "budget"),
        (dict(group=[0, 1]), "group"),
        (dict(eligible=[True, False]), "eligible"),
        (dict(must_include=[3]), "must_include"),
        (dict(must_include=[-1]), "must_include"),
        (dict(must_exclude=[7]), "must_exclude"),
        (dict(must_include=[1], must_exclude=[1]), "must_include"),
        (dict(min_per_group={0: -1}), "min_per_group"),
        (dict(max_per_group={0: 1.5}), "max_per_group"),
        (dict(extra_groupings={"region": (np.array([0, 1]), {}, {})}), "extra_groupings"),
        (dict(extra_groupings={"region": np.array([0, 1, 1])}), "extra_groupings"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(kwargs, name):
    base = dict(value=[1.0, 2.0, 3.0], cost=[[1], [2], [3]], budget=[5], group=[0, 0, 1])
    with pytest.raises(ValueError, match=name):
        PortfolioProblem(**{**base, **kwargs})


def test_solver_arguments_are_validated():
    p = PortfolioProblem(value=[1.0], cost=[[1]], budget=[1], group=[0])
    with pytest.raises(ValueError, match="rel_gap"):
        solve_portfolio(p, rel_gap=-1)
    with pytest.raises(ValueError, match="time_limit"):
        solve_portfolio(p, time_limit=0)


def test_empty_problem_is_trivially_optimal():
    r = solve_portfolio(PortfolioProblem(value=[], cost=np.zeros((0, 2)), budget=[5, 5], group=[]))
    assert r.status == "optimal" and r.selected.size == 0 and r.objective == 0 and r.used.tolist() == [0, 0]


# --------------------------------------------------------------------------------------------------
# Exclusion explanations


def test_explain_exclusions_on_a_tiny_hand_example():
    # Budget 10. A (9, costs 6) loses to B + C (8 + 7 = 15, costs 5 + 5); D never fits.
    p = PortfolioProblem(value=[9.0, 8.0, 7.0, 1.0], cost=[6, 5, 5, 11], budget=[10], group=[0, 0, 0, 0])
    r = solve_portfolio(p)
    ex = explain_exclusions(p, r)
    assert set(ex) == {0, 3}
    a = ex[0]
    assert a.forced_objective == 9.0 and a.value_increase == 6.0 and a.value_needed == 15.0
    assert a.cost_reduction.tolist() == [1]  # at cost 5, A + B = 17 beats 15
    assert a.cost_reduction_share == pytest.approx(1 / 6)
    assert "15" in a.message and "16.7%" in a.message
    d = ex[3]
    assert d.value_needed is None and d.cost_reduction is None
    assert "exceeds budget dimension 0 by 1 won" in d.message


def test_explain_exclusions_tie_and_group_maximum():
    p = PortfolioProblem(value=[5, 5, 4], cost=[1, 1, 1], budget=[1], group=[0, 0, 1])
    r = solve_portfolio(p)
    ex = explain_exclusions(p, r)
    loser = 1 - int(r.selected[0])
    assert ex[loser].value_increase == 0.0 and "tie" in ex[loser].message.lower()
    assert ex[2].value_needed == pytest.approx(5.0)
    # A group that may hold none: nothing would get its proposal in.
    q = PortfolioProblem(value=[5, 4], cost=[1, 1], budget=[5], group=[0, 1], max_per_group={1: 0})
    e = explain_exclusions(q)[1]
    assert e.value_needed is None and "group 1 allows at most 0" in e.message


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_explained_changes_are_enough(seed):
    rnd = np.random.default_rng(seed)
    n = 7
    value = np.round(rnd.uniform(1, 10, n), 2)
    cost = rnd.integers(1, 10, (n, 2))
    budget = (cost.sum(axis=0) * 0.4).astype(int)
    group = rnd.integers(0, 3, n)
    p = PortfolioProblem(value=value, cost=cost, budget=budget, group=group, max_per_group={0: 2})
    r = solve_portfolio(p)
    for j, e in explain_exclusions(p, r).items():
        if e.value_needed is None:
            continue
        # Raising the value just past the threshold gets it in.
        v2 = value.copy()
        v2[j] = e.value_needed + 1e-3
        p2 = PortfolioProblem(value=v2, cost=cost, budget=budget, group=group, max_per_group={0: 2})
        assert j in solve_portfolio(p2).selected
        # Just below it, the optimum does not change in value.
        v3 = value.copy()
        v3[j] = max(0.0, e.value_needed - 1e-3)
        p3 = PortfolioProblem(value=v3, cost=cost, budget=budget, group=group, max_per_group={0: 2})
        assert solve_portfolio(p3).objective == pytest.approx(r.objective)
        if e.cost_reduction is not None:
            c2 = cost.copy()
            c2[j] -= e.cost_reduction
            v4 = value.copy()
            v4[j] += 1e-3  # break the tie the cut reaches
            p4 = PortfolioProblem(value=v4, cost=c2, budget=budget, group=group, max_per_group={0: 2})
            assert j in solve_portfolio(p4).selected


# --------------------------------------------------------------------------------------------------
# Larger instances: the LP-based path, sifting and proven gaps


def _random_call(n: int, seed: int) -> PortfolioProblem:
    rnd = np.random.default_rng(seed)
    value = np.round(np.clip(rnd.normal(72, 10, n), 0, 100), 2)
    cost = (rnd.lognormal(np.log(3e8), 0.6, (n, 3)) // 1000 * 1000).astype(np.int64)
    cost[rnd.random((n, 3)) < 0.3] = 0
    group = rnd.integers(0, 17, n)
    budget = (cost.sum(axis=0) * np.array([0.03, 0.045, 0.06])).astype(np.int64)
    counts = np.bincount(group, minlength=17)
    return PortfolioProblem(
        value=value,
        cost=cost,
        budget=budget,
        group=group,
        min_per_group={g: 1 for g in range(0, 17, 2)},
        max_per_group={g: max(2, math.ceil(0.08 * c)) for g, c in enumerate(counts)},
        eligible=value >= 60,
    )


def test_large_instance_reports_an_honest_gap():
    p = _random_call(3_000, 7)
    r = solve_portfolio(p, rel_gap=1e-3, time_limit=20)
    assert r.status in ("optimal", "feasible") and r.gap <= 1e-3
    assert r.bound >= r.objective and r.gap == pytest.approx((r.bound - r.objective) / r.bound, abs=1e-12)
    _assert_feasible(p, r.selected)
    assert r.objective >= greedy_portfolio(p).objective


def test_sifting_lp_matches_the_full_lp(monkeypatch):
    p = _random_call(2_500, 11)
    model = solver_module.compile_problem(p)
    full = solver_module._full_lp(model, deadline=math.inf)
    monkeypatch.setattr(solver_module, "_SIFT_MIN", 100)
    monkeypatch.setattr(solver_module, "_SIFT_WORK", 300)
    monkeypatch.setattr(solver_module, "_SIFT_ADD", 150)
    sifted = solver_module._solve_lp(model, deadline=math.inf)
    assert full.status == sifted.status == "optimal" and sifted.rounds >= 1
    full_bound, _ = solver_module._lagrangian_bound(model, full.y)
    sifted_bound, _ = solver_module._lagrangian_bound(model, sifted.y)
    assert sifted_bound == pytest.approx(full_bound, rel=1e-7)
    r = solve_portfolio(p, rel_gap=1e-3)
    assert r.gap <= 1e-3
    _assert_feasible(p, r.selected)
