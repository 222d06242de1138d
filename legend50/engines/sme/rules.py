"""Rule tables for SME size classification, as data.

Everything that a statute amendment can change lives here: the 별표1 SME ceilings, the 별표3
소기업 ceilings, the total-assets cap, the independence thresholds and the grace period. A
later amendment is a new :class:`SizeRuleset` value (new rows, new ``effective_date``), not a
code change; :func:`legend50.engines.sme.classify_enterprise` takes ``ruleset=``.

Row selectors are KSIC prefixes: a section letter (``"G"``), a division (``"C26"``), or a
longer code (``"C30393"``). The most specific matching row wins, which is how "E except E36"
and "N except N76" are expressed: ``"E36"`` and ``"N76"`` have their own rows next to the
section rows ``"E"`` and ``"N"``. Rows with ``seat_only=True`` apply only when the firm's
product is a seat (별표1's note on C31202 and C31322).

Amounts are int won. 1억원 = 100,000,000 won.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "EOK",
    "KSIC_DIVISIONS",
    "KSIC_SECTION_NAMES",
    "RULESET",
    "SMALL_CEILINGS",
    "SME_CEILINGS",
    "CeilingRow",
    "SizeRuleset",
]

EOK = 100_000_000  # 1억원

SOURCE_SME = "중소기업기본법 시행령 별표1"
SOURCE_SMALL = "중소기업기본법 시행령 별표3"


@dataclass(frozen=True, slots=True)
class CeilingRow:
    """One ceiling: firms whose main industry matches ``selector`` are within it at or below
    ``ceiling_krw`` (이하)."""

    selector: str
    ceiling_krw: int
    source: str
    seat_only: bool = False
    note: str = ""


def _rows(source: str, table: dict[int, tuple[str, ...]]) -> tuple[CeilingRow, ...]:
    return tuple(
        CeilingRow(selector=sel, ceiling_krw=eok * EOK, source=source)
        for eok, selectors in table.items()
        for sel in selectors
    )


# 별표1 — 주된 업종별 평균매출액등의 중소기업 규모 기준.
SME_CEILINGS: tuple[CeilingRow, ...] = _rows(
    SOURCE_SME,
    {
        1_500: ("C14", "C15", "C17", "C24", "C28", "C32"),
        1_000: (
            "A", "B", "C10", "C12", "C13", "C16", "C19", "C20", "C22", "C25", "C26",
            "C29", "C30", "C31", "D", "E36", "F", "G",
        ),
        800: ("C11", "C18", "C21", "C23", "C27", "C33", "E", "H", "J"),
        600: ("C34", "M", "N", "Q", "R", "S"),
        400: ("I", "K", "L", "N76", "P"),
    },
) + (
    # Seats share the furniture (C32) ceiling: motor-vehicle seats in full, railway and
    # aircraft parts only for the seats among them.
    CeilingRow("C30393", 1_500 * EOK, SOURCE_SME, note="자동차용 신품 의자 제조업"),
    CeilingRow("C31202", 1_500 * EOK, SOURCE_SME, seat_only=True, note="철도 차량 부품 중 의자"),
    CeilingRow("C31322", 1_500 * EOK, SOURCE_SME, seat_only=True, note="항공기용 부품 중 의자"),
)  # fmt: skip

# 별표3 — 주된 업종별 평균매출액등의 소기업 규모 기준.
SMALL_CEILINGS: tuple[CeilingRow, ...] = _rows(
    SOURCE_SMALL,
    {
        120: (
            "C10", "C11", "C14", "C15", "C19", "C20", "C21", "C23", "C24", "C25", "C26",
            "C28", "C29", "C30", "C32", "D", "E36",
        ),
        80: (
            "A", "B", "C12", "C13", "C16", "C17", "C18", "C22", "C27", "C31", "C33", "F", "H", "K",
        ),
        50: ("G", "J"),
        30: ("E", "L", "M", "N", "R"),
        10: ("C34", "I", "P", "Q", "S"),
    },
)  # fmt: skip

# KSIC sections and their divisions (10th revision numbering, unchanged at division level
# in the 11th revision effective 2024). Used to validate codes and to infer the section of a
# code given without its letter.
KSIC_SECTION_NAMES: dict[str, str] = {
    "A": "농업, 임업 및 어업",
    "B": "광업",
    "C": "제조업",
    "D": "전기, 가스, 증기 및 공기 조절 공급업",
    "E": "수도, 하수 및 폐기물 처리, 원료 재생업",
    "F": "건설업",
    "G": "도매 및 소매업",
    "H": "운수 및 창고업",
    "I": "숙박 및 음식점업",
    "J": "정보통신업",
    "K": "금융 및 보험업",
    "L": "부동산업",
    "M": "전문, 과학 및 기술 서비스업",
    "N": "사업시설 관리, 사업 지원 및 임대 서비스업",
    "O": "공공 행정, 국방 및 사회보장 행정",
    "P": "교육 서비스업",
    "Q": "보건업 및 사회복지 서비스업",
    "R": "예술, 스포츠 및 여가관련 서비스업",
    "S": "협회 및 단체, 수리 및 기타 개인 서비스업",
    "T": "가구 내 고용활동 및 달리 분류되지 않은 자가 소비 생산활동",
    "U": "국제 및 외국기관",
}

KSIC_DIVISIONS: dict[str, tuple[int, ...]] = {
    "A": (1, 2, 3),
    "B": (5, 6, 7, 8),
    "C": tuple(range(10, 35)),
    "D": (35,),
    "E": (36, 37, 38, 39),
    "F": (41, 42),
    "G": (45, 46, 47),
    "H": (49, 50, 51, 52),
    "I": (55, 56),
    "J": (58, 59, 60, 61, 62, 63),
    "K": (64, 65, 66),
    "L": (68,),
    "M": (70, 71, 72, 73),
    "N": (74, 75, 76),
    "O": (84,),
    "P": (85,),
    "Q": (86, 87),
    "R": (90, 91),
    "S": (94, 95, 96),
    "T": (97, 98),
    "U": (99,),
}


@dataclass(frozen=True)
class SizeRuleset:
    """A complete, dated set of SME size rules (중소기업기본법 시행령 제3조·제8조·제9조)."""

    name: str
    source: str
    effective_date: dt.date
    sme_ceilings: tuple[CeilingRow, ...]
    small_ceilings: tuple[CeilingRow, ...]
    # Sections the statute gives no ceiling (별표1 lists none for them).
    no_ceiling_sections: frozenset[str] = frozenset({"O", "T", "U"})
    # 자산총액 at or above this is never an SME (제3조제1항제1호 나목: "5천억원 미만").
    asset_cap_krw: int = 5_000 * EOK
    # Independence (제3조제1항제2호 나목): a corporation with assets at or above this holding
    # at least this share as largest shareholder makes the firm non-SME.
    large_owner_assets_krw: int = 5_000 * EOK
    large_owner_share: float = 0.30
    grace_years: int = 3
    ksic_revision: str = "KSIC 10th/11th revision (divisions)"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for table_name in ("sme_ceilings", "small_ceilings"):
            seen: set[tuple[str, bool]] = set()
            for row in getattr(self, table_name):
                key = (row.selector, row.seat_only)
                if key in seen:
                    raise ValueError(f"{table_name}: duplicate row for {row.selector!r}")
                seen.add(key)
                if not isinstance(row.ceiling_krw, int) or row.ceiling_krw <= 0:
                    raise ValueError(f"{table_name}: {row.selector!r} needs a positive int ceiling")
                section = row.selector[:1]
                digits = row.selector[1:]
                if section not in KSIC_DIVISIONS or (digits and not digits.isdigit()):
                    raise ValueError(f"{table_name}: {row.selector!r} is not a KSIC prefix")
                if section in self.no_ceiling_sections:
                    raise ValueError(f"{table_name}: section {section} is declared without ceiling")


RULESET = SizeRuleset(
    name="중소기업기본법 시행령 제3조 (별표1·별표3)",
    source=f"{SOURCE_SME}, {SOURCE_SMALL}; 제3조(중소기업의 범위), 제8조(소기업), 제9조(유예기간 적용 제외)",
    # The sales-based 소기업 criteria of 별표3 apply from 2016-01-01 (the 별표1 평균매출액등
    # criteria from 2015-01-01); the tables here are those in force since, with KSIC codes.
    effective_date=dt.date(2016, 1, 1),
    sme_ceilings=SME_CEILINGS,
    small_ceilings=SMALL_CEILINGS,
    notes=(
        "평균매출액등: 3-year average sales of the firm (all its industries), compared with the "
        "ceiling of its main industry (the one with the largest share of sales).",
        "관계기업: the related companies' average sales are added pro rata to the shareholding "
        "before comparing with both 별표1 and 별표3.",
    ),
)
