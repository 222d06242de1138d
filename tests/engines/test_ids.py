"""Tests for legend50.engines.ids (사업자등록번호, 법인등록번호).

The real numbers below are published by the companies themselves (site footers, receipts,
tax-invoice instructions) or by government data services; each was cross-checked against
several public copies and its check digit validates. They are *corporate* identifiers, not
personal data.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legend50.engines.ids import (
    brn_check_digit,
    brn_type,
    corporate_number_check_digit,
    format_brn,
    format_corporate_number,
    is_valid_brn,
    is_valid_corporate_number,
    normalize_brn,
    normalize_corporate_number,
)

REAL_BRNS = [
    ("124-81-00998", "삼성전자"),
    ("107-86-14075", "LG전자"),
    ("126-81-03725", "SK하이닉스"),
    ("101-81-09147", "현대자동차"),
    ("119-81-02316", "기아"),
    ("220-81-62517", "NAVER"),
    ("120-81-47521", "카카오"),
    ("102-81-42945", "KT"),
    ("104-81-37225", "SK텔레콤"),
    ("220-81-39938", "LG유플러스"),
    ("206-86-50913", "이마트"),
    ("120-82-00052", "한국전력공사"),  # type 82 despite being a listed company
    ("110-81-14794", "대한항공"),
    ("116-81-18745", "GS리테일"),
    ("116-81-19477", "LG CNS"),
    ("143-81-19635", "코스맥스"),
    ("120-88-00767", "쿠팡(주)"),  # Korean operating company of NYSE-listed Coupang, Inc.
]

REAL_CORPORATE_NUMBERS = [
    ("130111-0006246", "삼성전자"),
    ("110111-2487050", "LG전자"),
    ("110111-4594952", "이마트"),
]


# Independent re-implementations of the two rules, written from the statute/NTS text rather
# than copied from the module, so a shared mistake is unlikely.
def reference_brn_ok(digits: str) -> bool:
    d = [int(c) for c in digits]
    s = d[0] * 1 + d[1] * 3 + d[2] * 7 + d[3] * 1 + d[4] * 3 + d[5] * 7 + d[6] * 1 + d[7] * 3
    s += d[8] * 5 // 10 * 1 + (d[8] * 5) % 10  # the NTS sheet's tens + units split of 9th × 5
    return (10 - s % 10) % 10 == d[9]


def reference_crn_ok(digits: str) -> bool:
    d = [int(c) for c in digits]
    odd_positions = sum(d[0:12:2])  # weight 1
    even_positions = sum(2 * x for x in d[1:12:2])  # weight 2, products not digit-summed
    return (10 - (odd_positions + even_positions) % 10) % 10 == d[12]


def corruptions(digits: str):
    for pos in range(len(digits)):
        for new in "0123456789":
            if new != digits[pos]:
                yield pos, new, digits[:pos] + new + digits[pos + 1 :]


@pytest.mark.parametrize(("number", "company"), REAL_BRNS)
def test_real_brns_are_valid(number, company):
    assert is_valid_brn(number), company
    assert is_valid_brn(number.replace("-", "")), company
    assert format_brn(number.replace("-", "")) == number
    assert reference_brn_ok(normalize_brn(number))


@pytest.mark.parametrize(("number", "company"), REAL_CORPORATE_NUMBERS)
def test_real_corporate_numbers_are_valid(number, company):
    assert is_valid_corporate_number(number), company
    assert format_corporate_number(number.replace("-", "")) == number
    assert reference_crn_ok(normalize_corporate_number(number))


def test_there_are_at_least_twenty_real_numbers():
    assert len(REAL_BRNS) + len(REAL_CORPORATE_NUMBERS) >= 20
    assert len({n for n, _ in REAL_BRNS}) == len(REAL_BRNS)


@pytest.mark.parametrize(("number", "company"), REAL_BRNS)
def test_every_single_digit_corruption_of_brn_judged_as_rule(number, company):
    digits = normalize_brn(number)
    accepted = rejected = 0
    for pos, new, corrupted in corruptions(digits):
        expected = reference_brn_ok(corrupted)
        assert is_valid_brn(corrupted) is expected, (company, pos, new)
        # Formatting with hyphens must not change the verdict.
        assert is_valid_brn(f"{corrupted[:3]}-{corrupted[3:5]}-{corrupted[5:]}") is expected
        accepted += expected
        rejected += not expected
    # The BRN rule catches *every* single-digit error: weights 1, 3, 7 are coprime with 10,
    # and the 9th digit's contribution 5d + (5d)//10 takes the residues
    # 0,5,1,6,2,7,3,8,4,9 for d = 0..9 — all distinct. (Contrast 법인등록번호 below.)
    assert accepted == 0
    assert rejected == 90


def test_brn_ninth_digit_contribution_is_a_permutation_mod_10():
    residues = [(5 * d + (5 * d) // 10) % 10 for d in range(10)]
    assert sorted(residues) == list(range(10))


@pytest.mark.parametrize(("number", "company"), REAL_CORPORATE_NUMBERS)
def test_every_single_digit_corruption_of_corporate_number_judged_as_rule(number, company):
    digits = normalize_corporate_number(number)
    accepted = []
    rejected = 0
    for pos, new, corrupted in corruptions(digits):
        expected = reference_crn_ok(corrupted)
        assert is_valid_corporate_number(corrupted) is expected, (company, pos, new)
        if expected:
            accepted.append((pos, int(digits[pos]), int(new)))
        else:
            rejected += 1
    # At a weight-2 position a ±5 change moves the sum by ±10, leaving the check intact.
    assert accepted, company
    assert all(pos % 2 == 1 and abs(old - new) == 5 for pos, old, new in accepted)
    assert len(accepted) == 6  # six weight-2 positions, one ±5 partner each
    assert rejected == 13 * 9 - 6


def test_corporate_plus_five_example_is_accepted():
    # 130111-0006246: position 1 (weight 2) holds 3; 3+5 = 8 → 180111-0006246 still checks.
    assert is_valid_corporate_number("180111-0006246")
    # whereas a Luhn-style digit sum would have rejected it: 2×8 = 16 → 1+6 = 7 ≠ 16 mod 10.


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 124 81 00998 ", "1248100998"),
        ("124-81-00998", "1248100998"),
        ("124\u201381\u201300998", "1248100998"),  # en dash from a word processor
        ("12481-00998", "1248100998"),
        ("1248100998\n", "1248100998"),
        ("124 - 81 - 00998", "1248100998"),
    ],
)
def test_normalize_brn_accepts_separators(raw, expected):
    assert normalize_brn(raw) == expected
    assert is_valid_brn(raw)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("124.81.00998", "'.'"),
        ("124/81/00998", "'/'"),
        ("12481OO998", "'O'"),
        ("１２４８１００９９８", "'１'"),  # full-width digits are not silently converted
        ("124-81-0099", "9 digits"),
        ("124-81-009981", "11 digits"),
        ("", "0 digits"),
    ],
)
def test_normalize_brn_rejects_with_clear_message(raw, fragment):
    with pytest.raises(ValueError, match="사업자등록번호") as exc:
        normalize_brn(raw)
    assert fragment in str(exc.value)
    assert not is_valid_brn(raw)


def test_non_strings_are_invalid_not_errors_for_is_valid():
    assert not is_valid_brn(1248100998)
    assert not is_valid_brn(None)
    assert not is_valid_corporate_number(1301110006246)
    with pytest.raises(TypeError):
        normalize_brn(1248100998)


def test_format_rejects_invalid_check_digit():
    with pytest.raises(ValueError, match="check digit"):
        format_brn("124-81-00997")
    with pytest.raises(ValueError, match="check digit"):
        format_corporate_number("130111-0006247")
    with pytest.raises(ValueError):
        format_brn("abc")


def test_check_digit_helpers():
    assert brn_check_digit("124810099") == 8
    assert corporate_number_check_digit("130111000624") == 6
    with pytest.raises(ValueError):
        brn_check_digit("12481009")
    with pytest.raises(ValueError):
        corporate_number_check_digit("13011100062x")


def test_worked_brn_example():
    # 1 2 4 8 1 0 0 9 9 × 1 3 7 1 3 7 1 3 5:
    # 1 + 6 + 28 + 8 + 3 + 0 + 0 + 27 + 45 = 118, plus (9 × 5) // 10 = 4 → 122
    # check = (10 − 2) mod 10 = 8 ✓
    assert brn_check_digit("124810099") == 8


@pytest.mark.parametrize(
    ("number", "kind", "label"),
    [
        ("124-81-00998", "corporation_head_office", "영리법인 본점"),
        ("107-86-14075", "corporation_head_office", "영리법인 본점"),
        ("120-88-00767", "corporation_head_office", "영리법인 본점"),
        ("120-82-00052", "nonprofit_corporation", "비영리법인 (본점·지점), 법인으로 보는 단체"),
    ],
)
def test_brn_type_of_real_numbers(number, kind, label):
    t = brn_type(number)
    assert (t.code, t.kind, t.label) == (number[4:6], kind, label)
    assert str(t) == label


def _with_type(code: str) -> str:
    first9 = f"123{code}4567"
    return first9 + str(brn_check_digit(first9))


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("01", "individual_taxable"),
        ("79", "individual_taxable"),
        ("80", "individual_special"),
        ("83", "government"),
        ("84", "foreign_corporation"),
        ("85", "corporation_branch"),
        ("87", "corporation_head_office"),
        ("89", "religious_organization"),
        ("90", "individual_tax_exempt"),
        ("99", "individual_tax_exempt"),
    ],
)
def test_brn_type_codes(code, kind):
    t = brn_type(_with_type(code))
    assert t.kind == kind
    assert t.label  # Korean label present


def test_brn_type_rejects_unassigned_and_invalid():
    with pytest.raises(ValueError, match="not assigned"):
        brn_type(_with_type("00"))
    with pytest.raises(ValueError, match="check digit"):
        brn_type("124-81-00997")


valid_brn_digits = st.text(alphabet="0123456789", min_size=9, max_size=9).map(
    lambda s: s + str(brn_check_digit(s))
)
valid_crn_digits = st.text(alphabet="0123456789", min_size=12, max_size=12).map(
    lambda s: s + str(corporate_number_check_digit(s))
)
separators = st.lists(st.sampled_from(["", "", "", "-", " ", "\t", "\u2010"]), min_size=11, max_size=11)


def _interleave(digits: str, seps: list[str]) -> str:
    return "".join(s + d for s, d in zip(seps, digits, strict=False)) + seps[-1]


@given(valid_brn_digits, separators)
def test_brn_format_normalize_round_trip(digits, seps):
    messy = _interleave(digits, seps)
    assert is_valid_brn(messy)
    assert normalize_brn(messy) == digits
    formatted = format_brn(messy)
    assert formatted == f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
    assert normalize_brn(formatted) == digits
    assert format_brn(formatted) == formatted


@given(valid_crn_digits, st.lists(st.sampled_from(["", "-", " "]), min_size=14, max_size=14))
def test_corporate_format_normalize_round_trip(digits, seps):
    messy = _interleave(digits, seps)
    assert normalize_corporate_number(messy) == digits
    formatted = format_corporate_number(messy)
    assert formatted == f"{digits[:6]}-{digits[6:]}"
    assert normalize_corporate_number(formatted) == digits


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_is_valid_brn_matches_reference_on_arbitrary_digits(digits):
    assert is_valid_brn(digits) is reference_brn_ok(digits)


@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_is_valid_corporate_number_matches_reference_on_arbitrary_digits(digits):
    assert is_valid_corporate_number(digits) is reference_crn_ok(digits)
