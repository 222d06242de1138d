"""Benchmark of the portfolio-selection engine (not a test).

    .venv/bin/python bench/portfolio/run.py            # all sizes: 35, 200, 2000, 100000
    .venv/bin/python bench/portfolio/run.py 35 200     # chosen sizes
    .venv/bin/python bench/portfolio/run.py 100000:1e-5   # size:rel_gap overrides the gap asked

Random instances with a fixed seed: 17 provinces (real province codes, uneven sizes), 3 yearly
budgets that bind (for n >= 2,000 each year's budget is 3-6% of that year's total request), a minimum
of 1 selection in half of the provinces, a maximum of max(2, ceil(0.08 x province candidates)) in
every province, and a score threshold (eligible = value >= 60). Prints solve time (median of several
repeats for small sizes), objective, proven gap, bound and the greedy ranked-list objective.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from legend50.engines.portfolio import PortfolioProblem, check_selection, greedy_portfolio, solve_portfolio  # noqa: E402

PROVINCES = np.array([11, 26, 27, 28, 29, 30, 31, 36, 41, 43, 44, 46, 47, 48, 50, 51, 52])
THRESHOLD = 60.0
SEED = 20260401

# size -> (rel_gap asked of the solver, time limit s, repeats). Gaps follow the targets in RESULTS.md.
SETTINGS = {35: (0.0, 10.0, 7), 200: (0.0, 10.0, 5), 2_000: (1e-4, 10.0, 3), 100_000: (1e-4, 5.0, 1)}


def make_problem(n: int, seed: int = SEED) -> PortfolioProblem:
    rng = np.random.default_rng(seed + n)
    weights = rng.dirichlet(np.full(PROVINCES.size, 3.0))
    prov_idx = rng.choice(PROVINCES.size, size=n, p=weights)
    prov_idx[: min(n, 2 * PROVINCES.size)] = np.arange(min(n, 2 * PROVINCES.size)) % PROVINCES.size
    group = PROVINCES[prov_idx]
    # Scores on a 0-100 scale with two decimals, so exact ties happen.
    value = np.round(np.clip(rng.normal(72.0, 10.0, n), 0.0, 100.0), 2)
    eligible = value >= THRESHOLD
    # Multi-year projects: total request log-normal around 300M won, spread over 1-3 years from year 1.
    total = np.round(rng.lognormal(np.log(3e8), 0.6, n), -3)
    years = rng.integers(1, 4, n)
    shares = rng.dirichlet(np.ones(3), n) * (np.arange(3) < years[:, None])
    shares /= shares.sum(axis=1, keepdims=True)
    cost = np.round(total[:, None] * shares, -3).astype(np.int64)
    request = cost[eligible].sum(axis=0)
    # Small calls fund roughly a third (35) or a tenth (200) of the request, under the group maximums;
    # large ones 3-6% as in the brief. Either way all three years bind.
    if n < 100:
        fraction = np.array([0.35, 0.30, 0.25])
    elif n < 2_000:
        fraction = np.array([0.12, 0.10, 0.08])
    else:
        fraction = np.array([0.03, 0.045, 0.06])
    budget = (request * fraction).astype(np.int64)

    provinces_present = np.unique(group[eligible])
    min_provinces = provinces_present[::2]
    counts = {int(p): int(np.count_nonzero(group == p)) for p in PROVINCES}
    return PortfolioProblem(
        value=value,
        cost=cost,
        budget=budget,
        group=group,
        min_per_group={int(p): 1 for p in min_provinces},
        max_per_group={p: max(2, math.ceil(0.08 * c)) for p, c in counts.items()},
        eligible=eligible,
        group_name="province",
    )


def bench(n: int, gap: float | None = None) -> dict:
    rel_gap, time_limit, repeats = SETTINGS.get(n, (1e-4, 10.0, 1))
    rel_gap = rel_gap if gap is None else gap
    problem = make_problem(n)
    times, cpu, result = [], [], None
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        result = solve_portfolio(problem, rel_gap=rel_gap, time_limit=time_limit)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    assert not check_selection(problem, result.selected), "infeasible selection"
    g_times, greedy = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        greedy = greedy_portfolio(problem)
        g_times.append(time.perf_counter() - t)
    return {
        "n": n,
        "eligible": int(problem._eligible.sum()),
        "rel_gap": rel_gap,
        "time": statistics.median(times),
        "cpu": statistics.median(cpu),
        "time_limit": time_limit,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "status": result.status,
        "selected": int(result.selected.size),
        "used": " / ".join(f"{100 * u / b:.1f}%" for u, b in zip(result.used, problem._budget, strict=True)),
        "method": result.method,
        "core": next((f"{v[0]} ({v[1]})" for k, v in result.stats.items() if k.startswith("core_")), "-"),
        "greedy": greedy.objective,
        "greedy_status": greedy.status,
        "greedy_time": statistics.median(g_times),
    }


def main(argv: list[str]) -> None:
    runs = []
    for arg in argv:
        size, _, gap = arg.replace(",", "").replace("_", "").partition(":")
        runs.append((int(size), float(gap) if gap else None))
    runs = runs or [(n, None) for n in SETTINGS]
    print(
        "| n | eligible | asked gap | time (s) | CPU (s) | objective | proven gap | status | selected | budget used "
        "| method | core | greedy objective | greedy vs optimum | greedy time (s) |"
    )
    print("|" + "---|" * 15)
    for n, gap in runs:
        r = bench(n, gap)
        loss = (r["objective"] - r["greedy"]) / r["objective"] if r["objective"] else 0.0
        greedy_note = "" if r["greedy_status"] == "feasible" else " (misses a minimum)"
        print(
            f"| {r['n']:,} | {r['eligible']:,} | {r['rel_gap']:g} | {r['time']:.3f} | {r['cpu']:.3f} | {r['objective']:,.2f} "
            f"| {r['gap']:.1e} | {r['status']} | {r['selected']:,} | {r['used']} | {r['method']} | {r['core']} "
            f"| {r['greedy']:,.2f}{greedy_note} | {-100 * loss:+.2f}% | {r['greedy_time']:.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
