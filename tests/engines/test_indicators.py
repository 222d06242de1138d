"""K-SME 50+ indicators engine: shares, validation, sample microdata, trajectories."""

from __future__ import annotations

import math

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from legend50.engines.indicators import (
    MICRODATA_SCHEMA,
    SHARE_NAMES,
    compute_ksme_indicators,
    default_targets,
    fit_trajectory,
    generate_microdata,
    write_microdata_parquet,
)
from legend50.engines.indicators import microdata as microdata_module

# Hand-made firms. 2022 has a region with no SMEs (47) and a firm with zero sales (41);
# 2021 has no exports at all.
#   year region sme   sales direct indirect
ROWS = [
    (2022, "11", True, 100, 10, 5),
    (2022, "11", False, 400, 50, 0),
    (2022, "26", True, 200, 0, 20),
    (2022, "26", True, 50, 5, 0),
    (2022, "47", False, 250, 30, 0),
    (2022, "41", True, 0, 0, 0),
    (2021, "11", True, 70, 0, 0),
    (2021, "47", False, 30, 0, 0),
]


def make_table(rows=ROWS, **overrides: pa.DataType) -> pa.Table:
    types = {
        "year": pa.int16(),
        "region_code": pa.string(),
        "is_sme": pa.bool_(),
        "sales_krw": pa.int64(),
        "direct_exports_krw": pa.int64(),
        "indirect_exports_krw": pa.int64(),
    }
    types.update(overrides)
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in types]
    return pa.table(
        {name: pa.array(list(col), type=typ) for (name, typ), col in zip(types.items(), columns, strict=True)}
    )


def shares_by_key(table: pa.Table, key: str) -> dict:
    return {row[key]: {n: row[n] for n in SHARE_NAMES} for row in table.to_pylist()}


# ---------------------------------------------------------------- national figures


def test_national_shares_by_hand():
    r = compute_ksme_indicators(make_table(), year=2022)
    # all sales 100+400+200+50+250+0 = 1000; SME 100+200+50+0 = 350
    assert r["sales_krw"] == 1000 and r["sme_sales_krw"] == 350
    assert r["sme_sales_share"] == pytest.approx(350 / 1000)
    # outside 11/28/41: 26 (200+50) and 47 (250) = 500
    assert r["noncapital_sales_share"] == pytest.approx(500 / 1000)
    # non-capital SME sales 200+50 = 250 of SME sales 350
    assert r["noncapital_sme_sales_share"] == pytest.approx(250 / 350)
    # exports (direct+indirect): 15+50+20+5+30 = 120; SME 15+20+5 = 40
    assert r["exports_krw"] == 120 and r["sme_exports_krw"] == 40
    assert r["sme_export_share"] == pytest.approx(40 / 120)
    assert r["n_firms"] == 6 and r["n_sme"] == 4 and r["year"] == 2022
    assert all(isinstance(r[n], float) for n in SHARE_NAMES)


def test_year_without_exports_gives_none_export_share():
    r = compute_ksme_indicators(make_table(), year=2021)
    assert r["sme_export_share"] is None  # 0 exports / 0 exports
    assert r["sme_sales_share"] == pytest.approx(70 / 100)
    assert r["noncapital_sales_share"] == pytest.approx(30 / 100)
    assert r["noncapital_sme_sales_share"] == 0.0  # the only SME is in Seoul


def test_year_with_no_rows_gives_all_none():
    r = compute_ksme_indicators(make_table(), year=1999)
    assert [r[n] for n in SHARE_NAMES] == [None] * 4
    assert r["n_firms"] == 0 and r["sales_krw"] == 0
    assert compute_ksme_indicators(make_table(), year=1999, by="region_code").num_rows == 0


def test_year_none_pools_all_rows():
    r = compute_ksme_indicators(make_table(), year=None)
    # 2022 (1000 sales, 350 SME) + 2021 (100 sales, 70 SME)
    assert r["sme_sales_share"] == pytest.approx(420 / 1100)
    assert r["n_firms"] == 8


def test_capital_codes_can_be_changed():
    r = compute_ksme_indicators(make_table(), year=2022, capital_region_codes=("11", "26"))
    # non-capital is now 41 (0) and 47 (250)
    assert r["noncapital_sales_share"] == pytest.approx(250 / 1000)
    assert r["noncapital_sme_sales_share"] == 0.0


