"""Linear trajectory of a share towards a K-SME 50+ target (50 % by 2027).

A straight line fitted by OLS on the year, projected year by year to the target year, with a
prediction interval for a single future observation::

    ŷ(x0) ± t_{(1+level)/2, n−2} · s · sqrt(1 + 1/n + (x0 − x̄)² / Sxx)

where s² = Σ residual² / (n − 2) and Sxx = Σ (x − x̄)². With only a handful of yearly points this
band is wide, which is the honest answer: few observations say little about 2027.

* n ≥ 3: trend, projections with band, and P(value in target year ≥ target) under that t model.
* n = 2: the line passes through both points; with no residual degrees of freedom there is no
  band (``lower``/``upper`` are None) and no probability.
* n = 1: no trend at all; only the yearly change needed to reach the target.

The needed change is always (target − last value) / (target year − last year), i.e. measured from
the last observation, not from the fitted line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from scipy import stats

# Projected values are compared to the target with this slack, so that 0.45 + 5 × 0.01 "reaches" 0.5.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class TrajectoryPoint:
    year: int
    value: float
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class Trajectory:
    observations: tuple[tuple[int, float], ...]
    target: float
    target_year: int
    level: float
    last_year: int
    last_value: float
    # (target − last value) / (target year − last year); None when the target year is not after it.
    required_annual_change: float | None
    # Fitted line: None with a single observation.
    slope: float | None
    intercept: float | None
    # Residual standard deviation s; None with fewer than 3 observations.
    residual_std: float | None
    # Fitted values at the observed years (no band).
    fitted: tuple[TrajectoryPoint, ...]
    # One point per year after the last observation up to the target year.
    projections: tuple[TrajectoryPoint, ...]
    # Line value in the target year and whether it is at or above the target.
    projected_value: float | None
    reaches_target: bool | None
    # P(observation in the target year ≥ target) under the fitted t model; n ≥ 3 only.
    probability_of_reaching: float | None
    # Whether the fitted yearly change is at least the required one.
    trend_faster_than_required: bool | None
    note: str

    @property
    def has_band(self) -> bool:
        return self.residual_std is not None

    def value_at(self, year: int) -> float | None:
        if self.slope is None or self.intercept is None:
            return None
        return self.intercept + self.slope * year


def _check_observations(observations: Iterable[tuple[int, float]]) -> list[tuple[int, float]]:
    cleaned: list[tuple[int, float]] = []
    for item in observations:
        try:
            year, value = item
        except (TypeError, ValueError):
            raise TypeError(f"each observation must be a (year, value) pair, got {item!r}")
        if isinstance(year, bool) or not hasattr(year, "__index__"):
            raise TypeError(f"observation year must be an int, got {year!r}")
        if isinstance(value, bool) or not hasattr(value, "__float__"):
            raise TypeError(f"observation value must be a number, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"observation value for {int(year)} is not finite: {value}")
        cleaned.append((int(year), value))
    if not cleaned:
        raise ValueError("at least one observation is needed")
    cleaned.sort()
    years = [y for y, _ in cleaned]
    duplicates = sorted({y for y in years if years.count(y) > 1})
    if duplicates:
        raise ValueError(f"each year may appear once; repeated: {duplicates}")
    return cleaned


def _clip(x: float, bounds: tuple[float, float] | None) -> float:
    return x if bounds is None else min(max(x, bounds[0]), bounds[1])


def fit_trajectory(
    observations: Iterable[tuple[int, float]],
    target: float = 0.5,
    target_year: int = 2027,
    level: float = 0.9,
    *,
    bounds: tuple[float, float] | None = (0.0, 1.0),
) -> Trajectory:
    """Fit a linear trend to ``(year, share)`` observations and project it to ``target_year``.

    ``bounds`` clips the prediction band (shares cannot leave [0, 1]); the fitted line and the
    projected values themselves are never clipped, so the arithmetic stays checkable. Pass
    ``bounds=None`` for quantities that are not shares.
    """
    obs = _check_observations(observations)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be strictly between 0 and 1, got {level}")
    if isinstance(target_year, bool) or not hasattr(target_year, "__index__"):
        raise TypeError(f"target_year must be an int, got {target_year!r}")
    target_year = int(target_year)
    target = float(target)

    n = len(obs)
    last_year, last_value = obs[-1]
    years_left = target_year - last_year
    required = (target - last_value) / years_left if years_left > 0 else None
    common = {
        "observations": tuple(obs),
        "target": target,
        "target_year": target_year,
        "level": level,
        "last_year": last_year,
        "last_value": last_value,
        "required_annual_change": required,
    }

    if n == 1:
        return Trajectory(
            **common,
            slope=None,
            intercept=None,
            residual_std=None,
            fitted=(),
            projections=(),
            projected_value=None,
            reaches_target=None,
            probability_of_reaching=None,
            trend_faster_than_required=None,
            note="1 observation: no trend can be fitted; only the yearly change needed is given.",
        )

    # Centre the years: OLS on raw years (≈ 2020) loses digits in Sxx for no reason.
    x_mean = sum(y for y, _ in obs) / n
    y_mean = sum(v for _, v in obs) / n
    sxx = sum((y - x_mean) ** 2 for y, _ in obs)
    slope = sum((y - x_mean) * (v - y_mean) for y, v in obs) / sxx
    intercept = y_mean - slope * x_mean

    def line(year: int) -> float:
        return y_mean + slope * (year - x_mean)

    fitted = tuple(TrajectoryPoint(y, line(y)) for y, _ in obs)
    projected = line(target_year)

    if n == 2:
        residual_std = None
        t_crit = None
        note = (
            "2 observations: the line passes through both points; with no residual degrees of "
            "freedom there is no prediction interval."
        )
    else:
        sse = sum((v - line(y)) ** 2 for y, v in obs)
        residual_std = math.sqrt(sse / (n - 2))
        t_crit = float(stats.t.ppf((1.0 + level) / 2.0, n - 2))
        note = (
            f"{n} observations: OLS trend with a {level:.0%} prediction interval "
            f"(t distribution, {n - 2} degree{'s' if n > 3 else ''} of freedom)."
        )

    def pred_se(year: int) -> float:
        assert residual_std is not None
        return residual_std * math.sqrt(1.0 + 1.0 / n + (year - x_mean) ** 2 / sxx)

    projections = []
    for year in range(last_year + 1, target_year + 1):
        value = line(year)
        if t_crit is None:
            projections.append(TrajectoryPoint(year, value))
        else:
            half = t_crit * pred_se(year)
            projections.append(
                TrajectoryPoint(year, value, _clip(value - half, bounds), _clip(value + half, bounds))
            )

    probability = None
    if residual_std is not None:
        se = pred_se(target_year)
        if se > 0:
            probability = float(stats.t.sf((target - projected) / se, n - 2))
        else:  # a perfect line: the projection is certain under the model
            probability = 1.0 if projected >= target - _TOLERANCE else 0.0

    return Trajectory(
        **common,
        slope=slope,
        intercept=intercept,
        residual_std=residual_std,
        fitted=fitted,
        projections=tuple(projections),
        projected_value=projected,
        reaches_target=projected >= target - _TOLERANCE,
        probability_of_reaching=probability,
        trend_faster_than_required=None if required is None else slope >= required - _TOLERANCE,
        note=note,
    )
