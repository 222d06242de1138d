"""Benchmark: K-SME 50+ indicators over 8.04 million firms (one year), DuckDB engine vs pandas.

    .venv/bin/python bench/indicators/run.py            # print the table
    .venv/bin/python bench/indicators/run.py --record   # also rewrite bench/indicators/RESULTS.md

The Parquet sample is written once to bench/out/ (git-ignored) and reused. Timing runs all
workloads in one process, interleaved round by round (the machine is shared; a burst of load then
hits every workload alike), one untimed warm-up first, medians reported. Peak memory is measured
separately: each workload once in a fresh process. Workloads:

* ours, national: ``compute_ksme_indicators(path)`` — the four shares in one scan;
* ours, by province: ``compute_ksme_indicators(path, by="region_code")``;
* pandas, national / by province: ``pd.read_parquet`` of the same file, then the same figures;
* floor: one plain DuckDB ``SUM(sales_krw)`` over the file with the same thread count.

This is not a test: the machine is shared, so the load average is recorded beside the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

N_FIRMS = 8_042_726  # 2022 SME count, 중소기업 기본통계
YEAR = 2022
SEED = 0
CAPITAL = ("11", "28", "41")
SHARES = ("sme_export_share", "sme_sales_share", "noncapital_sales_share", "noncapital_sme_sales_share")


def rss_mib() -> float:
    """Peak RSS of this process image.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss across fork + exec, so a worker would report
    its parent's peak (the driver's, after generating the Parquet) instead of its own.
    """
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process, all threads: less sensitive to a busy machine than wall time."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def current_rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# ---------------------------------------------------------------- workloads (run in a subprocess)


def ours(path: str, by: str | None):
    from legend50.engines.indicators import compute_ksme_indicators

    def run():
        result = compute_ksme_indicators(path, year=YEAR, by=by)
        if by is None:
            return {k: result[k] for k in SHARES}
        return {row["region_code"]: {k: row[k] for k in SHARES} for row in result.to_pylist()}

    return run


def pandas_figures(path: str, by: str | None):
    """The same figures the way a pandas user would write them: masked sums, or one groupby."""
    import pandas as pd

    def share(num, den):
        return None if den == 0 else int(num) / int(den)

    def shares(sales, sme_sales, noncap_sales, noncap_sme_sales, exports, sme_exports):
        return {
            "sme_export_share": share(sme_exports, exports),
            "sme_sales_share": share(sme_sales, sales),
            "noncapital_sales_share": share(noncap_sales, sales),
            "noncapital_sme_sales_share": share(noncap_sme_sales, sme_sales),
        }

    def run():
        df = pd.read_parquet(path, engine="pyarrow")
        df = df[df["year"] == YEAR]
        # int64 sums are exact here (totals ≈ 7.5e15 < 9.2e18); pandas would wrap silently beyond that.
        sales = df["sales_krw"]
        exports = df["direct_exports_krw"] + df["indirect_exports_krw"]
        sme = df["is_sme"]
        if by is None:
            noncap = ~df["region_code"].isin(CAPITAL)
            return shares(
                sales.sum(),
                sales[sme].sum(),
                sales[noncap].sum(),
                sales[noncap & sme].sum(),
                exports.sum(),
                exports[sme].sum(),
            )
        frame = pd.DataFrame(
            {
                "region_code": df["region_code"],
                "sales": sales,
                "sme_sales": sales.where(sme, 0),
                "exports": exports,
                "sme_exports": exports.where(sme, 0),
            }
        )
        sums = frame.groupby("region_code", sort=True).sum()
        out = {}
        for code, r in sums.iterrows():
            noncap = code not in CAPITAL
            out[code] = shares(
                r.sales,
                r.sme_sales,
                r.sales if noncap else 0,
                r.sme_sales if noncap else 0,
                r.exports,
                r.sme_exports,
            )
        return out

    return run


def floor(path: str, by: str | None):
    import duckdb

    from legend50.engines.indicators.compute import _default_threads

    # One connection kept open, as our engine keeps its database: the floor is the scan alone.
    con = duckdb.connect(config={"threads": _default_threads()})

    def run():
        return con.execute("SELECT sum(sales_krw) FROM read_parquet(?)", [path]).fetchone()[0]

    return run


WORKLOADS = {
    "ours_national": (ours, None),
    "ours_by_region": (ours, "region_code"),
    "pandas_national": (pandas_figures, None),
    "pandas_by_region": (pandas_figures, "region_code"),
    "floor": (floor, None),
}


def memory_worker(name: str, path: str) -> None:
    """One run of one workload in a fresh process; print its peak RSS as JSON."""
    factory, by = WORKLOADS[name]
    run = factory(path, by)
    baseline = current_rss_mib()
    run()
    print(json.dumps({"name": name, "peak_rss_mib": rss_mib(), "baseline_rss_mib": baseline}))


def time_workloads(path: str, repeats: int, pandas_repeats: int) -> dict[str, dict]:
    """Interleaved rounds: every round runs each workload once, so a load spike from other jobs
    on this shared machine hits all of them alike instead of whichever happened to run then."""
    runs = {name: factory(path, by) for name, (factory, by) in WORKLOADS.items()}
    out: dict[str, dict] = {name: {"times": [], "cpu": []} for name in WORKLOADS}
    for name, run in runs.items():
        out[name]["result"] = run()  # warm-up: imports, page cache
    for round_no in range(max(repeats, pandas_repeats)):
        for name, run in runs.items():
            if round_no >= (pandas_repeats if name.startswith("pandas") else repeats):
                continue
            cpu_start = cpu_seconds()
            start = time.perf_counter()
            run()
            out[name]["times"].append(time.perf_counter() - start)
            out[name]["cpu"].append(cpu_seconds() - cpu_start)
    for r in out.values():
        r["median"] = statistics.median(r["times"])
        r["cpu_median"] = statistics.median(r["cpu"])
    return out


# ---------------------------------------------------------------- driver


def ensure_parquet(path: Path, n_firms: int) -> float | None:
    """Write the sample if absent; return the generation time when it was written."""
    if path.exists():
        return None
    from legend50.engines.indicators import write_microdata_parquet

    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    write_microdata_parquet(path, n_firms, years=(YEAR,), seed=SEED)
    return time.perf_counter() - start


def measure_memory(name: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--memory-worker", name, "--path", str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def same_figures(a: dict, b: dict) -> bool:
    def flat(d, prefix=""):
        for k, v in d.items():
            if isinstance(v, dict):
                yield from flat(v, f"{prefix}{k}.")
            else:
                yield f"{prefix}{k}", v

    fa, fb = dict(flat(a)), dict(flat(b))
    return fa.keys() == fb.keys() and all(
        (fa[k] is None and fb[k] is None) or abs(fa[k] - fb[k]) < 1e-12 for k in fa
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=N_FIRMS)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of our engine and the floor")
    parser.add_argument("--pandas-repeats", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="rewrite bench/indicators/RESULTS.md")
    parser.add_argument("--memory-worker", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.memory_worker:
        memory_worker(args.memory_worker, args.path)
        return

    path = ROOT / "bench" / "out" / f"ksme_{args.rows}_seed{SEED}_{YEAR}.parquet"
    load_before = os.getloadavg()
    gen_seconds = ensure_parquet(path, args.rows)
    results = time_workloads(str(path), args.repeats, args.pandas_repeats)
    for name, r in results.items():
        r.update(measure_memory(name, path))
        print(f"{name:18s} median {r['median']:.3f} s  peak RSS {r['peak_rss_mib']:.0f} MiB", flush=True)
    load_after = os.getloadavg()

    agree = same_figures(results["ours_national"]["result"], results["pandas_national"]["result"]) and (
        same_figures(results["ours_by_region"]["result"], results["pandas_by_region"]["result"])
    )
    nat = results["ours_national"]["result"]
    ratio_nat = results["pandas_national"]["median"] / results["ours_national"]["median"]
    ratio_reg = results["pandas_by_region"]["median"] / results["ours_by_region"]["median"]
    # Same-round ratios: robust to load drifting between rounds.
    round_ratios = [
        p / o
        for key in ("national", "by_region")
        for p, o in zip(results[f"pandas_{key}"]["times"], results[f"ours_{key}"]["times"], strict=False)
    ]
    floor_s = results["floor"]["median"]

    def row(label: str, name: str, ratio: str) -> str:
        r = results[name]
        extra = r["peak_rss_mib"] - r["baseline_rss_mib"]
        times = ", ".join(f"{t:.3f}" for t in r["times"])
        return (
            f"| {label} | {r['median']:.3f} | {r['cpu_median']:.3f} | {r['median'] / floor_s:.1f}× | {ratio} | "
            f"{r['peak_rss_mib']:.0f} (+{extra:.0f}) | {times} |"
        )

    size_mib = path.stat().st_size / 2**20
    lines = [
        "# K-SME 50+ indicators benchmark",
        "",
        f"- Date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- Command: `.venv/bin/python bench/indicators/run.py{' --record' if args.record else ''}`"
        + (f" (`--rows {args.rows}`)" if args.rows != N_FIRMS else ""),
        f"- Data: {args.rows:,} firms, year {YEAR}, seed {SEED}, generated by `write_microdata_parquet` "
        f"({size_mib:.0f} MiB Parquet, snappy, {path.relative_to(ROOT)})"
        + (f"; generated in this run in {gen_seconds:.1f} s" if gen_seconds is not None else "; cached"),
        f"- Machine: {os.cpu_count()} CPUs (shared with other jobs), Python {platform.python_version()}, "
        f"load average {load_before[0]:.2f} before / {load_after[0]:.2f} after",
        f"- Timing: one process, one untimed warm-up of each workload, then interleaved rounds (each round "
        f"runs every workload once; {args.repeats} rounds for DuckDB, {args.pandas_repeats} for pandas); "
        "medians reported. Memory: each workload once more in its own fresh process; peak RSS is that "
        "process's high-water mark (in parentheses: above its post-import baseline). "
        "CPU s is user + system time of all threads of the run; DuckDB uses 2 threads, so its CPU time "
        "exceeds its wall time, while pandas computes on one.",
        "",
        "| workload | median wall s | median CPU s | × floor (wall) | pandas / ours (wall) | peak RSS MiB | runs (wall s) |",
        "|---|---|---|---|---|---|---|",
        row("ours, national (4 shares, 1 scan)", "ours_national", f"**{ratio_nat:.1f}×**"),
        row("ours, by province (17 rows)", "ours_by_region", f"**{ratio_reg:.1f}×**"),
        row("pandas, national (read + compute)", "pandas_national", "1.0×"),
        row("pandas, by province (read + compute)", "pandas_by_region", "1.0×"),
        row("floor: DuckDB `SUM(sales_krw)`", "floor", "—"),
        "",
        f"- Targets: national ≤ 1 s → {'met' if results['ours_national']['median'] <= 1 else 'NOT met'}; "
        f"≥ 5× faster than pandas → {'met' if min(ratio_nat, ratio_reg) >= 5 else 'NOT met'}.",
        f"- pandas / ours within the same round: min {min(round_ratios):.1f}×, "
        f"median {statistics.median(round_ratios):.1f}×, max {max(round_ratios):.1f}×.",
        f"- CPU time, pandas / ours: national "
        f"{results['pandas_national']['cpu_median'] / results['ours_national']['cpu_median']:.1f}×, by province "
        f"{results['pandas_by_region']['cpu_median'] / results['ours_by_region']['cpu_median']:.1f}×. Our wall "
        "time is about half our CPU time when DuckDB gets both cores and about equal to it when other jobs "
        "hold one, so the wall-time ratio swings with the machine's load (see the load average above).",
        f"- pandas and our engine give the same figures: {'yes' if agree else 'NO'}.",
        "- National figures: " + ", ".join(f"{k} = {nat[k]:.4f}" for k in SHARES) + ".",
    ]
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    if args.record:
        (Path(__file__).parent / "RESULTS.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
