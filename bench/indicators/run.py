"""Benchmark: K-SME 50+ indicators over 8.04 million firms (one year), DuckDB engine vs pandas.

    .venv/bin/python bench/indicators/run.py            # print the table
    .venv/bin/python bench/indicators/run.py --record   # also rewrite bench/indicators/RESULTS.md

The Parquet sample is written once to bench/out/ (git-ignored) and reused. Each workload runs in
its own subprocess so that its peak RSS is its own: one untimed warm-up, then the median of the
repeats. Workloads:

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
    import pandas as pd

    def run():
        df = pd.read_parquet(path, engine="pyarrow")
        df = df[df["year"] == YEAR]
        # int64 sums are exact here (totals ≈ 7.5e15 < 9.2e18); pandas would wrap silently beyond that.
        sales = df["sales_krw"]
        exports = df["direct_exports_krw"] + df["indirect_exports_krw"]
        sme = df["is_sme"].to_numpy()
        noncap = ~df["region_code"].isin(CAPITAL).to_numpy()
        frame = pd.DataFrame(
            {
                "key": df["region_code"] if by else 0,
                "sales": sales,
                "sme_sales": sales.where(sme, 0),
                "noncap_sales": sales.where(noncap, 0),
                "noncap_sme_sales": sales.where(noncap & sme, 0),
                "exports": exports,
                "sme_exports": exports.where(sme, 0),
            }
        )
        sums = frame.groupby("key", sort=True).sum()

        def share(num, den):
            return None if den == 0 else int(num) / int(den)

        out = {
            key: {
                "sme_export_share": share(r.sme_exports, r.exports),
                "sme_sales_share": share(r.sme_sales, r.sales),
                "noncapital_sales_share": share(r.noncap_sales, r.sales),
                "noncapital_sme_sales_share": share(r.noncap_sme_sales, r.sme_sales),
            }
            for key, r in sums.iterrows()
        }
        return out[0] if not by else out

    return run


def floor(path: str, by: str | None):
    import duckdb

    from legend50.engines.indicators.compute import _default_threads

    def run():
        con = duckdb.connect(config={"threads": _default_threads()})
        try:
            return con.execute("SELECT sum(sales_krw) FROM read_parquet(?)", [path]).fetchone()[0]
        finally:
            con.close()

    return run


WORKLOADS = {
    "ours_national": (ours, None),
    "ours_by_region": (ours, "region_code"),
    "pandas_national": (pandas_figures, None),
    "pandas_by_region": (pandas_figures, "region_code"),
    "floor": (floor, None),
}


def worker(name: str, path: str, repeats: int) -> None:
    factory, by = WORKLOADS[name]
    run = factory(path, by)
    baseline = current_rss_mib()
    result = run()  # warm-up: imports, page cache
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    print(
        json.dumps(
            {
                "name": name,
                "times": times,
                "median": statistics.median(times),
                "peak_rss_mib": rss_mib(),
                "baseline_rss_mib": baseline,
                "result": result,
            },
            default=str,
        )
    )


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


def run_worker(name: str, path: Path, repeats: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", name, "--path", str(path), "--repeats", str(repeats)],
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
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        worker(args.worker, args.path, args.repeats)
        return

    path = ROOT / "bench" / "out" / f"ksme_{args.rows}_seed{SEED}_{YEAR}.parquet"
    load_before = os.getloadavg()
    gen_seconds = ensure_parquet(path, args.rows)
    results = {}
    for name in WORKLOADS:
        repeats = args.pandas_repeats if name.startswith("pandas") else args.repeats
        results[name] = run_worker(name, path, repeats)
        r = results[name]
        print(f"{name:18s} median {r['median']:.3f} s  peak RSS {r['peak_rss_mib']:.0f} MiB", flush=True)
    load_after = os.getloadavg()

    agree = same_figures(results["ours_national"]["result"], results["pandas_national"]["result"]) and (
        same_figures(results["ours_by_region"]["result"], results["pandas_by_region"]["result"])
    )
    nat = results["ours_national"]["result"]
    ratio_nat = results["pandas_national"]["median"] / results["ours_national"]["median"]
    ratio_reg = results["pandas_by_region"]["median"] / results["ours_by_region"]["median"]
    floor_s = results["floor"]["median"]

    def row(label: str, name: str, ratio: str) -> str:
        r = results[name]
        extra = r["peak_rss_mib"] - r["baseline_rss_mib"]
        times = ", ".join(f"{t:.3f}" for t in r["times"])
        return (
            f"| {label} | {r['median']:.3f} | {r['median'] / floor_s:.1f}× | {ratio} | "
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
        "- Each workload runs in its own process: one untimed warm-up, then the median of the timed runs. "
        "Peak RSS is the process's high-water mark (in parentheses: above its post-import baseline).",
        "",
        "| workload | median s | × floor | pandas / ours | peak RSS MiB | runs (s) |",
        "|---|---|---|---|---|---|",
        row("ours, national (4 shares, 1 scan)", "ours_national", f"**{ratio_nat:.1f}×**"),
        row("ours, by province (17 rows)", "ours_by_region", f"**{ratio_reg:.1f}×**"),
        row("pandas, national (read + compute)", "pandas_national", "1.0×"),
        row("pandas, by province (read + compute)", "pandas_by_region", "1.0×"),
        row("floor: DuckDB `SUM(sales_krw)`", "floor", "—"),
        "",
        f"- Targets: national ≤ 1 s → {'met' if results['ours_national']['median'] <= 1 else 'NOT met'}; "
        f"≥ 5× faster than pandas → {'met' if min(ratio_nat, ratio_reg) >= 5 else 'NOT met'}.",
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
