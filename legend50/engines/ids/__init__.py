"""Korean business identifiers: 사업자등록번호 (BRN) and 법인등록번호 (corporate registration number).

Both numbers end in a check digit; this module validates, normalises and formats them and
describes the BRN's 2-digit type code. It never touches 주민등록번호 (resident registration
numbers), which the platform must not collect (개인정보 보호법 제24조의2).

Input rules shared by every function here:

* whitespace anywhere and hyphens anywhere are ignored (the ASCII hyphen-minus and the
  look-alike dashes U+2010–U+2013 and U+2212 that spreadsheets and word processors produce);
* any other character — letters, full-width digits, dots, slashes — is rejected;
* ``is_valid_*`` never raises: anything that is not a well-formed number with a correct
  check digit (including non-strings) is simply ``False``;
* ``normalize_*`` checks only the shape (digit count) and raises ``ValueError``;
* ``format_*`` and :func:`brn_type` raise ``ValueError`` unless the check digit is right too,
  so a formatted number on screen is always a plausible one.

The check-digit rules (National Tax Service / 대법원 등기 규칙) are:

* BRN: weights 1,3,7,1,3,7,1,3,5 on the first nine digits, plus ``(9th digit × 5) // 10``;
  check = ``(10 − sum mod 10) mod 10``.
* 법인등록번호: weights 1,2,1,2,… on the first twelve digits, plain products summed (the
  digits of two-digit products are *not* added, unlike Luhn); check = ``(10 − sum mod 10) mod 10``.

A correct check digit proves only that the number is well formed, not that it was issued;
confirming registration status needs the NTS status service (outside this pure engine).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BRN_LENGTH",
    "CORPORATE_NUMBER_LENGTH",
    "BrnType",
    "brn_check_digit",
    "brn_type",
    "corporate_number_check_digit",
    "format_brn",
    "format_corporate_number",
    "is_valid_brn",
    "is_valid_corporate_number",
    "normalize_brn",
    "normalize_corporate_number",
]

BRN_LENGTH = 10
CORPORATE_NUMBER_LENGTH = 13

_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_ASCII_DIGITS = frozenset("0123456789")
# Dashes that arrive from copy-paste out of HWP/Word/Excel; treated like '-'.
_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2212")


def _digits(value: object, *, length: int, what: str) -> str:
    """Strip separators and return exactly ``length`` ASCII digits, else raise ValueError."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    kept: list[str] = []
    for ch in value:
        if ch in _ASCII_DIGITS:
            kept.append(ch)
        elif ch.isspace() or ch in _HYPHENS:
            continue
        else:
            raise ValueError(f"{what} {value!r} contains {ch!r}; only digits, hyphens and spaces are allowed")
    digits = "".join(kept)
    if len(digits) != length:
        raise ValueError(f"{what} {value!r} has {len(digits)} digits; expected {length}")
    return digits


# ---------------------------------------------------------------------------------------------
# 사업자등록번호
# ---------------------------------------------------------------------------------------------


def brn_check_digit(first_nine: str) -> int:
    """Check digit for the first nine digits of a 사업자등록번호."""
    if len(first_nine) != 9 or not set(first_nine) <= _ASCII_DIGITS:
        raise ValueError(f"first_nine must be 9 ASCII digits, got {first_nine!r}")
    d = [int(c) for c in first_nine]
    total = sum(x * w for x, w in zip(d, _BRN_WEIGHTS, strict=True)) + (d[8] * 5) // 10
    return (10 - total % 10) % 10


def normalize_brn(value: str) -> str:
    """Return the 10 bare digits of a 사업자등록번호 (shape only; the check digit is not verified).

    Raises ``ValueError`` naming the problem (bad character, wrong digit count) and
    ``TypeError`` for non-strings — an ``int`` would have lost the leading zeros of tax
    office codes such as 010.
    """
    return _digits(value, length=BRN_LENGTH, what="사업자등록번호 (BRN)")


