"""SME size rules: is a firm a 소기업, a 중기업, or not an SME at all?

Implements 중소기업기본법 시행령 제3조 (size and independence), 별표1 (SME ceilings by main
industry), 별표3 (소기업 ceilings) and the 3-year grace period, with every threshold held as
data in :mod:`legend50.engines.sme.rules` (``RULESET``, ``SME_CEILINGS``, ``SMALL_CEILINGS``)
carrying its legal source and effective date. Money is int won.

>>> r = classify_enterprise(ksic="C26110", average_sales_krw=90_000_000_000,
...                         total_assets_krw=50_000_000_000,
...                         in_disclosed_group=False, owned_by_large_firm=False)
>>> r.size_class
'medium'
"""

from legend50.engines.sme.classify import (
    SIZE_LABELS,
    KsicCode,
    SizeClass,
    SizeClassification,
    ceiling_for,
    classify_enterprise,
    format_krw,
    parse_ksic,
    small_ceiling_for,
)
from legend50.engines.sme.rules import (
    EOK,
    KSIC_DIVISIONS,
    KSIC_SECTION_NAMES,
    RULESET,
    SMALL_CEILINGS,
    SME_CEILINGS,
    CeilingRow,
    SizeRuleset,
)

__all__ = [
    "EOK",
    "KSIC_DIVISIONS",
    "KSIC_SECTION_NAMES",
    "RULESET",
    "SIZE_LABELS",
    "SMALL_CEILINGS",
    "SME_CEILINGS",
    "CeilingRow",
    "KsicCode",
    "SizeClass",
    "SizeClassification",
    "SizeRuleset",
    "ceiling_for",
    "classify_enterprise",
    "format_krw",
    "parse_ksic",
    "small_ceiling_for",
]