def test_sums_do_not_overflow_int64():
    big = 2**62
    rows = [(2022, "11", True, big, big // 2, 0)] + [(2022, "26", False, big, 0, big // 2)] * 3
    r = compute_ksme_indicators(make_table(rows))
    assert r["sales_krw"] == 4 * big  # 2**64, beyond int64
    assert r["sme_sales_share"] == 0.25
    assert r["sme_export_share"] == 0.25


def test_row_export_sum_overflow_is_a_clear_error():
    rows = [(2022, "11", True, 1, 2**62, 2**62)]
    with pytest.raises(ValueError, match="direct_exports_krw \\+ indirect_exports_krw overflows"):
        compute_ksme_indicators(make_table(rows))


# ---------------------------------------------------------------- grouped tables


def test_by_region_code():
    t = compute_ksme_indicators(make_table(), year=2022, by="region_code")
    assert t.column_names == ["region_code", *SHARE_NAMES]
    assert t.schema.field("region_code").type == pa.string()
    got = shares_by_key(t, "region_code")
    assert list(got) == ["11", "26", "41", "47"]
    # 11: sales 500 (SME 100), exports 65 (SME 15), all capital
    assert got["11"] == pytest.approx(
        {
            "sme_export_share": 15 / 65,
            "sme_sales_share": 100 / 500,
            "noncapital_sales_share": 0.0,
            "noncapital_sme_sales_share": 0.0,
        }
    )
    # 26: only SMEs, non-capital
    assert got["26"] == {n: 1.0 for n in SHARE_NAMES}
    # 41: one SME with zero sales and no exports → every denominator is zero
    assert got["41"] == {n: None for n in SHARE_NAMES}
    # 47: no SMEs; SME-sales denominator is zero
    assert got["47"] == {
        "sme_export_share": 0.0,
        "sme_sales_share": 0.0,
        "noncapital_sales_share": 1.0,
        "noncapital_sme_sales_share": None,
    }


def test_by_is_sme():
    t = compute_ksme_indicators(make_table(), year=2022, by="is_sme")
    assert t.column_names == ["is_sme", *SHARE_NAMES]
    got = shares_by_key(t, "is_sme")
    assert list(got) == [False, True]
    # non-SMEs: sales 650, of which 47's 250 non-capital; exports 80
    assert got[False] == pytest.approx(
        {
            "sme_export_share": 0.0,
            "sme_sales_share": 0.0,
            "noncapital_sales_share": 250 / 650,
            "noncapital_sme_sales_share": None,
        }
    )
    assert got[True] == pytest.approx(
        {
            "sme_export_share": 1.0,
            "sme_sales_share": 1.0,
            "noncapital_sales_share": 250 / 350,
            "noncapital_sme_sales_share": 250 / 350,
        }
    )


def test_grouped_tables_add_up_to_national():
    table = generate_microdata(2000, years=(2022,), seed=3)
    national = compute_ksme_indicators(table)
    by_region = compute_ksme_indicators(table, by="region_code")
    assert by_region.num_rows == len(set(table.column("region_code").to_pylist()))
    capital = pc.is_in(by_region.column("region_code"), pa.array(["11", "28", "41"]))
    assert pc.all(pc.equal(by_region.column("noncapital_sales_share").filter(capital), 0.0)).as_py()
    assert national["n_sme"] == pc.sum(table.column("is_sme")).as_py()


def test_wrong_by_is_value_error():
    with pytest.raises(ValueError, match="by must be"):
        compute_ksme_indicators(make_table(), by="province")


# ---------------------------------------------------------------- sources


def test_parquet_path_gives_same_result(tmp_path):
    table = make_table()
    path = tmp_path / "firms.parquet"
    pq.write_table(table, path)
    assert compute_ksme_indicators(path) == compute_ksme_indicators(table)
    assert compute_ksme_indicators(str(path), by="region_code").equals(
        compute_ksme_indicators(table, by="region_code")
    )


def test_parquet_glob_and_record_batch(tmp_path):
    table = make_table()
    pq.write_table(table.slice(0, 3), tmp_path / "a.parquet")
    pq.write_table(table.slice(3), tmp_path / "b.parquet")
    expected = compute_ksme_indicators(table)
    assert compute_ksme_indicators(str(tmp_path / "*.parquet")) == expected
    assert compute_ksme_indicators(table.to_batches()[0]) == expected


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        compute_ksme_indicators("/nonexistent/firms.parquet")


def test_wrong_source_and_year_types():
    with pytest.raises(TypeError, match="source"):
        compute_ksme_indicators({"sales_krw": [1]})
    with pytest.raises(TypeError, match="year"):
        compute_ksme_indicators(make_table(), year="2022")
    with pytest.raises(TypeError, match="year"):
        compute_ksme_indicators(make_table(), year=True)


# ---------------------------------------------------------------- validation


def test_missing_column_is_named():
    table = make_table().drop_columns(["indirect_exports_krw"])
    with pytest.raises(ValueError, match="column 'indirect_exports_krw' is missing"):
        compute_ksme_indicators(table)


@pytest.mark.parametrize(
    ("column", "typ", "wanted"),
    [
        ("sales_krw", pa.float64(), "integer"),
        ("region_code", pa.int32(), "string"),
        ("is_sme", pa.int8(), "boolean"),
        ("year", pa.string(), "integer"),
    ],
)
def test_wrong_column_type_is_named(column, typ, wanted):
    table = make_table()
    idx = table.schema.get_field_index(column)
    cast = (
        table.column(column).cast(typ)
        if column != "year"
        else pa.array([str(y) for y in table["year"].to_pylist()])
    )
    table = table.set_column(idx, column, cast)
    with pytest.raises(ValueError, match=f"column '{column}' must be .*{wanted}"):
        compute_ksme_indicators(table)


def test_other_integer_widths_are_accepted():
    table = make_table(sales_krw=pa.int32(), year=pa.int64(), direct_exports_krw=pa.uint64())
    assert compute_ksme_indicators(table)["sme_sales_share"] == pytest.approx(0.35)


def _with_negatives(rows_to_negate: list[int], column: str) -> list[tuple]:
    col = ["year", "region_code", "is_sme", "sales_krw", "direct_exports_krw", "indirect_exports_krw"].index(
        column
    )
    rows = [list(r) for r in ROWS]
    for i in rows_to_negate:
        rows[i][col] = -abs(rows[i][col]) - 1
    return [tuple(r) for r in rows]


@pytest.mark.parametrize("as_parquet", [False, "with statistics", "without statistics"])
def test_negative_amount_is_named_with_count(tmp_path, as_parquet):
    table = make_table(_with_negatives([0, 1, 2], "sales_krw"))
    source = table
    if as_parquet:
        # Without column statistics the check cannot be skipped and must run inside the scan.
        source = tmp_path / "neg.parquet"
        pq.write_table(table, source, write_statistics=as_parquet == "with statistics")
    with pytest.raises(ValueError, match=r"negative amount in column 'sales_krw' \(3 rows\)"):
        compute_ksme_indicators(source)


@pytest.mark.parametrize("as_parquet", [False, True])
def test_negatives_in_another_year_do_not_block(tmp_path, as_parquet):
    # Row 6 is the 2021 SME: only rows of the requested year are used and checked.
    table = make_table(_with_negatives([6], "indirect_exports_krw"))
    source = table
    if as_parquet:
        source = tmp_path / "neg.parquet"
        pq.write_table(table, source)
    assert compute_ksme_indicators(source, year=2022)["sme_sales_share"] == pytest.approx(0.35)
    with pytest.raises(ValueError, match=r"negative amount in column 'indirect_exports_krw' \(1 rows\)"):
        compute_ksme_indicators(source, year=2021)


@pytest.mark.parametrize("as_parquet", [False, True])
def test_nulls_are_named(tmp_path, as_parquet):
    rows = [list(r) for r in ROWS]
    rows[1][3] = None  # sales_krw
    rows[2][1] = None  # region_code
    table = make_table([tuple(r) for r in rows])
    source = table
    if as_parquet:
        source = tmp_path / "nulls.parquet"
        pq.write_table(table, source)
    with pytest.raises(
        ValueError, match="null values in column 'region_code' \\(1 rows\\).*'sales_krw' \\(1 rows\\)"
    ):
        compute_ksme_indicators(source)


# ---------------------------------------------------------------- sample microdata


def test_generator_is_deterministic_and_typed():
    a = generate_microdata(3000, years=(2021, 2022), seed=7)
    b = generate_microdata(3000, years=(2021, 2022), seed=7)
    assert a.equals(b)
    assert a.schema == MICRODATA_SCHEMA
    assert [str(f.type) for f in a.schema] == ["int16", "string", "bool", "int64", "int64", "int64"]
    assert a.num_rows == 6000
    assert not a.equals(generate_microdata(3000, years=(2021, 2022), seed=8))


def test_generator_is_a_panel_with_sane_amounts():
    t = generate_microdata(5000, years=(2021, 2022), seed=1)
    y21 = t.filter(pc.equal(t["year"], 2021))
    y22 = t.filter(pc.equal(t["year"], 2022))
    assert y21["region_code"].equals(y22["region_code"])
    assert y21["is_sme"].equals(y22["is_sme"])
    for name in ("sales_krw", "direct_exports_krw", "indirect_exports_krw"):
        assert pc.min(t[name]).as_py() >= 0
    exports = pc.add(t["direct_exports_krw"], t["indirect_exports_krw"])
    assert pc.all(pc.less_equal(exports, t["sales_krw"])).as_py()


def test_streamed_parquet_equals_in_memory_across_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(microdata_module, "CHUNK_ROWS", 1000)
    path = write_microdata_parquet(tmp_path / "m.parquet", 2500, years=(2022, 2023), seed=5)
    on_disk = pq.read_table(path)
    assert on_disk.equals(generate_microdata(2500, years=(2022, 2023), seed=5))
    assert pq.ParquetFile(path).metadata.num_row_groups == 6  # 3 blocks × 2 years
    assert not (tmp_path / "m.parquet.partial").exists()


def test_tiny_and_empty_samples():
    assert generate_microdata(0).num_rows == 0
    tiny = generate_microdata(10, seed=2)
    assert tiny.num_rows == 10 and pc.all(tiny["is_sme"]).as_py()  # too small for a 0.1 % large firm
    with pytest.raises(ValueError):
        generate_microdata(-1)
    with pytest.raises(ValueError):
        generate_microdata(10, years=(2022, 2022))


def test_generated_shares_near_official_figures():
    n = 200_000
    table = generate_microdata(n, years=(2021, 2022), seed=0)
    r22 = compute_ksme_indicators(table, year=2022)
    r21 = compute_ksme_indicators(table, year=2021)
    assert r22["sme_sales_share"] == pytest.approx(0.442, abs=0.002)
    assert r21["sme_sales_share"] == pytest.approx(0.468, abs=0.002)
    assert r22["sme_export_share"] == pytest.approx(default_targets(2022).sme_export_share, abs=0.002)
    assert r22["sme_export_share"] > r21["sme_export_share"] > 0.393  # rising from 2019's 39.3 %
    assert r22["noncapital_sme_sales_share"] == pytest.approx(1 - 0.582, abs=0.002)
    assert 0.2 < r22["noncapital_sales_share"] < 0.5
    assert r22["n_sme"] / r22["n_firms"] == pytest.approx(0.999, abs=0.0005)
    capital_firms = pc.sum(pc.is_in(table["region_code"], pa.array(["11", "28", "41"]))).as_py() / (2 * n)
    assert 0.45 < capital_firms < 0.56
    # Mean SME sales ≈ 3,309조원 / 8.04 M ≈ 4.1억원
    assert r22["sme_sales_krw"] / r22["n_sme"] == pytest.approx(4.1e8, rel=0.15)
    # SMEs' share of direct exports alone is about 18–20 %
    y22 = table.filter(pc.equal(table["year"], 2022))
    sme_direct = pc.sum(y22["direct_exports_krw"].filter(y22["is_sme"])).as_py()
    assert 0.15 < sme_direct / pc.sum(y22["direct_exports_krw"]).as_py() < 0.24


# ---------------------------------------------------------------- trajectory


def test_trajectory_perfect_line():
    tr = fit_trajectory([(2020, 0.40), (2021, 0.42), (2022, 0.44)])
    assert tr.slope == pytest.approx(0.02)
    assert tr.residual_std == pytest.approx(0.0, abs=1e-12)
    assert [p.year for p in tr.projections] == [2023, 2024, 2025, 2026, 2027]
    # 0.44 + 5 × 0.02 = 0.54
    assert tr.projected_value == pytest.approx(0.54)
    assert tr.projections[-1].lower == pytest.approx(0.54) and tr.projections[-1].upper == pytest.approx(0.54)
    assert tr.reaches_target is True and tr.probability_of_reaching == pytest.approx(1.0)
    # (0.5 − 0.44) / (2027 − 2022) = 0.012
    assert tr.required_annual_change == pytest.approx(0.012)
    assert tr.trend_faster_than_required is True


def test_trajectory_noisy_band_by_hand():
    tr = fit_trajectory([(2019, 0.40), (2020, 0.41), (2021, 0.43), (2022, 0.42)], level=0.9)
    # x̄ = 2020.5, ȳ = 0.415; Sxy = 0.04, Sxx = 5 → slope 0.008
    assert tr.slope == pytest.approx(0.008)
    assert tr.value_at(2020) == pytest.approx(0.411)
    # residuals −0.003, −0.001, 0.011, −0.007 → SSE 180e-6, s² = 90e-6
    assert tr.residual_std == pytest.approx(math.sqrt(90e-6))
    # 2027: ŷ = 0.415 + 0.008 × 6.5 = 0.467; se = s·√(1 + 1/4 + 6.5²/5) = s·√9.7
    # t(0.95, 2 df) = 2.919986 → half-width 0.086277
    half = 2.919986 * math.sqrt(90e-6) * math.sqrt(9.7)
    last = tr.projections[-1]
    assert last.value == pytest.approx(0.467)
    assert last.lower == pytest.approx(0.467 - half, abs=1e-6)
    assert last.upper == pytest.approx(0.467 + half, abs=1e-6)
    assert tr.reaches_target is False
    assert 0.1 < tr.probability_of_reaching < 0.5  # the upper bound 0.553 is above 0.5
    # required: (0.5 − 0.42) / 5 = 0.016 a year, twice the trend
    assert tr.required_annual_change == pytest.approx(0.016)
    assert tr.trend_faster_than_required is False
    # bands widen with distance from the data
    widths = [p.upper - p.lower for p in tr.projections]
    assert widths == sorted(widths)


def test_trajectory_two_points_has_no_band():
    tr = fit_trajectory([(2022, 0.442), (2021, 0.468)])  # order does not matter
    # slope (0.442 − 0.468) / 1 = −0.026; 2027: 0.442 − 5 × 0.026 = 0.312
    assert tr.slope == pytest.approx(-0.026)
    assert tr.projected_value == pytest.approx(0.312)
    assert tr.reaches_target is False
    assert not tr.has_band and tr.probability_of_reaching is None
    assert all(p.lower is None and p.upper is None for p in tr.projections)
    assert "no prediction interval" in tr.note
    assert tr.required_annual_change == pytest.approx((0.5 - 0.442) / 5)


def test_trajectory_single_point_gives_only_needed_change():
    tr = fit_trajectory([(2019, 0.393)])
    # (0.5 − 0.393) / (2027 − 2019) = 0.013375
    assert tr.required_annual_change == pytest.approx(0.013375)
    assert tr.slope is None and tr.projections == () and tr.reaches_target is None
    assert tr.value_at(2027) is None


def test_trajectory_band_is_clipped_to_shares():
    tr = fit_trajectory([(2020, 0.90), (2021, 0.97), (2022, 0.95), (2023, 0.99)])
    assert all(p.upper <= 1.0 for p in tr.projections)
    raw = fit_trajectory([(2020, 0.90), (2021, 0.97), (2022, 0.95), (2023, 0.99)], bounds=None)
    assert raw.projections[-1].upper > 1.0


def test_trajectory_target_year_already_passed():
    tr = fit_trajectory([(2026, 0.48), (2027, 0.51)])
    assert tr.projections == () and tr.required_annual_change is None
    assert tr.reaches_target is True


@pytest.mark.parametrize(
    ("obs", "kwargs", "exc"),
    [
        ([], {}, ValueError),
        ([(2020, 0.4), (2020, 0.5)], {}, ValueError),
        ([(2020, 0.4)], {"level": 1.0}, ValueError),
        ([(2020.5, 0.4)], {}, TypeError),
        ([(2020, "0.4")], {}, TypeError),
        ([(2020, float("nan"))], {}, ValueError),
    ],
)
def test_trajectory_rejects_bad_input(obs, kwargs, exc):
    with pytest.raises(exc):
        fit_trajectory(obs, **kwargs)


def test_concurrent_calls_do_not_mix_sources():
    from concurrent.futures import ThreadPoolExecutor

    tables = [
        make_table([(2022, "11", True, 10 * i, 0, 0), (2022, "26", False, 100, 0, 0)]) for i in range(1, 9)
    ]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda t: compute_ksme_indicators(t)["sme_sales_share"], tables))
    assert got == [10 * i / (10 * i + 100) for i in range(1, 9)]


def test_clean_parquet_needs_no_in_scan_checks(tmp_path):
    # The generator's files carry min/null statistics proving no negatives or nulls, so the scan
    # does no validation work at all; an Arrow table still needs the negative checks.
    from legend50.engines.indicators import compute

    path = write_microdata_parquet(tmp_path / "clean.parquet", 1000, seed=0)
    cur = compute._cursor(1)
    try:
        assert compute._columns_needing_checks(cur, str(path), None) == (set(), set())
        table = pq.read_table(path)
        assert compute._columns_needing_checks(cur, None, table) == (set(compute.AMOUNT_COLUMNS), set())
    finally:
        cur.close()
