"""Korean display units for money and KST for times (pure functions, shared by templates and exports)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")
_UNITS = ((10**12, "조"), (10**8, "억"), (10**4, "만"))


def format_krw(amount: int | None, *, suffix: str = "원") -> str:
    """4000_0000_0000 -> "4,000억원"; 250_000_000 -> "2억 5,000만원"; exact to the won."""
    if amount is None:
        return "-"
    amount = int(amount)
    sign = "-" if amount < 0 else ""
    rest = abs(amount)
    if rest == 0:
        return f"0{suffix}"
    parts = []
    for size, unit in _UNITS:
        if rest >= size:
            parts.append(f"{rest // size:,}{unit}")
            rest %= size
    if rest:
        parts.append(f"{rest:,}")
    return sign + " ".join(parts) + suffix


def format_eok(amount: int | None, digits: int = 1) -> str:
    """Amounts in 억원 with one decimal, for tables and charts: 279_000_000_000 -> "2,790.0억원"."""
    if amount is None:
        return "-"
    return f"{amount / 10**8:,.{digits}f}억원"


def to_kst(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(KST)


def format_kst(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "-"
    return to_kst(value).strftime(fmt) + " KST"
