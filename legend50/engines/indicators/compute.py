"""K-SME 50+ indicators from firm-level microdata, computed with DuckDB over Arrow/Parquet.

One scan does everything: a single ``GROUP BY region_code`` with conditional sums for SMEs. Its
result has one row per 시·도 (about 17), from which the national figures, the per-region table and
the per-size table are all derived in Python with exact integers. Validation rides along:

* column presence and types come from the schema (Parquet footer / Arrow schema), not the data;
* negative amounts and nulls are counted inside the same scan — or, for Parquet, skipped when
  the file's column statistics already prove none can occur (min ≥ 0, null_count = 0).

Only the rows of the requested year are used and validated.

Sums of int64 come back from DuckDB as HUGEINT, which the Python client turns into ``int``; the
shares are then ``int / int``, i.e. correctly rounded floats, with no overflow at any scale.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .regions import CAPITAL_REGION_CODES

SHARE_NAMES: tuple[str, ...] = (
    "sme_export_share",
    "sme_sales_share",
    "noncapital_sales_share",
    "noncapital_sme_sales_share",
)
AMOUNT_COLUMNS: tuple[str, ...] = ("sales_krw", "direct_exports_krw", "indirect_exports_krw")
REQUIRED_COLUMNS: tuple[str, ...] = ("year", "region_code", "is_sme", *AMOUNT_COLUMNS)
GROUP_KEYS: tuple[str, ...] = ("region_code", "is_sme")

_INTEGER_TYPES = frozenset(
    {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
    }
)
_EXPECTED_TYPES: dict[str, tuple[frozenset[str], str]] = {
    "year": (_INTEGER_TYPES, "an integer type (int16)"),
    "region_code": (frozenset({"VARCHAR"}), "a string type"),
    "is_sme": (frozenset({"BOOLEAN"}), "a boolean type"),
    **{c: (_INTEGER_TYPES, "an integer type (int64)") for c in AMOUNT_COLUMNS},
}
_SOURCE_VIEW = "ksme_source"


@dataclass(frozen=True)
class _Totals:
    """Six additive sums; every share is a ratio of two of them."""

    sales: int = 0
    sme_sales: int = 0
    noncapital_sales: int = 0
    noncapital_sme_sales: int = 0
    exports: int = 0
    sme_exports: int = 0

    def __add__(self, other: _Totals) -> _Totals:
        return _Totals(*(a + b for a, b in zip(self._values(), other._values(), strict=True)))

    def _values(self) -> tuple[int, ...]:
        return (
            self.sales,
            self.sme_sales,
            self.noncapital_sales,
            self.noncapital_sme_sales,
            self.exports,
            self.sme_exports,
        )

    def shares(self) -> dict[str, float | None]:
        return {
            "sme_export_share": _ratio(self.sme_exports, self.exports),
            "sme_sales_share": _ratio(self.sme_sales, self.sales),
            "noncapital_sales_share": _ratio(self.noncapital_sales, self.sales),
            "noncapital_sme_sales_share": _ratio(self.noncapital_sme_sales, self.sme_sales),
        }


def _ratio(num: int, den: int) -> float | None:
    # int / int is correctly rounded even beyond 2**53, unlike float(num) / float(den).
    return None if den == 0 else num / den


def _default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _check_year(year: Any) -> int | None:
    if year is None:
        return None
    if isinstance(year, bool) or not hasattr(year, "__index__"):
        raise TypeError(f"year must be an int or None, got {type(year).__name__}")
    return int(year)


def _check_codes(codes: Iterable[str]) -> frozenset[str]:
    codes = tuple(codes)
    if not all(isinstance(c, str) for c in codes):
        raise TypeError(f"capital_region_codes must be strings, got {codes!r}")
    return frozenset(codes)


def _open_source(con: duckdb.DuckDBPyConnection, source: Any) -> tuple[str | None, pa.Table | None]:
    """Expose ``source`` as a view; return the Parquet path or glob (if any) and the Arrow table (if any)."""
    if isinstance(source, pa.RecordBatch):
        source = pa.Table.from_batches([source])
    if isinstance(source, pa.Table):
        con.register(_SOURCE_VIEW, source)
        return None, source
    if isinstance(source, str | os.PathLike):
        text = os.fspath(source)
        if not any(ch in text for ch in "*?[") and not Path(text).is_file():
            raise FileNotFoundError(f"no Parquet file at {text!r}")
        try:
            con.read_parquet(text).create_view(_SOURCE_VIEW)
        except (duckdb.IOException, duckdb.InvalidInputException) as exc:
            raise ValueError(f"cannot read Parquet at {text!r}: {exc}") from exc
        return text, None
    raise TypeError(
        f"source must be a Parquet path or a pyarrow.Table, got {type(source).__module__}.{type(source).__name__}"
    )


def _check_schema(con: duckdb.DuckDBPyConnection) -> None:
    types = {name: typ for name, typ, *_ in con.execute(f"DESCRIBE {_SOURCE_VIEW}").fetchall()}
    for column in REQUIRED_COLUMNS:
        if column not in types:
            raise ValueError(f"column {column!r} is missing")
    for column, (allowed, wanted) in _EXPECTED_TYPES.items():
        if types[column] not in allowed:
            raise ValueError(f"column {column!r} must be {wanted}, got {types[column]}")


def _columns_needing_checks(
    con: duckdb.DuckDBPyConnection, parquet_path: str | None, table: pa.Table | None
) -> tuple[set[str], set[str]]:
    """(amount columns that may hold negatives, columns that may hold nulls), from metadata only."""
    value_columns = ("is_sme", *AMOUNT_COLUMNS)
    if table is not None:
        # Arrow keeps null counts per chunk, so this costs nothing; negatives need the data.
        return set(AMOUNT_COLUMNS), {c for c in value_columns if table.column(c).null_count}
    rows = con.execute(
        """
        SELECT path_in_schema,
               count(*) = count(stats_null_count) AND coalesce(sum(stats_null_count), 0) = 0,
               count(*) = count(stats_min_value) AND min(TRY_CAST(stats_min_value AS HUGEINT)) >= 0
        FROM parquet_metadata(?)
        GROUP BY path_in_schema
        """,
        [parquet_path],
    ).fetchall()
    no_nulls = {name for name, ok, _ in rows if ok}
    non_negative = {name for name, _, ok in rows if ok}
    return set(AMOUNT_COLUMNS) - non_negative, set(value_columns) - no_nulls


def _scan(
    con: duckdb.DuckDBPyConnection, year: int | None, negative_checks: set[str], null_checks: set[str]
) -> list[dict[str, Any]]:
    exports = "direct_exports_krw + indirect_exports_krw"
    select = [
        "region_code",
        "count(*) AS n_firms",
        "count_if(is_sme) AS n_sme",
        "coalesce(sum(sales_krw), 0) AS sales",
        "coalesce(sum(sales_krw) FILTER (WHERE is_sme), 0) AS sme_sales",
        f"coalesce(sum({exports}), 0) AS exports",
        f"coalesce(sum({exports}) FILTER (WHERE is_sme), 0) AS sme_exports",
    ]
    select += [f'count_if("{c}" < 0) AS "neg:{c}"' for c in sorted(negative_checks)]
    select += [f'count(*) - count("{c}") AS "null:{c}"' for c in sorted(null_checks)]
    where, params = ("", []) if year is None else ("WHERE year = ?", [year])
    # Every fragment is a constant of this module; the only value, the year, is a bound parameter.
    sql = f"SELECT {', '.join(select)} FROM {_SOURCE_VIEW} {where} GROUP BY region_code"  # noqa: S608
    try:
        cursor = con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        fetched = cursor.fetchall()
    except duckdb.OutOfRangeException as exc:
        # Only the per-row export sum can overflow: the aggregates themselves are HUGEINT.
        raise ValueError(
            f"direct_exports_krw + indirect_exports_krw overflows its integer type in some row: {exc}"
        ) from exc
    return [dict(zip(names, row, strict=True)) for row in fetched]


def _raise_on_bad_rows(rows: list[dict[str, Any]]) -> None:
    problems: list[str] = []
    null_regions = sum(r["n_firms"] for r in rows if r["region_code"] is None)
    if null_regions:
        problems.append(f"null values in column 'region_code' ({null_regions} rows)")
    for key in rows[0] if rows else ():
        if key.startswith(("neg:", "null:")):
            count = sum(r[key] for r in rows)
            if count:
                kind, column = key.split(":", 1)
                what = "negative amount" if kind == "neg" else "null values"
                problems.append(f"{what} in column {column!r} ({count} rows)")
    if problems:
        raise ValueError("; ".join(problems))


def _region_totals(row: Mapping[str, Any], capital: frozenset[str]) -> tuple[_Totals, _Totals]:
    """(SME part, non-SME part) of one region's row."""
    noncapital = row["region_code"] not in capital
    sme = _Totals(
        sales=row["sme_sales"],
        sme_sales=row["sme_sales"],
        noncapital_sales=row["sme_sales"] if noncapital else 0,
        noncapital_sme_sales=row["sme_sales"] if noncapital else 0,
        exports=row["sme_exports"],
        sme_exports=row["sme_exports"],
    )
    other_sales = row["sales"] - row["sme_sales"]
    other = _Totals(
        sales=other_sales,
        noncapital_sales=other_sales if noncapital else 0,
        exports=row["exports"] - row["sme_exports"],
    )
    return sme, other


