"""Tests for legend50.engines.sme (중소기업기본법 시행령 별표1·별표3 size rules)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from legend50.engines.sme import (
    EOK,
    KSIC_DIVISIONS,
    RULESET,
    SMALL_CEILINGS,
    SME_CEILINGS,
    CeilingRow,
    ceiling_for,
    classify_enterprise,
    format_krw,
    parse_ksic,
    small_ceiling_for,
)

# The tables of /work/shared/DOMAIN.md ("SME size"), transcribed here independently of the
# module so a typo in either place fails the comparison.
DOMAIN_SME = {
    1_500: "C14 C15 C17 C24 C28 C32",
    1_000: "A B C10 C12 C13 C16 C19 C20 C22 C25 C26 C29 C30 C31 D E36 F G",
    800: "C11 C18 C21 C23 C27 C33 E H J",
    600: "C34 M N Q R S",
    400: "I K L N76 P",
}
DOMAIN_SEATS = {"C30393": False, "C31202": True, "C31322": True}  # selector → seat_only
DOMAIN_SMALL = {
    120: "C10 C11 C14 C15 C19 C20 C21 C23 C24 C25 C26 C28 C29 C30 C32 D E36",
    80: "A B C12 C13 C16 C17 C18 C22 C27 C31 C33 F H K",
    50: "G J",
    30: "E L M N R",
    10: "C34 I P Q S",
}

SMALL_ASSETS = 10 * EOK  # comfortably below the 5,000억 cap


def _expand(table: dict[int, str]) -> dict[str, int]:
    return {sel: eok * EOK for eok, sels in table.items() for sel in sels.split()}


def test_tables_match_domain_transcription():
    sme = {r.selector: r.ceiling_krw for r in SME_CEILINGS}
    expected = _expand(DOMAIN_SME) | {sel: 1_500 * EOK for sel in DOMAIN_SEATS}
    assert sme == expected
    assert {r.selector: r.seat_only for r in SME_CEILINGS if r.selector in DOMAIN_SEATS} == DOMAIN_SEATS
    assert {r.selector: r.ceiling_krw for r in SMALL_CEILINGS} == _expand(DOMAIN_SMALL)


def test_rows_carry_source_and_ruleset_is_dated():
    assert all(r.source == "중소기업기본법 시행령 별표1" for r in SME_CEILINGS)
    assert all(r.source == "중소기업기본법 시행령 별표3" for r in SMALL_CEILINGS)
    assert "별표1" in RULESET.source and "별표3" in RULESET.source
    assert isinstance(RULESET.effective_date, dt.date)
    assert RULESET.asset_cap_krw == 5_000 * EOK
    assert RULESET.no_ceiling_sections == {"O", "T", "U"}


def _representative(selector: str) -> str:
    """A full-length KSIC code falling under ``selector`` and under no more specific row."""
    if len(selector) > 1:
        return selector
    section = selector
    taken = {r.selector for r in SME_CEILINGS + SMALL_CEILINGS}
    for division in KSIC_DIVISIONS[section]:
        code = f"{section}{division:02d}"
        if code not in taken:
            return code
    raise AssertionError(selector)


def _id(row: CeilingRow) -> str:
    return f"{row.selector}{'-seat' if row.seat_only else ''}-{row.ceiling_krw // EOK}억"


@pytest.mark.parametrize("row", SME_CEILINGS, ids=_id)
def test_every_sme_row_boundary(row):
    ksic = _representative(row.selector)
    seat = row.seat_only
    assert ceiling_for(ksic, seat_product=seat) == row.ceiling_krw

    at = classify_enterprise(ksic, row.ceiling_krw, SMALL_ASSETS, False, False, seat_product=seat)
    assert at.size_class == "medium"  # every 별표1 ceiling is above every 별표3 ceiling
    assert at.is_sme and at.sme_ceiling_krw == row.ceiling_krw
    assert f"별표1 {row.selector}" in at.reason and "이하" in at.reason

    above = classify_enterprise(ksic, row.ceiling_krw + 1, SMALL_ASSETS, False, False, seat_product=seat)
    assert above.size_class == "non_sme"
    assert "초과" in above.reason and format_krw(row.ceiling_krw) in above.reason


@pytest.mark.parametrize("row", SMALL_CEILINGS, ids=_id)
def test_every_small_row_boundary(row):
    ksic = _representative(row.selector)
    assert small_ceiling_for(ksic) == row.ceiling_krw

    at = classify_enterprise(ksic, row.ceiling_krw, SMALL_ASSETS, False, False)
    assert at.size_class == "small"
    assert at.label == "소기업"
    assert f"별표3 {row.selector} {format_krw(row.ceiling_krw)} 이하 → 소기업" in at.reason

    above = classify_enterprise(ksic, row.ceiling_krw + 1, SMALL_ASSETS, False, False)
    assert above.size_class == "medium"
    assert f"별표3 {row.selector} {format_krw(row.ceiling_krw)} 초과 → 중기업" in above.reason


def test_brief_example_reason():
    r = classify_enterprise(
        ksic="C26110",
        average_sales_krw=90_000_000_000,
        total_assets_krw=50 * EOK,
        in_disclosed_group=False,
        owned_by_large_firm=False,
    )
    assert r.size_class == "medium"
    assert r.reason.startswith("별표1 C26 평균매출액등 900억원 ≤ 1,000억원 (이하)")
    assert r.reason.endswith("별표3 C26 120억원 초과 → 중기업")


def test_every_division_has_both_ceilings_except_otu():
    for section, divisions in KSIC_DIVISIONS.items():
        for division in divisions:
            code = f"{section}{division:02d}"
            if section in {"O", "T", "U"}:
                assert ceiling_for(code) is None and small_ceiling_for(code) is None
            else:
                assert ceiling_for(code) in {1_500 * EOK, 1_000 * EOK, 800 * EOK, 600 * EOK, 400 * EOK}
                assert small_ceiling_for(code) in {120 * EOK, 80 * EOK, 50 * EOK, 30 * EOK, 10 * EOK}


class TestSeatExceptions:
    def test_motor_vehicle_seats_in_full(self):
        assert ceiling_for("C30393") == 1_500 * EOK
        assert ceiling_for("C30393", seat_product=True) == 1_500 * EOK
        assert ceiling_for("C30391") == 1_000 * EOK  # other C3039x stay with C30
        r = classify_enterprise("C30393", 1_200 * EOK, SMALL_ASSETS)
        assert r.size_class == "medium" and r.sme_rule.endswith("C30393")
        assert small_ceiling_for("C30393") == 120 * EOK  # 별표3 has no seat exception

    @pytest.mark.parametrize("ksic", ["C31202", "C31322"])
    def test_rail_and_aircraft_parts_only_for_seats(self, ksic):
        assert ceiling_for(ksic) == 1_000 * EOK
        assert ceiling_for(ksic, seat_product=True) == 1_500 * EOK
        assert classify_enterprise(ksic, 1_200 * EOK, SMALL_ASSETS).size_class == "non_sme"
        seats = classify_enterprise(ksic, 1_200 * EOK, SMALL_ASSETS, seat_product=True)
        assert seats.size_class == "medium" and f"별표1 {ksic}" in seats.reason
        assert (
            classify_enterprise(ksic, 1_500 * EOK + 1, SMALL_ASSETS, seat_product=True).size_class
            == "non_sme"
        )

    def test_seat_flag_is_noted_where_it_does_nothing(self):
        r = classify_enterprise("C26110", 500 * EOK, SMALL_ASSETS, seat_product=True)
        assert r.sme_ceiling_krw == 1_000 * EOK
        assert any("seat_product" in n for n in r.notes)

    def test_division_code_notes_the_finer_exception(self):
        r = classify_enterprise("C30", 500 * EOK, SMALL_ASSETS)
        assert r.sme_ceiling_krw == 1_000 * EOK
        assert any("C30393" in n for n in r.notes)


class TestSectionExceptions:
    def test_e36_vs_rest_of_e(self):
        assert ceiling_for("E36") == ceiling_for("E36010") == 1_000 * EOK
        assert ceiling_for("E37") == ceiling_for("E38110") == 800 * EOK
        assert small_ceiling_for("E36") == 120 * EOK
        assert small_ceiling_for("E39") == 30 * EOK

    def test_n76_vs_rest_of_n(self):
        assert ceiling_for("N76") == ceiling_for("N76110") == 400 * EOK
        assert ceiling_for("N74") == ceiling_for("N75") == 600 * EOK
        assert small_ceiling_for("N76") == small_ceiling_for("N74") == 30 * EOK

    @pytest.mark.parametrize("ksic", ["E", "N", "C"])
    def test_section_letter_alone_is_ambiguous(self, ksic):
        with pytest.raises(ValueError, match="ksic"):
            classify_enterprise(ksic, 1, 1)

    @pytest.mark.parametrize("ksic", ["G", "I", "g47"])
    def test_section_letter_alone_is_fine_where_uniform(self, ksic):
        assert classify_enterprise(ksic, 1, 1).size_class == "small"


class TestAssetsCap:
    def test_just_below_cap_is_sme(self):
        r = classify_enterprise("C26110", 500 * EOK, 5_000 * EOK - 1)
        assert r.size_class == "medium"
        assert "4,999억 99,999,999원 < 5,000억원" in r.reason

    def test_exactly_cap_is_not_sme(self):
        r = classify_enterprise("C26110", 500 * EOK, 5_000 * EOK)
        assert r.size_class == "non_sme"
        assert "자산총액 5,000억원 ≥ 5,000억원" in r.reason

    def test_tiny_sales_do_not_rescue_large_assets(self):
        assert classify_enterprise("I56", 1 * EOK, 6_000 * EOK).size_class == "non_sme"


class TestIndependence:
    def test_disclosed_group(self):
        r = classify_enterprise("C26110", 10 * EOK, SMALL_ASSETS, in_disclosed_group=True)
        assert r.size_class == "non_sme" and "공시대상기업집단" in r.reason

    def test_owned_by_large_firm(self):
        r = classify_enterprise("C26110", 10 * EOK, SMALL_ASSETS, owned_by_large_firm=True)
        assert r.size_class == "non_sme" and "30%" in r.reason and "최다출자자" in r.reason

    @pytest.mark.parametrize("flags", [(True, False), (False, True), (True, True)])
    def test_grace_does_not_cure_independence(self, flags):
        r = classify_enterprise("C26110", 10 * EOK, SMALL_ASSETS, *flags, within_grace_period=True)
        assert r.size_class == "non_sme" and not r.grace_applied
        assert "유예기간 적용 제외" in r.reason


class TestRelatedCompanies:
    def test_related_sales_added_at_the_ceiling(self):
        r = classify_enterprise("C26110", 600 * EOK, SMALL_ASSETS, related_average_sales_krw=400 * EOK)
        assert r.size_class == "medium"
        assert r.compared_sales_krw == 1_000 * EOK
        assert "자사 600억원 + 관계기업 400억원" in r.reason

    def test_related_sales_push_over(self):
        r = classify_enterprise("C26110", 600 * EOK, SMALL_ASSETS, related_average_sales_krw=400 * EOK + 1)
        assert r.size_class == "non_sme"
        assert "1,000억 1원 (자사 600억원 + 관계기업 400억 1원) > 1,000억원" in r.reason

    def test_related_sales_count_for_small_too(self):
        kw = {"related_average_sales_krw": 20 * EOK}
        assert classify_enterprise("C26110", 100 * EOK, SMALL_ASSETS, **kw).size_class == "small"
        assert classify_enterprise("C26110", 100 * EOK + 1, SMALL_ASSETS, **kw).size_class == "medium"


class TestGracePeriod:
    def test_sales_over_ceiling_in_grace_is_medium(self):
        r = classify_enterprise("C26110", 2_000 * EOK, SMALL_ASSETS, within_grace_period=True)
        assert r.size_class == "medium" and r.grace_applied and r.is_sme
        assert "유예기간" in r.reason and "3년" in r.reason

    def test_assets_over_cap_in_grace_is_medium(self):
        r = classify_enterprise("C26110", 500 * EOK, 6_000 * EOK, within_grace_period=True)
        assert r.size_class == "medium" and r.grace_applied

    def test_grace_flag_irrelevant_when_within_ceilings(self):
        r = classify_enterprise("C26110", 50 * EOK, SMALL_ASSETS, within_grace_period=True)
        assert r.size_class == "small" and not r.grace_applied

    def test_without_grace_same_firm_is_not_sme(self):
        assert classify_enterprise("C26110", 2_000 * EOK, SMALL_ASSETS).size_class == "non_sme"


@pytest.mark.parametrize("ksic", ["O84", "O84111", "T97", "T98", "U99", "U99001", "O", "u"])
def test_sections_without_ceiling(ksic):
    r = classify_enterprise(ksic, 1, 1, within_grace_period=True)
    assert r.size_class == "non_sme"
    assert "규모 기준이 없음" in r.reason
    assert ceiling_for(ksic) is None and small_ceiling_for(ksic) is None


class TestKsicParsing:
    def test_normalisation(self):
        assert parse_ksic(" c26110 ").code == "C26110"
        assert parse_ksic("26110").code == "C26110"  # letter inferred from the division
        assert parse_ksic("47").code == "G47"
        assert parse_ksic("C26110").division == 26

    @pytest.mark.parametrize(
        "bad",
        ["", "  ", "C1", "C2611O", "C261100", "V26", "Z", "CC26", "C-26", "C85", "A35", "00", "04", "C 26"],
    )
    def test_bad_codes_raise_value_error_naming_ksic(self, bad):
        with pytest.raises(ValueError, match="ksic"):
            classify_enterprise(bad, 1, 1)
        with pytest.raises(ValueError, match="ksic"):
            ceiling_for(bad)

    def test_non_string_ksic(self):
        with pytest.raises(TypeError, match="ksic"):
            classify_enterprise(26110, 1, 1)  # type: ignore[arg-type]


class TestBadAmounts:
    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [
            ({"average_sales_krw": -1}, "average_sales_krw"),
            ({"total_assets_krw": -1}, "total_assets_krw"),
            ({"related_average_sales_krw": -5}, "related_average_sales_krw"),
        ],
    )
    def test_negative_amounts(self, kwargs, name):
        base = {"ksic": "C26110", "average_sales_krw": 1, "total_assets_krw": 1} | kwargs
        with pytest.raises(ValueError, match=name):
            classify_enterprise(**base)

    @pytest.mark.parametrize("value", [1.5, "100", None, True])
    def test_non_int_amounts(self, value):
        with pytest.raises(TypeError, match="average_sales_krw"):
            classify_enterprise("C26110", value, 1)  # type: ignore[arg-type]

    def test_non_bool_flags(self):
        with pytest.raises(TypeError, match="in_disclosed_group"):
            classify_enterprise("C26110", 1, 1, in_disclosed_group="no")  # type: ignore[arg-type]

    def test_zero_is_fine(self):
        assert classify_enterprise("C26110", 0, 0).size_class == "small"


class TestRulesetIsData:
    def test_amended_table_changes_the_outcome(self):
        amended_rows = tuple(
            dataclasses.replace(r, ceiling_krw=1_200 * EOK) if r.selector == "C26" else r
            for r in SME_CEILINGS
        )
        amended = dataclasses.replace(
            RULESET,
            name="가상 개정 (test)",
            effective_date=dt.date(2030, 1, 1),
            sme_ceilings=amended_rows,
        )
        firm = {"ksic": "C26110", "average_sales_krw": 1_100 * EOK, "total_assets_krw": SMALL_ASSETS}
        assert classify_enterprise(**firm).size_class == "non_sme"
        r = classify_enterprise(**firm, ruleset=amended)
        assert r.size_class == "medium" and r.ruleset == "가상 개정 (test)"
        assert ceiling_for("C26", ruleset=amended) == 1_200 * EOK

    def test_amended_asset_cap(self):
        amended = dataclasses.replace(RULESET, asset_cap_krw=6_000 * EOK)
        assert classify_enterprise("C26", 500 * EOK, 5_500 * EOK, ruleset=amended).is_sme

    def test_ruleset_rejects_duplicate_rows(self):
        with pytest.raises(ValueError, match="duplicate"):
            dataclasses.replace(RULESET, small_ceilings=SMALL_CEILINGS + SMALL_CEILINGS[:1])

    def test_ruleset_rejects_bad_selector(self):
        bad = CeilingRow("C2X", EOK, "test")
        with pytest.raises(ValueError, match="KSIC prefix"):
            dataclasses.replace(RULESET, sme_ceilings=SME_CEILINGS + (bad,))


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (150_000_000_000, "1,500억원"),
        (100_000_000_001, "1,000억 1원"),
        (5_000_000, "5,000,000원"),
        (0, "0원"),
    ],
)
def test_format_krw(amount, text):
    assert format_krw(amount) == text
