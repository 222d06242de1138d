"""Synthetic firm-level microdata shaped like 중소기업 기본통계 + customs export statistics.

The real microdata (business register × customs × 구매확인서/내국신용장 records) is not available to
us, so demos, tests and benchmarks use this generator. One row = one enterprise in one year, with
the columns :func:`legend50.engines.indicators.compute_ksme_indicators` reads.

How it is built, per block of ``CHUNK_ROWS`` firms:

* firm attributes that do not change between years (SME or not, 시·도, base size) come from a
  random stream keyed by (seed, block), so a multi-year file is a panel of the same firms;
* each year adds its own size shock and export draws from a stream keyed by (seed, year, block);
* the block is then rescaled so that its headline shares equal :class:`YearTargets` (up to
  rounding to whole won). Sampling noise from the 0.1 % of large firms would otherwise move the
  SME sales share by several points at 200k rows; rescaling makes every sample size usable.

Because blocks are fixed-size and independently seeded, ``generate_microdata`` and
``write_microdata_parquet`` produce the same rows for the same arguments, whether built in memory
or streamed to disk, and memory use is bounded by one block.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .regions import CAPITAL_REGION_CODES, FIRM_COUNT_WEIGHTS

MICRODATA_SCHEMA = pa.schema(
    [
        pa.field("year", pa.int16(), nullable=False),
        pa.field("region_code", pa.string(), nullable=False),
        pa.field("is_sme", pa.bool_(), nullable=False),
        pa.field("sales_krw", pa.int64(), nullable=False),
        pa.field("direct_exports_krw", pa.int64(), nullable=False),
        pa.field("indirect_exports_krw", pa.int64(), nullable=False),
    ]
)

# Part of the seeding contract: changing it changes every generated table.
CHUNK_ROWS = 1 << 20

SME_FRACTION = 0.999  # 2022: 8,042,726 SMEs = 99.9 % of enterprises
# 2022 SME sales 3,309조원 over 8.04 M SMEs → mean ≈ 4.1억원 per SME.
SME_MEAN_SALES_KRW_2022 = 4.11e8
SME_LOG_SIGMA = 1.8  # median ≈ 0.8억: most SMEs are very small
SME_SALES_CEILING_KRW = 1.5e11  # highest 별표1 ceiling (1,500억); no SME is above it
LARGE_MEDIAN_SALES_KRW = 1.7e11
LARGE_LOG_SIGMA = 1.5
LARGE_SALES_FLOOR_KRW = 4.0e10  # lowest 별표1 ceiling (400억)
NOMINAL_GROWTH = 0.05  # yearly drift of nominal sales, so a panel does not look frozen
YEAR_SHOCK_SIGMA = 0.15
# Capital-area SMEs are larger on average (58.2 % of SME sales with ≈ half of the firms);
# half of the log gap on each side keeps the national mean where it was.
CAPITAL_LOG_OFFSET = 0.145
# Large firms' head offices cluster in the capital area.
LARGE_CAPITAL_WEIGHT = 2.0
# Large firms' exports mostly go direct; this is their indirect part relative to direct.
LARGE_INDIRECT_RATIO = 0.05


@dataclass(frozen=True)
class YearTargets:
    """Headline shares a generated year is calibrated to."""

    sme_export_share: float
    sme_sales_share: float
    capital_share_of_sme_sales: float = 0.582


def default_targets(year: int) -> YearTargets:
    """Official baselines where known, plausible values elsewhere.

    * SME export share: 39.3 % in 2019 (official, H); +0.5 %p a year before and after is an
      illustrative assumption (the source only says it is rising).
    * SME sales share: 46.8 % (2021), 44.2 % (2022), official; earlier years reuse 2021,
      later years reuse 2022.
    * Capital-area SMEs' share of SME sales: 58.2 % (2019, official), used for every year.
    """
    export_share = 0.393 + 0.005 * (year - 2019)
    sales_share = 0.468 if year <= 2021 else 0.442
    return YearTargets(sme_export_share=float(np.clip(export_share, 0.05, 0.95)), sme_sales_share=sales_share)


TargetsArg = Callable[[int], YearTargets] | None

_REGION_CODES = np.array(list(FIRM_COUNT_WEIGHTS), dtype=object)
_REGION_DICTIONARY = pa.array(list(FIRM_COUNT_WEIGHTS), type=pa.string())
_IS_CAPITAL = np.isin(_REGION_CODES, CAPITAL_REGION_CODES)
_SME_REGION_P = np.array(list(FIRM_COUNT_WEIGHTS.values()))
_SME_REGION_P = _SME_REGION_P / _SME_REGION_P.sum()
_LARGE_REGION_P = _SME_REGION_P * np.where(_IS_CAPITAL, LARGE_CAPITAL_WEIGHT, 1.0)
_LARGE_REGION_P = _LARGE_REGION_P / _LARGE_REGION_P.sum()


def _check_args(n_firms: int, years: Iterable[int], seed: int) -> tuple[int, ...]:
    if isinstance(n_firms, bool) or not isinstance(n_firms, int | np.integer) or n_firms < 0:
        raise ValueError(f"n_firms must be a non-negative integer, got {n_firms!r}")
    years_t = tuple(int(y) for y in years)
    if not years_t:
        raise ValueError("years must name at least one year")
    if len(set(years_t)) != len(years_t):
        raise ValueError(f"years must not repeat, got {years_t}")
    for y in years_t:
        if not -(2**15) <= y < 2**15:
            raise ValueError(f"year {y} does not fit int16")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return years_t


def _firm_block(seed: int, block: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year-invariant attributes: is_sme, region index, base log-sales."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0, block)))
    n_large = int(round(n * (1.0 - SME_FRACTION)))
    is_sme = np.ones(n, dtype=bool)
    if n_large:
        is_sme[rng.choice(n, size=n_large, replace=False)] = False
    region = rng.choice(len(_REGION_CODES), size=n, p=_SME_REGION_P).astype(np.int8)
    if n_large:
        region[~is_sme] = rng.choice(len(_REGION_CODES), size=n_large, p=_LARGE_REGION_P)
    z = rng.standard_normal(n)
    sme_mu = np.log(SME_MEAN_SALES_KRW_2022) - SME_LOG_SIGMA**2 / 2
    log_sales = np.where(
        is_sme,
        sme_mu + SME_LOG_SIGMA * z + np.where(_IS_CAPITAL[region], CAPITAL_LOG_OFFSET, -CAPITAL_LOG_OFFSET),
        np.log(LARGE_MEDIAN_SALES_KRW) + LARGE_LOG_SIGMA * z,
    )
    return is_sme, region, log_sales


def _scale_to_share(part: float, rest: float, share: float) -> float:
    """Factor for `rest` so that part / (part + rest·factor) == share (1.0 when impossible)."""
    if rest <= 0 or part <= 0 or not 0 < share < 1:
        return 1.0
    return part * (1.0 - share) / share / rest


def _year_block(seed: int, year: int, block: int, n: int, targets: YearTargets) -> pa.RecordBatch:
    is_sme, region, log_sales = _firm_block(seed, block, n)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1, year & 0xFFFF, block)))
    large = ~is_sme
    capital = _IS_CAPITAL[region]

    # z-score of size among SMEs drives export propensity: exporters are the bigger SMEs.
    sme_mu = np.log(SME_MEAN_SALES_KRW_2022) - SME_LOG_SIGMA**2 / 2
    size_z = (log_sales - sme_mu) / SME_LOG_SIGMA
    log_sales = log_sales + NOMINAL_GROWTH * (year - 2022) + YEAR_SHOCK_SIGMA * rng.standard_normal(n)
    sales = np.exp(log_sales)
    np.minimum(sales, SME_SALES_CEILING_KRW, out=sales, where=is_sme)
    np.maximum(sales, LARGE_SALES_FLOOR_KRW, out=sales, where=large)

    # Calibrate sales: first the capital/non-capital split of SME sales, then SME vs large.
    sme_cap = float(sales[is_sme & capital].sum())
    sme_non = float(sales[is_sme & ~capital].sum())
    c = targets.capital_share_of_sme_sales
    sales[is_sme & ~capital] *= _scale_to_share(sme_cap, sme_non, c)
    sme_total = float(sales[is_sme].sum())
    sales[large] *= _scale_to_share(sme_total, float(sales[large].sum()), targets.sme_sales_share)
    sales = np.rint(sales)

    # Export propensity and intensity. SME indirect exporters outnumber direct ones, which keeps
    # SMEs' share of direct exports alone near the observed 18–20 %.
    u_direct, u_indirect = rng.random(n), rng.random(n)
    p_direct = np.where(is_sme, 1.0 / (1.0 + np.exp(5.6 - 1.6 * size_z)), 0.6)
    p_indirect = np.where(is_sme, 1.0 / (1.0 + np.exp(4.7 - 1.6 * size_z)), 0.3)
    direct_frac = np.zeros(n)
    indirect_frac = np.zeros(n)
    # Beta draws only for the few exporters: drawing n of them dominated the block's run time.
    exports_direct = u_direct < p_direct
    exports_indirect = u_indirect < p_indirect
    direct_frac[exports_direct] = rng.beta(2.0, 6.0, int(exports_direct.sum()))
    indirect_frac[exports_indirect] = rng.beta(2.0, 5.0, int(exports_indirect.sum()))
    # Expected large direct = 0.6 · 2/8, indirect = 0.3 · 2/7; shrink indirect to LARGE_INDIRECT_RATIO of it.
    indirect_frac[large] *= LARGE_INDIRECT_RATIO * (0.6 * 2 / 8) / (0.3 * 2 / 7)
    total_frac = direct_frac + indirect_frac
    too_much = total_frac > 0.95
    direct_frac[too_much] *= 0.95 / total_frac[too_much]
    indirect_frac[too_much] *= 0.95 / total_frac[too_much]
    direct = sales * direct_frac
    indirect = sales * indirect_frac

    # Calibrate exports: large firms' exports absorb the difference to the target SME share.
    sme_exports = float(direct[is_sme].sum() + indirect[is_sme].sum())
    large_exports = float(direct[large].sum() + indirect[large].sum())
    f = _scale_to_share(sme_exports, large_exports, targets.sme_export_share)
    direct[large] *= f
    indirect[large] *= f
    # A factor far above 1 only happens in tiny samples; exports never exceed sales.
    over = large & (direct + indirect > sales)
    if over.any():
        shrink = sales[over] / (direct[over] + indirect[over])
        direct[over] *= shrink
        indirect[over] *= shrink
    direct = np.floor(direct)
    indirect = np.floor(indirect)

    return pa.RecordBatch.from_arrays(
        [
            pa.array(np.full(n, year, dtype=np.int16)),
            _REGION_DICTIONARY.take(pa.array(region)),
            pa.array(is_sme),
            pa.array(sales.astype(np.int64)),
            pa.array(direct.astype(np.int64)),
            pa.array(indirect.astype(np.int64)),
        ],
        schema=MICRODATA_SCHEMA,
    )


def iter_microdata_batches(
    n_firms: int, years: Iterable[int] = (2022,), seed: int = 0, targets: TargetsArg = None
) -> Iterator[pa.RecordBatch]:
    """Yield the microdata as record batches of at most ``CHUNK_ROWS`` rows, year by year."""
    years_t = _check_args(n_firms, years, seed)
    targets_fn = targets or default_targets
    for year in years_t:
        t = targets_fn(year)
        for block, start in enumerate(range(0, n_firms, CHUNK_ROWS)):
            yield _year_block(int(seed), year, block, min(CHUNK_ROWS, n_firms - start), t)


def generate_microdata(
    n_firms: int, years: Iterable[int] = (2022,), seed: int = 0, *, targets: TargetsArg = None
) -> pa.Table:
    """``n_firms`` enterprises for each year in ``years``, deterministic for ``seed``.

    The same firms appear in every year (a panel), with a yearly size shock. Shares match
    ``targets(year)`` (default :func:`default_targets`) when the sample holds at least one large
    firm, i.e. from about 500 firms on; smaller samples are all SMEs.
    """
    batches = list(iter_microdata_batches(n_firms, years, seed, targets))
    return pa.Table.from_batches(batches, schema=MICRODATA_SCHEMA)


def write_microdata_parquet(
    path: str | os.PathLike[str],
    n_firms: int,
    years: Iterable[int] = (2022,),
    seed: int = 0,
    *,
    targets: TargetsArg = None,
    compression: str = "snappy",
) -> Path:
    """Stream the same rows as :func:`generate_microdata` to a Parquet file, one row group per block.

    Writes to a temporary name and renames at the end, so an interrupted run never leaves a
    truncated file that a cache check would mistake for a complete one.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    try:
        with pq.ParquetWriter(tmp, MICRODATA_SCHEMA, compression=compression) as writer:
            for batch in iter_microdata_batches(n_firms, years, seed, targets):
                writer.write_batch(batch, row_group_size=CHUNK_ROWS)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