def is_valid_brn(value: object) -> bool:
    """True when ``value`` is a well-formed 사업자등록번호 whose check digit is correct."""
    try:
        digits = normalize_brn(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return brn_check_digit(digits[:9]) == int(digits[9])


def _valid_brn_digits(value: str) -> str:
    digits = normalize_brn(value)
    expected = brn_check_digit(digits[:9])
    if expected != int(digits[9]):
        raise ValueError(
            f"사업자등록번호 (BRN) {value!r} fails the check digit: last digit is {digits[9]}, "
            f"the National Tax Service rule gives {expected}"
        )
    return digits


def format_brn(value: str) -> str:
    """Format a valid 사업자등록번호 as ``XXX-XX-XXXXX``; raise ``ValueError`` if it is invalid."""
    d = _valid_brn_digits(value)
    return f"{d[:3]}-{d[3:5]}-{d[5:]}"


@dataclass(frozen=True, slots=True)
class BrnType:
    """What the 4th–5th digits of a 사업자등록번호 say about the business.

    ``kind`` is a stable machine value; ``label`` is the Korean description shown to users.
    """

    code: str
    kind: str
    label: str

    def __str__(self) -> str:
        return self.label


# NTS assignment of the 2-digit 개인·법인 구분코드. Ranges are inclusive.
_BRN_TYPE_RANGES: tuple[tuple[int, int, str, str], ...] = (
    (1, 79, "individual_taxable", "개인 과세사업자"),
    (80, 80, "individual_special", "아파트관리사무소 등 및 다단계판매원"),
    (81, 81, "corporation_head_office", "영리법인 본점"),
    (82, 82, "nonprofit_corporation", "비영리법인 (본점·지점), 법인으로 보는 단체"),
    (83, 83, "government", "국가·지방자치단체·지방자치단체조합"),
    (84, 84, "foreign_corporation", "외국법인 (본점·지점·연락사무소)"),
    (85, 85, "corporation_branch", "영리법인 지점"),
    (86, 88, "corporation_head_office", "영리법인 본점"),
    (89, 89, "religious_organization", "법인이 아닌 종교단체"),
    (90, 99, "individual_tax_exempt", "개인 면세사업자"),
)


def brn_type(value: str) -> BrnType:
    """Describe the type code (digits 4–5) of a valid 사업자등록번호.

    >>> brn_type("124-81-00998").label
    '영리법인 본점'

    Raises ``ValueError`` for an invalid number; code 00 is not assigned and also raises.
    """
    code = _valid_brn_digits(value)[3:5]
    n = int(code)
    for low, high, kind, label in _BRN_TYPE_RANGES:
        if low <= n <= high:
            return BrnType(code=code, kind=kind, label=label)
    raise ValueError(f"사업자등록번호 (BRN) {value!r} has type code {code}, which is not assigned")


# ---------------------------------------------------------------------------------------------
# 법인등록번호
# ---------------------------------------------------------------------------------------------


def corporate_number_check_digit(first_twelve: str) -> int:
    """Check digit for the first twelve digits of a 법인등록번호."""
    if len(first_twelve) != 12 or not set(first_twelve) <= _ASCII_DIGITS:
        raise ValueError(f"first_twelve must be 12 ASCII digits, got {first_twelve!r}")
    # Plain products: 2 × 7 contributes 14, not 1 + 4.
    total = sum(int(c) * (1 if i % 2 == 0 else 2) for i, c in enumerate(first_twelve))
    return (10 - total % 10) % 10


def normalize_corporate_number(value: str) -> str:
    """Return the 13 bare digits of a 법인등록번호 (shape only; the check digit is not verified)."""
    return _digits(value, length=CORPORATE_NUMBER_LENGTH, what="법인등록번호 (corporate number)")


def is_valid_corporate_number(value: object) -> bool:
    """True when ``value`` is a well-formed 법인등록번호 whose check digit is correct."""
    try:
        digits = normalize_corporate_number(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return corporate_number_check_digit(digits[:12]) == int(digits[12])


def format_corporate_number(value: str) -> str:
    """Format a valid 법인등록번호 as ``XXXXXX-XXXXXXX``; raise ``ValueError`` if it is invalid."""
    d = normalize_corporate_number(value)
    expected = corporate_number_check_digit(d[:12])
    if expected != int(d[12]):
        raise ValueError(
            f"법인등록번호 (corporate number) {value!r} fails the check digit: last digit is {d[12]}, "
            f"the rule gives {expected}"
        )
    return f"{d[:6]}-{d[6:]}"
