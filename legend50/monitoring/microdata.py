"""Where the national microdata lives and how the monitoring app makes and reads it.

The file is produced by the indicators engine's generator (deterministic for size, years and seed)
and read only through DuckDB — by the engine (`compute_ksme_indicators`) and by one extra
aggregate for each province's share of national sales. Nothing here loops over firms in Python.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from django.conf import settings

from legend50.engines.indicators import (
    MICRODATA_SCHEMA,
    compute_ksme_indicators,
    iter_microdata_batches,
)
from legend50.engines.indicators.microdata import CHUNK_ROWS

# 중소기업 기본통계 2022: 8,042,726 SMEs, 99.9 % of enterprises.
MAX_FIRMS = 8_042_726
DEMO_FIRMS = 200_000
DEMO_YEARS = (2019, 2025)

Progress = Callable[[int, str], None]


def microdata_dir() -> Path:
    path = Path(settings.VAR_DIR) / "monitoring"
    path.mkdir(parents=True, exist_ok=True)
    return path


def microdata_path(n_firms: int, first_year: int, last_year: int, seed: int = 0) -> Path:
    return microdata_dir() / f"ksme-microdata-{n_firms}-{first_year}-{last_year}-seed{seed}.parquet"


def ensure_microdata(
    n_firms: int, first_year: int, last_year: int, seed: int = 0, *, progress: Progress | None = None
) -> Path:
    """The Parquet file for these parameters, generated (streamed, block by block) when missing.

    Written under a temporary name and renamed at the end, so an interrupted run leaves no file
    that would later be mistaken for a complete one.
    """
    path = microdata_path(n_firms, first_year, last_year, seed)
    if path.is_file():
        return path
    years = range(first_year, last_year + 1)
    blocks_per_year = max(1, -(-n_firms // CHUNK_ROWS))
    total = blocks_per_year * len(years)
    tmp = path.with_name(path.name + f".{os.getpid()}.partial")
    try:
        with pq.ParquetWriter(tmp, MICRODATA_SCHEMA, compression="snappy") as writer:
            for done, batch in enumerate(iter_microdata_batches(n_firms, years, seed), start=1):
                writer.write_batch(batch, row_group_size=CHUNK_ROWS)
                if progress:
                    progress(done * 100 // total, "")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _region_sales(path: Path, year: int) -> dict[str, tuple[int, int]]:
    """region_code -> (firms, sales) for one year: one DuckDB aggregate over the file."""
    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT region_code, count(*), sum(sales_krw) FROM read_parquet(?) WHERE year = ? GROUP BY region_code",
            [str(path), year],
        ).fetchall()
    finally:
        con.close()
    return {code: (int(n), int(sales or 0)) for code, n, sales in rows}


def compute_year(path: Path, year: int) -> dict:
    """National figures and per-province figures for one year of the microdata."""
    national = compute_ksme_indicators(path, year=year)
    by_region = compute_ksme_indicators(path, year=year, by="region_code").to_pylist()
    sales = _region_sales(path, year)
    total_sales = national["sales_krw"] or 0
    regions = {}
    for row in by_region:
        code = row["region_code"]
        n, region_sales = sales.get(code, (0, 0))
        regions[code] = {
            "sme_export_share": row["sme_export_share"],
            "sme_sales_share": row["sme_sales_share"],
            "sales_share_of_nation": (region_sales / total_sales) if total_sales else None,
            "n_firms": n,
        }
    return {
        "national": {k: (int(v) if isinstance(v, int) else v) for k, v in national.items()},
        "regions": regions,
    }
