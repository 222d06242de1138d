"""Benchmark of legend50.engines.assignment against a plain dense min-cost flow and a greedy baseline.

Random dense instances (fixed seed): uniform affinities in [0, 1), 2% random conflicts, 3 experts per
proposal, load <= 3. Sizes: small = 1,000 x 1,500, large = 5,000 x 7,500.

Every (size, method) runs in a fresh subprocess so ru_maxrss is that method's own peak. Methods:
  engine     solve_assignment (the code under test)
  reference  dense OR-Tools SimpleMinCostFlow over every non-conflicted pair, built the simplest way,
             costs -round(affinity * 2**30), solve_max_flow_with_min_cost
  greedy     highest-affinity pairs first, respecting conflicts, quotas and loads
  lp         (small only, with --lp) HiGHS LP on the unscaled float affinities: the constraint matrix
             is totally unimodular, so the LP optimum is the float optimum of the integer problem

Usage:  .venv/bin/python bench/assignment/run.py [--sizes small|large|all] [--lp] [--seed N]
        [--strategy auto|sparse|dense] [--only-engine] [--no-reference]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SIZES = {"small": (1000, 1500), "large": (5000, 7500)}
QUOTA = 3
LOAD = 3
CONFLICT_RATE = 0.02
REF_SCALE = 2.0**30


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def make_instance(P: int, E: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    A = rng.random((P, E))
    C = np.empty((P, E), dtype=bool)
    step = max(1, (1 << 22) // E)
    for r0 in range(0, P, step):  # chunked so generating conflicts does not double the peak
        C[r0 : r0 + step] = rng.random((min(step, P - r0), E)) < CONFLICT_RATE
    return A, C


ENGINE_STRATEGY = "auto"


def run_engine(A: np.ndarray, C: np.ndarray) -> dict:
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    from legend50.engines.assignment import AssignmentProblem, solve_assignment

    problem = AssignmentProblem(affinity=A, reviewers_per_proposal=QUOTA, max_load=LOAD, conflicts=C)
    result = solve_assignment(problem, strategy=ENGINE_STRATEGY)
    return {
        "objective": result.objective,
        "pairs": result.n_pairs,
        "optimal": result.optimal,
        "solver": result.solver,
        "scale": result.scale,
        "scaled_objective": result.stats["scaled_objective"],
        "gap_bound": result.objective_gap_bound,
        "candidate_pairs": result.stats.get("candidate_pairs"),
        "rounds": len(result.stats.get("rounds", [])),
        "short": len(result.shortfall),
    }


def run_reference(A: np.ndarray, C: np.ndarray) -> dict:
    from ortools.graph.python import min_cost_flow

    P, E = A.shape
    src, sink = P + E, P + E + 1
    rows, cols = np.nonzero(~C)
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.full(P, src, dtype=np.int32),
        np.arange(P, dtype=np.int32),
        np.full(P, QUOTA),
        np.zeros(P, np.int64),
    )
    smcf.add_arcs_with_capacity_and_unit_cost(
        (P + np.arange(E)).astype(np.int32),
        np.full(E, sink, dtype=np.int32),
        np.full(E, LOAD),
        np.zeros(E, np.int64),
    )
    first_pair = smcf.num_arcs()
    scaled = np.rint(A[rows, cols] * REF_SCALE).astype(np.int64)
    smcf.add_arcs_with_capacity_and_unit_cost(
        rows.astype(np.int32), (P + cols).astype(np.int32), np.ones(rows.size, np.int64), -scaled
    )
    smcf.set_node_supply(src, P * QUOTA)
    smcf.set_node_supply(sink, -P * QUOTA)
    status = smcf.solve_max_flow_with_min_cost()
    assert status == smcf.OPTIMAL, status
    flows = smcf.flows(np.arange(first_pair, first_pair + rows.size, dtype=np.int32))
    used = flows > 0
    return {
        "objective": math.fsum(A[rows[used], cols[used]].tolist()),
        "pairs": int(used.sum()),
        "scaled_objective": int(scaled[used].sum()),
        "scale": REF_SCALE,
        "arcs": int(rows.size),
    }


def run_greedy(A: np.ndarray, C: np.ndarray) -> dict:
    P, E = A.shape
    masked = np.where(C, -np.inf, A).ravel()
    quota = np.full(P, QUOTA)
    load = np.full(E, LOAD)
    need = P * QUOTA
    got = []
    taken = 0
    batch = min(masked.size, 8 * need)
    done = 0
    order_pool = np.argsort(-masked, kind="stable") if batch >= masked.size else None
    while taken < need and done < masked.size:
        if order_pool is None:
            # Only the best few pairs are ever looked at: partial sort in growing batches.
            hi = min(masked.size, done + batch)
            top = np.argpartition(-masked, hi - 1)[:hi]
            top = top[np.argsort(-masked[top], kind="stable")][done:]
        else:
            top = order_pool[done:]
        for flat in top.tolist():
            if masked[flat] == -np.inf:
                done = masked.size
                break
            i, j = divmod(flat, E)
            if quota[i] and load[j]:
                quota[i] -= 1
                load[j] -= 1
                got.append(flat)
                taken += 1
                if taken == need:
                    break
        done += top.size
        batch *= 2
    got_arr = np.array(got, dtype=np.int64)
    return {
        "objective": math.fsum(A.ravel()[got_arr].tolist()),
        "pairs": int(got_arr.size),
    }


def run_lp(A: np.ndarray, C: np.ndarray) -> dict:
    import highspy
    import scipy.sparse as sp

    P, E = A.shape
    rows, cols = np.nonzero(~C)
    n = rows.size
    # Count first: weight each pair by (2 * max pairs + 1) + affinity; affinities lie in [0, 1).
    big = 2.0 * P * QUOTA + 1.0
    matrix = sp.csc_matrix(
        (np.ones(2 * n), (np.concatenate([rows, P + cols]), np.tile(np.arange(n), 2))), shape=(P + E, n)
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, P + E
    lp.col_cost_ = -(big + A[rows, cols])
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.full(P + E, -np.inf)
    lp.row_upper_ = np.concatenate([np.full(P, float(QUOTA)), np.full(E, float(LOAD))])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    h = highspy.Highs()
    h.silent()
    h.passModel(lp)
    h.run()
    x = np.asarray(h.getSolution().col_value)
    used = x > 0.5
    return {
        "objective": math.fsum(A[rows[used], cols[used]].tolist()),
        "pairs": int(used.sum()),
        "fractional": int(((x > 1e-6) & (x < 1 - 1e-6)).sum()),
        "status": h.modelStatusToString(h.getModelStatus()),
    }


METHODS = {"engine": run_engine, "reference": run_reference, "greedy": run_greedy, "lp": run_lp}


def worker(method: str, size: str, seed: int, strategy: str) -> None:
    global ENGINE_STRATEGY
    ENGINE_STRATEGY = strategy
    A, C = make_instance(*SIZES[size], seed)
    rss_instance = peak_rss_mb()
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    out = METHODS[method](A, C)
    out["wall_s"] = time.perf_counter() - t0
    out["cpu_s"] = cpu_seconds() - cpu0
    out.update(
        {"method": method, "size": size, "peak_rss_mb": peak_rss_mb(), "instance_rss_mb": rss_instance}
    )
    print(json.dumps(out))


def spawn(method: str, size: str, seed: int, strategy: str) -> dict:
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            method,
            "--sizes",
            size,
            "--seed",
            str(seed),
            "--strategy",
            strategy,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{method}/{size} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", choices=["small", "large", "all"], default="all")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--lp", action="store_true", help="also solve the small size as a HiGHS LP")
    parser.add_argument("--no-reference", action="store_true", help="skip the dense reference flow")
    parser.add_argument(
        "--strategy",
        choices=["auto", "sparse", "dense"],
        default="auto",
        help="engine back-end (dense = full network, i.e. the fallback path)",
    )
    parser.add_argument("--only-engine", action="store_true", help="run the engine alone")
    parser.add_argument("--worker", choices=sorted(METHODS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.sizes, args.seed, args.strategy)
        return

    sizes = ["small", "large"] if args.sizes == "all" else [args.sizes]
    print(f"seed={args.seed} quota={QUOTA} load<={LOAD} conflicts={CONFLICT_RATE:.0%} affinity~U[0,1)")
    print(
        f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (cpu s < wall s = waiting for a core)"
    )
    header = f"{'size':>13} {'method':>9} {'wall s':>8} {'cpu s':>7} {'peak MB':>8} {'pairs':>6} {'objective':>16}  notes"
    print(header)
    print("-" * len(header))
    for size in sizes:
        P, E = SIZES[size]
        methods = ["engine"] if args.only_engine else ["engine", "greedy"]
        if not (args.no_reference or args.only_engine):
            methods.insert(1, "reference")
        if args.lp and size == "small":
            methods.append("lp")
        results = {m: spawn(m, size, args.seed, args.strategy) for m in methods}
        eng = results["engine"]
        for m, r in results.items():
            notes = ""
            if m == "engine":
                notes = (
                    f"{r['solver']} optimal={r['optimal']} candidates={r['candidate_pairs']} "
                    f"rounds={r['rounds']} gap_bound={r['gap_bound']:.2e}"
                )
            elif m == "reference":
                same = r["scale"] == eng["scale"] and r["scaled_objective"] == eng["scaled_objective"]
                notes = f"arcs={r['arcs']} scaled objective {'==' if same else '!='} engine"
            elif m == "greedy":
                notes = f"engine gains {eng['objective'] - r['objective']:+.4f}"
            elif m == "lp":
                notes = f"{r['status']} fractional={r['fractional']} engine diff {eng['objective'] - r['objective']:+.2e}"
            print(
                f"{P:>5}x{E:<7} {m:>9} {r['wall_s']:8.2f} {r['cpu_s']:7.2f} {r['peak_rss_mb']:8.0f} {r['pairs']:6d} "
                f"{r['objective']:16.6f}  {notes}"
            )
        if "reference" in results:
            ref = results["reference"]
            diff = eng["objective"] - ref["objective"]
            print(
                f"{'':>13} engine - reference objective: {diff:+.3e} "
                f"(bound {eng['gap_bound'] + ref['pairs'] / REF_SCALE:.1e}); "
                f"instance alone {eng['instance_rss_mb']:.0f} MB"
            )


if __name__ == "__main__":
    main()