def _shares_table(key: str, key_type: pa.DataType, groups: list[tuple[Any, _Totals]]) -> pa.Table:
    columns: dict[str, pa.Array] = {key: pa.array([k for k, _ in groups], type=key_type)}
    shares = [t.shares() for _, t in groups]
    for name in SHARE_NAMES:
        columns[name] = pa.array([s[name] for s in shares], type=pa.float64())
    return pa.table(columns)


def compute_ksme_indicators(
    source: str | os.PathLike[str] | pa.Table,
    year: int | None = 2022,
    by: str | None = None,
    *,
    capital_region_codes: Iterable[str] = CAPITAL_REGION_CODES,
    threads: int | None = None,
) -> dict[str, Any] | pa.Table:
    """The four K-SME 50+ shares for one year of firm-level data.

    ``source`` is a Parquet path (a glob also works) or a ``pyarrow.Table`` with columns
    ``year, region_code, is_sme, sales_krw, direct_exports_krw, indirect_exports_krw``.

    * ``sme_export_share``: SME (direct + indirect) exports / all (direct + indirect) exports
    * ``sme_sales_share``: SME sales / all sales
    * ``noncapital_sales_share``: sales of firms outside 11, 28, 41 / all sales
    * ``noncapital_sme_sales_share``: non-capital SME sales / SME sales

    Shares are floats in [0, 1], or None when the denominator is zero — including a ``year``
    with no rows at all (then ``n_firms`` is 0). ``year=None`` pools every row.

    ``by=None`` returns a dict with the four shares plus the integer sums behind them
    (``sales_krw``, ``sme_sales_krw``, ``noncapital_sales_krw``, ``noncapital_sme_sales_krw``,
    ``exports_krw``, ``sme_exports_krw``), ``n_firms``, ``n_sme`` and ``year``.
    ``by="region_code"`` or ``by="is_sme"`` returns a ``pyarrow.Table`` with the key column and
    the four shares, one row per group present in that year, sorted by key.

    Raises ValueError for a wrong ``by``, a missing or mistyped column, and for negative amounts
    or nulls in the rows of that year (the message names the column and the row count);
    TypeError for a ``source`` or ``year`` of the wrong kind; FileNotFoundError for a missing file.
    """
    if by is not None and by not in GROUP_KEYS:
        raise ValueError(f"by must be None, 'region_code' or 'is_sme', got {by!r}")
    year = _check_year(year)
    capital = _check_codes(capital_region_codes)
    if threads is None:
        threads = _default_threads()
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive int, got {threads!r}")

    con = duckdb.connect(config={"threads": int(threads)})
    try:
        parquet_path, table = _open_source(con, source)
        _check_schema(con)
        negative_checks, null_checks = _columns_needing_checks(con, parquet_path, table)
        rows = _scan(con, year, negative_checks, null_checks)
    finally:
        con.close()
    _raise_on_bad_rows(rows)

    parts = [(row, *_region_totals(row, capital)) for row in rows]
    if by == "region_code":
        groups = sorted(((row["region_code"], sme + other) for row, sme, other in parts), key=lambda g: g[0])
        return _shares_table("region_code", pa.string(), groups)
    if by == "is_sme":
        n_sme = sum(row["n_sme"] for row in rows)
        n_other = sum(row["n_firms"] for row in rows) - n_sme
        groups = []
        if n_other:
            groups.append((False, sum((other for _, _, other in parts), _Totals())))
        if n_sme:
            groups.append((True, sum((sme for _, sme, _ in parts), _Totals())))
        return _shares_table("is_sme", pa.bool_(), groups)

    total = sum((sme + other for _, sme, other in parts), _Totals())
    return {
        **total.shares(),
        "year": year,
        "n_firms": sum(row["n_firms"] for row in rows),
        "n_sme": sum(row["n_sme"] for row in rows),
        "sales_krw": total.sales,
        "sme_sales_krw": total.sme_sales,
        "noncapital_sales_krw": total.noncapital_sales,
        "noncapital_sme_sales_krw": total.noncapital_sme_sales,
        "exports_krw": total.exports,
        "sme_exports_krw": total.sme_exports,
    }
