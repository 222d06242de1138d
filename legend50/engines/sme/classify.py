"""SME size classification (중소기업기본법 제2조, 시행령 제3조·제8조·제9조, 별표1·별표3).

Order of decisions, each recorded in the result's ``reason``:

1. The KSIC code is parsed; a malformed or unknown code raises ``ValueError`` naming ``ksic``.
2. Sections O, T, U have no ceiling in 별표1 → ``non_sme``.
3. Independence (제3조제1항제2호): in a 공시대상기업집단 (가목) or ≥ 30 % owned as largest
   shareholder by a corporation with ≥ 5,000억원 assets (나목) → ``non_sme``. The grace period
   does not cure these: 시행령 제9조 withholds it from firms that leave SME status for
   independence reasons, and the 3-year rule of 법 제2조제3항 is about growth in size.
4. Size: 평균매출액등 (own + 관계기업 pro-rata share, 다목) above the 별표1 ceiling of the main
   industry (이하 = within), or 자산총액 ≥ 5,000억원 (미만 = within) → ``non_sme`` — unless the
   caller says the firm is ``within_grace_period`` (outgrew the criteria less than three years
   ago and has not used a grace period before), in which case it stays an SME (``medium``).
5. 소기업 (별표3): the same 평균매출액등 at or below the 별표3 ceiling → ``small``, else ``medium``.

The combined 평균매출액등 (own + related) is used for both 별표1 and 별표3, following 시행령
제7조의4 which defines 평균매출액등 for 관계기업 before either table applies.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass
from typing import Literal

from legend50.engines.sme.rules import (
    EOK,
    KSIC_DIVISIONS,
    KSIC_SECTION_NAMES,
    RULESET,
    CeilingRow,
    SizeRuleset,
)

__all__ = [
    "KsicCode",
    "SizeClass",
    "SizeClassification",
    "ceiling_for",
    "classify_enterprise",
    "format_krw",
    "parse_ksic",
    "small_ceiling_for",
]

SizeClass = Literal["small", "medium", "non_sme"]

SIZE_LABELS: dict[str, str] = {"small": "소기업", "medium": "중기업", "non_sme": "중소기업 아님"}

_KSIC_RE = re.compile(r"^([A-Z]?)(\d{0,5})$")


@dataclass(frozen=True, slots=True)
class KsicCode:
    """A KSIC code split into its section letter and the digits below it."""

    section: str
    digits: str

    @property
    def code(self) -> str:
        return self.section + self.digits

    @property
    def division(self) -> int | None:
        return int(self.digits[:2]) if len(self.digits) >= 2 else None

    def __str__(self) -> str:
        return self.code


def _section_of_division(division: int) -> str | None:
    for section, divisions in KSIC_DIVISIONS.items():
        if division in divisions:
            return section
    return None


def parse_ksic(ksic: str) -> KsicCode:
    """Parse ``"C26110"`` (section letter + up to five digits).

    Case and surrounding whitespace are ignored. A code given without its letter (``"26110"``,
    as business registers often store it) gets the section its division belongs to.
    Raises ``ValueError`` naming ``ksic`` for anything malformed or inconsistent.
    """
    if not isinstance(ksic, str):
        raise TypeError(f"ksic must be a str such as 'C26110', got {type(ksic).__name__}")
    text = ksic.strip().upper()
    m = _KSIC_RE.match(text)
    if not text or m is None:
        raise ValueError(
            f"ksic {ksic!r} is malformed: expected a section letter A–U followed by up to five "
            "digits, e.g. 'C26110'"
        )
    section, digits = m.groups()
    if section and section not in KSIC_DIVISIONS:
        raise ValueError(f"ksic {ksic!r}: unknown KSIC section {section!r} (sections are A–U)")
    if len(digits) == 1:
        raise ValueError(f"ksic {ksic!r}: a division has two digits, e.g. 'C26'")
    if digits:
        division = int(digits[:2])
        owner = _section_of_division(division)
        if owner is None:
            raise ValueError(f"ksic {ksic!r}: division {digits[:2]} does not exist in KSIC")
        if section and owner != section:
            raise ValueError(
                f"ksic {ksic!r}: division {digits[:2]} belongs to section {owner}, not {section}"
            )
        section = owner
    elif not section:
        raise ValueError(f"ksic {ksic!r} is empty")
    return KsicCode(section=section, digits=digits)


def format_krw(amount: int) -> str:
    """``150_000_000_000`` → ``"1,500억원"``; ``100_000_000_001`` → ``"1,000억 1원"``."""
    eok, rest = divmod(amount, EOK)
    if eok and not rest:
        return f"{eok:,}억원"
    if eok:
        return f"{eok:,}억 {rest:,}원"
    return f"{amount:,}원"


def _match_row(
    code: KsicCode, rows: tuple[CeilingRow, ...], *, seat_product: bool, table: str
) -> tuple[CeilingRow, tuple[str, ...]]:
    """Most specific applicable row for ``code``, plus notes on finer rows it could not rule out."""
    applicable = [r for r in rows if not r.seat_only or seat_product]
    matches = [r for r in applicable if code.code.startswith(r.selector)]
    best = max(matches, key=lambda r: len(r.selector), default=None)
    finer = sorted(
        r.selector
        for r in applicable
        if r.selector.startswith(code.code)
        and len(r.selector) > len(code.code)
        and (best is None or r.ceiling_krw != best.ceiling_krw)
    )
    if best is None or (finer and not code.digits):
        # A bare section letter cannot say which of the section's ceilings applies.
        raise ValueError(
            f"ksic {code.code!r} is too coarse for {table}: section {code.section} has different "
            f"ceilings for {', '.join(finer) or 'its divisions'}; give at least the division, e.g. "
            f"'{code.section}{KSIC_DIVISIONS[code.section][0]:02d}'"
        )
    notes = tuple(
        f"{table}: {sel}은(는) 별도 기준 — {code.code}는 이에 해당하지 않는 것으로 판단 "
        f"({sel} has its own ceiling; {code.code} treated as outside it)"
        for sel in finer
    )
    return best, notes


def ceiling_for(ksic: str, seat_product: bool = False, *, ruleset: SizeRuleset = RULESET) -> int | None:
    """별표1 SME ceiling (won) of the main industry, or ``None`` for sections without one."""
    code = parse_ksic(ksic)
    if code.section in ruleset.no_ceiling_sections:
        return None
    return _match_row(code, ruleset.sme_ceilings, seat_product=seat_product, table="별표1")[0].ceiling_krw


def small_ceiling_for(ksic: str, *, ruleset: SizeRuleset = RULESET) -> int | None:
    """별표3 소기업 ceiling (won) of the main industry, or ``None`` for sections without one."""
    code = parse_ksic(ksic)
    if code.section in ruleset.no_ceiling_sections:
        return None
    return _match_row(code, ruleset.small_ceilings, seat_product=False, table="별표3")[0].ceiling_krw


@dataclass(frozen=True, slots=True)
class SizeClassification:
    """Outcome of :func:`classify_enterprise`. ``reason`` is the human (Korean-first) account."""

    size_class: SizeClass
    reason: str
    ksic: str
    compared_sales_krw: int
    total_assets_krw: int
    sme_ceiling_krw: int | None
    small_ceiling_krw: int | None
    sme_rule: str | None
    small_rule: str | None
    grace_applied: bool
    ruleset: str
    notes: tuple[str, ...] = ()

    @property
    def is_sme(self) -> bool:
        return self.size_class != "non_sme"

    @property
    def label(self) -> str:
        return SIZE_LABELS[self.size_class]


def _amount(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int amount in won, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value:,}")
    return int(value)


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def classify_enterprise(
    ksic: str,
    average_sales_krw: int,
    total_assets_krw: int,
    in_disclosed_group: bool = False,
    owned_by_large_firm: bool = False,
    *,
    related_average_sales_krw: int = 0,
    seat_product: bool = False,
    within_grace_period: bool = False,
    ruleset: SizeRuleset = RULESET,
) -> SizeClassification:
    """Classify a firm as 소기업 (``"small"``), 중기업 (``"medium"``) or not an SME.

    ``average_sales_krw`` is the firm's 평균매출액등 (3-year average, all its industries);
    ``ksic`` is its main industry. ``related_average_sales_krw`` is the pro-rata sum already
    computed for its 관계기업. ``owned_by_large_firm`` means: a corporation with assets ≥
    5,000억원 holds ≥ 30 % and is the largest shareholder. See the module docstring for the
    order of decisions and the grace-period scope.
    """
    sales = _amount("average_sales_krw", average_sales_krw)
    assets = _amount("total_assets_krw", total_assets_krw)
    related = _amount("related_average_sales_krw", related_average_sales_krw)
    for name, value in (
        ("in_disclosed_group", in_disclosed_group),
        ("owned_by_large_firm", owned_by_large_firm),
        ("seat_product", seat_product),
        ("within_grace_period", within_grace_period),
    ):
        _flag(name, value)
    code = parse_ksic(ksic)
    combined = sales + related

    def result(size_class: SizeClass, reason: str, **kw) -> SizeClassification:
        fields = {
            "sme_ceiling_krw": None,
            "small_ceiling_krw": None,
            "sme_rule": None,
            "small_rule": None,
            "grace_applied": False,
            "notes": (),
        }
        fields.update(kw)
        return SizeClassification(
            size_class=size_class,
            reason=reason,
            ksic=code.code,
            compared_sales_krw=combined,
            total_assets_krw=assets,
            ruleset=ruleset.name,
            **fields,
        )

    if code.section in ruleset.no_ceiling_sections:
        return result(
            "non_sme",
            f"별표1: {code.section}({KSIC_SECTION_NAMES[code.section]})에는 중소기업 규모 기준이 "
            "없음 → 중소기업 아님",
        )

    sme_row, sme_notes = _match_row(code, ruleset.sme_ceilings, seat_product=seat_product, table="별표1")
    small_row, small_notes = _match_row(code, ruleset.small_ceilings, seat_product=False, table="별표3")
    if seat_product and not sme_row.seat_only:
        sme_notes += (
            f"seat_product는 의자 예외(C31202·C31322)에만 영향 — {code.code}에는 적용되지 않음 "
            "(seat_product has no effect here)",
        )
    common = {
        "sme_ceiling_krw": sme_row.ceiling_krw,
        "small_ceiling_krw": small_row.ceiling_krw,
        "sme_rule": f"{sme_row.source} {sme_row.selector}",
        "small_rule": f"{small_row.source} {small_row.selector}",
        "notes": sme_notes + small_notes,
    }
    cap = format_krw(ruleset.asset_cap_krw)
    share = f"{ruleset.large_owner_share:.0%}"

    if in_disclosed_group:
        return result(
            "non_sme",
            "독립성 기준(시행령 제3조제1항제2호 가목): 공시대상기업집단 소속 → 중소기업 아님 "
            "(유예기간 적용 제외)",
            **common,
        )
    if owned_by_large_firm:
        return result(
            "non_sme",
            f"독립성 기준(시행령 제3조제1항제2호 나목): 자산총액 {format_krw(ruleset.large_owner_assets_krw)} "
            f"이상 법인이 {share} 이상 소유한 최다출자자 → 중소기업 아님 (유예기간 적용 제외)",
            **common,
        )

    sales_text = f"평균매출액등 {format_krw(combined)}"
    if related:
        sales_text += f" (자사 {format_krw(sales)} + 관계기업 {format_krw(related)})"
    failures: list[str] = []
    if combined > sme_row.ceiling_krw:
        failures.append(f"별표1 {sme_row.selector} {sales_text} > {format_krw(sme_row.ceiling_krw)} (초과)")
    if assets >= ruleset.asset_cap_krw:
        failures.append(f"자산총액 {format_krw(assets)} ≥ {cap} (5천억원 미만 기준 불충족)")
    if failures:
        if within_grace_period:
            return result(
                "medium",
                "; ".join(failures)
                + f" → 규모 기준 초과이나 유예기간({ruleset.grace_years}년) 중 → 중소기업으로 봄 "
                "(법 제2조제3항) → 중기업",
                grace_applied=True,
                **common,
            )
        return result("non_sme", "; ".join(failures) + " → 중소기업 아님", **common)

    head = (
        f"별표1 {sme_row.selector} {sales_text} ≤ {format_krw(sme_row.ceiling_krw)} (이하), "
        f"자산총액 {format_krw(assets)} < {cap} → 중소기업"
    )
    if combined <= small_row.ceiling_krw:
        return result(
            "small",
            f"{head}; 별표3 {small_row.selector} {format_krw(small_row.ceiling_krw)} 이하 → 소기업",
            **common,
        )
    return result(
        "medium",
        f"{head}; 별표3 {small_row.selector} {format_krw(small_row.ceiling_krw)} 초과 → 중기업",
        **common,
    )
