"""Inter-rater agreement on review totals: Krippendorff's alpha (interval) and ICCs.

All functions take a ``units × raters`` float matrix (proposals × experts) with ``NaN`` where
a rater did not rate a unit — the normal case in proposal review, where each proposal is
read by a panel drawn from a larger pool.

* Krippendorff's alpha, interval metric: α = 1 − D_o / D_e over pairable values (units with
  at least two ratings), following Krippendorff (2011) "Computing Krippendorff's
  Alpha-Reliability". Handles missing data natively.
* ICC(1) — one-way random effects, single rater (Shrout & Fleiss 1979, case 1), with the
  unbalanced-design n₀ correction; valid when different units are read by different raters.
* ICC(2,1) — two-way random effects, absolute agreement, single rater; needs a complete
  design (every rater rated every unit), otherwise ``None``.

Each returns ``None`` when undefined (too few units or no variance) rather than NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Agreement", "agreement", "icc1", "icc2_1", "krippendorff_alpha_interval"]


def _matrix(data: ArrayLike) -> np.ndarray:
    m = np.asarray(data, dtype=float)
    if m.ndim != 2:
        raise ValueError("expected a 2-D units × raters matrix")
    return m


def krippendorff_alpha_interval(data: ArrayLike) -> float | None:
    """Krippendorff's alpha with the interval metric δ² = (a − b)²; ``None`` if undefined."""
    m = _matrix(data)
    present = ~np.isnan(m)
    counts = present.sum(axis=1)
    pairable = counts >= 2
    if pairable.sum() < 2:  # agreement across units needs at least two of them
        return None
    x = np.where(present, m, 0.0)[pairable]
    mu = counts[pairable].astype(float)
    s1 = x.sum(axis=1)
    s2 = (x * x).sum(axis=1)
    n = mu.sum()
    # Σ over ordered pairs i≠j within a unit of (vᵢ − vⱼ)² = 2(m·Σv² − (Σv)²).
    within = 2.0 * (mu * s2 - s1 * s1)
    d_o = float(np.sum(within / (mu - 1.0)) / n)
    total1, total2 = s1.sum(), s2.sum()
    d_e = float(2.0 * (n * total2 - total1 * total1) / (n * (n - 1.0)))
    if d_e <= 0.0:
        return None
    return 1.0 - d_o / d_e


def icc1(data: ArrayLike) -> float | None:
    """ICC(1): one-way random effects, single rating, unbalanced groups allowed."""
    m = _matrix(data)
    groups = [row[~np.isnan(row)] for row in m]
    groups = [g for g in groups if g.size >= 2]
    a = len(groups)
    if a < 2:
        return None
    k = np.array([g.size for g in groups], dtype=float)
    big_n = k.sum()
    grand = np.concatenate(groups).mean()
    means = np.array([g.mean() for g in groups])
    ssb = float(np.sum(k * (means - grand) ** 2))
    ssw = float(sum(np.sum((g - g.mean()) ** 2) for g in groups))
    msb = ssb / (a - 1)
    msw = ssw / (big_n - a)
    n0 = (big_n - np.sum(k * k) / big_n) / (a - 1)
    denominator = msb + (n0 - 1.0) * msw
    if denominator <= 0.0:
        return None
    return float((msb - msw) / denominator)


def icc2_1(data: ArrayLike) -> float | None:
    """ICC(2,1): two-way random effects, absolute agreement; ``None`` unless complete."""
    m = _matrix(data)
    if np.isnan(m).any():
        return None
    n, k = m.shape
    if n < 2 or k < 2:
        return None
    grand = m.mean()
    ssr = k * float(np.sum((m.mean(axis=1) - grand) ** 2))
    ssc = n * float(np.sum((m.mean(axis=0) - grand) ** 2))
    sst = float(np.sum((m - grand) ** 2))
    sse = sst - ssr - ssc
    msr = ssr / (n - 1)
    msc = ssc / (k - 1)
    mse = sse / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    if denominator <= 0.0:
        return None
    return float((msr - mse) / denominator)


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement of the experts' totals for one call."""

    krippendorff_alpha: float | None
    icc1: float | None
    icc2_1: float | None
    n_units: int  # proposals with at least two reviews
    n_raters: int
    n_pairable_values: int
    complete_design: bool
    notes: tuple[str, ...] = ()


def agreement(data: ArrayLike) -> Agreement:
    """All agreement figures for a units × raters matrix, with notes on what is undefined."""
    m = _matrix(data)
    present = ~np.isnan(m)
    counts = present.sum(axis=1)
    complete = bool(present.all()) and m.size > 0
    alpha = krippendorff_alpha_interval(m)
    one = icc1(m)
    two = icc2_1(m) if complete else None
    notes: list[str] = []
    if alpha is None:
        notes.append("Krippendorff's alpha undefined: fewer than two pairable values or no variation")
    if one is None:
        notes.append("ICC(1) undefined: needs two proposals with two or more reviews and some variation")
    if not complete:
        notes.append("ICC(2,1) not computed: not every expert reviewed every proposal")
    elif two is None:
        notes.append("ICC(2,1) undefined for this matrix (too small or no variation)")
    return Agreement(
        krippendorff_alpha=alpha,
        icc1=one,
        icc2_1=two,
        n_units=int((counts >= 2).sum()),
        n_raters=int(m.shape[1]),
        n_pairable_values=int(counts[counts >= 2].sum()),
        complete_design=complete,
        notes=tuple(notes),
    )
