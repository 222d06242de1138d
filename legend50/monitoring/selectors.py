"""Reads of the monitoring app, already narrowed to what the user may see.

Suppression rule (public pages): an aggregate over fewer than `MIN_GROUP_FIRMS` firms is shown as
"—" with a note, except to users entitled to the underlying firms: the ministry and auditors see
every province, a province's officers see their own province.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from legend50.core.actors import actor_for
from legend50.engines.indicators import compute_ksme_indicators, fit_trajectory
from legend50.registry.reference import TILE_GRID

from .choices import DATASET_MICRODATA
from .models import FirmOutcome, Indicator, Observation, RefreshRun, RefreshStatus

MIN_GROUP_FIRMS = 3
SUPPRESSED_NOTE = gettext_lazy("3개사 미만 집계는 공개하지 않습니다")


def suppresses(user_or_actor, region_code: str) -> bool:
    """Whether aggregates of `region_code` over fewer than 3 firms are hidden from this user."""
    actor = user_or_actor if hasattr(user_or_actor, "reads_everything") else actor_for(user_or_actor)
    return not (actor.reads_everything or region_code in actor.region_codes)


# ------------------------------------------------------------------------------------------------
# indicators: official and computed series, trajectories
# ------------------------------------------------------------------------------------------------


def _f(value) -> float | None:
    return None if value is None else float(value)


def _trajectory_summary(traj, basis: str) -> dict:
    return {
        "basis": basis,
        "n": len(traj.observations),
        "last_year": traj.last_year,
        "last_value": traj.last_value,
        "required": traj.required_annual_change,
        "slope": traj.slope,
        "projected": traj.projected_value,
        "reaches": traj.reaches_target,
        "probability": traj.probability_of_reaching,
        "faster": traj.trend_faster_than_required,
        "lower": traj.projections[-1].lower if traj.projections else None,
        "upper": traj.projections[-1].upper if traj.projections else None,
    }


def indicator_panels(user=None) -> list[dict]:
    """For each indicator: the official and the computed national series (never merged), the
    trajectories fitted on each separately, and the chart data (trend of the longer series)."""
    indicators = list(Indicator.objects.visible_to(user).order_by("order"))
    observations = Observation.objects.visible_to(user).filter(region_code="").order_by("year")
    by_key: dict[str, dict[str, list]] = defaultdict(lambda: {"official": [], "computed": []})
    for obs in observations.select_related("indicator"):
        if obs.is_official:
            by_key[obs.indicator.key]["official"].append(obs)
        elif obs.dataset == DATASET_MICRODATA:
            by_key[obs.indicator.key]["computed"].append(obs)
    panels = []
    for ind in indicators:
        series = by_key[ind.key]
        target, target_year = float(ind.target), ind.target_year
        trajectories = {}
        for basis in ("official", "computed"):
            points = [(o.year, float(o.value)) for o in series[basis]]
            if points:
                trajectories[basis] = fit_trajectory(points, target=target, target_year=target_year)
        trend_basis = None
        if len(series["computed"]) >= 2:
            trend_basis = "computed"
        elif len(series["official"]) >= 2:
            trend_basis = "official"
        years_seen = [o.year for o in series["official"] + series["computed"]]
        first = min(years_seen, default=target_year - 8)
        years = list(range(min(first, target_year), target_year + 1))
        official = {o.year: float(o.value) for o in series["official"]}
        computed = {o.year: float(o.value) for o in series["computed"]}
        trend, lower, upper = {}, {}, {}
        if trend_basis:
            traj = trajectories[trend_basis]
            for p in traj.fitted:
                trend[p.year] = p.value
            for p in traj.projections:
                trend[p.year], lower[p.year], upper[p.year] = p.value, p.lower, p.upper
        rows = [
            {
                "year": y,
                "official": official.get(y),
                "computed": computed.get(y),
                "trend": trend.get(y),
                "lower": lower.get(y),
                "upper": upper.get(y),
            }
            for y in years
        ]
        latest_official = series["official"][-1] if series["official"] else None
        latest_computed = series["computed"][-1] if series["computed"] else None
        panels.append(
            {
                "indicator": ind,
                "official": series["official"],
                "computed": series["computed"],
                "latest_official": latest_official,
                "latest_computed": latest_computed,
                "trajectories": [
                    _trajectory_summary(trajectories[b], b)
                    for b in ("official", "computed")
                    if b in trajectories
                ],
                "trend_basis": trend_basis,
                "rows": rows,
                "chart": {
                    "key": ind.key,
                    "label": ind.label,
                    "target": target,
                    "target_year": target_year,
                    "years": [str(y) for y in years],
                    "official": [official.get(y) for y in years],
                    "computed": [computed.get(y) for y in years],
                    "trend": [trend.get(y) for y in years],
                    "lower": [lower.get(y) for y in years],
                    "upper": [upper.get(y) for y in years],
                    "trend_label": (
                        _("추세(산출값 기준)")
                        if trend_basis == "computed"
                        else _("추세(공식 통계 기준)")
                        if trend_basis == "official"
                        else ""
                    ),
                },
            }
        )
    return panels


def latest_refresh(user=None, *, done_only: bool = True) -> RefreshRun | None:
    runs = RefreshRun.objects.all() if user is None else RefreshRun.objects.visible_to(user)
    if done_only:
        runs = runs.filter(status=RefreshStatus.DONE)
    return runs.order_by("-created_at").first()


def _latest_microdata_results() -> dict:
    # The dashboard is public; the run's per-province results are public aggregates of sample data.
    run = RefreshRun.objects.filter(status=RefreshStatus.DONE).order_by("-created_at").first()
    return run.results if run else {}


# ------------------------------------------------------------------------------------------------
# participating firms' outcomes: Arrow table from one query, shares through the engine
# ------------------------------------------------------------------------------------------------


def outcomes_table(year: int | None = None) -> pa.Table:
    """Firm outcomes with a known province (of one year, or all), as an Arrow table in the
    engine's schema (one values_list query; no per-row ORM objects)."""
    qs = FirmOutcome.objects.filter(firm__region__isnull=False)
    if year is not None:
        qs = qs.filter(year=year)
    rows = qs.values_list(
        "year",
        "firm__region__code",
        "firm__size_class",
        "sales_krw",
        "direct_exports_krw",
        "indirect_exports_krw",
    )
    year, region, size, sales, direct, indirect = (
        (list(c) for c in zip(*rows, strict=True)) if rows else ([],) * 6
    )
    return pa.table(
        {
            "year": pa.array(year, pa.int16()),
            "region_code": pa.array(region, pa.string()),
            # Firms whose size class is not computed yet count as SMEs; only "non_sme" is large.
            "is_sme": pc.not_equal(pa.array(size, pa.string()), "non_sme")
            if size
            else pa.array([], pa.bool_()),
            "sales_krw": pa.array(sales, pa.int64()),
            "direct_exports_krw": pa.array(direct, pa.int64()),
            "indirect_exports_krw": pa.array(indirect, pa.int64()),
        }
    )


def outcome_years() -> list[int]:
    return sorted(set(FirmOutcome.objects.values_list("year", flat=True)))


def outcomes_by_region(year: int, table: pa.Table | None = None) -> dict[str, dict]:
    """region_code -> engine result (n_firms, sums, shares) for one year of participating firms."""
    table = outcomes_table(year) if table is None else table
    year_rows = table.filter(pc.equal(table["year"], year))
    result = {}
    for code in pc.unique(year_rows["region_code"]).to_pylist():
        part = year_rows.filter(pc.equal(year_rows["region_code"], code))
        result[code] = compute_ksme_indicators(part, year=year)
    return result


# ------------------------------------------------------------------------------------------------
# project KPIs: actual against target, rolled up
# ------------------------------------------------------------------------------------------------


def kpi_rows(user, year: int | None = None) -> list[dict]:
    """Visible KPI actuals with their target (the row's, or the proposal's for that year)."""
    from legend50.funding.models import KpiActual
    from legend50.proposals.models import ProposalKpi

    actuals = KpiActual.objects.visible_to(user).select_related(
        "project__lead_region", "project__proposal__call__program"
    )
    if year is not None:
        actuals = actuals.filter(year=year)
    actuals = list(actuals.order_by("project__lead_region__code", "project__title", "year", "kpi_key"))
    proposal_kpis = {
        (k.proposal_id, k.key): k
        for k in ProposalKpi.objects.filter(proposal_id__in={a.project.proposal_id for a in actuals})
    }
    rows = []
    for a in actuals:
        target = a.target_value
        planned = proposal_kpis.get((a.project.proposal_id, a.kpi_key))
        if target is None and planned is not None:
            target = planned.target_for(a.year)
        achievement = (a.value / target) if target not in (None, Decimal(0)) else None
        program = a.project.proposal.call.program
        rows.append(
            {
                "project": a.project,
                "region": a.project.lead_region,
                "program": program,
                "year": a.year,
                "kpi_key": a.kpi_key,
                "label": a.label or (planned.label if planned else a.kpi_key),
                "unit": a.unit or (planned.unit if planned else ""),
                "target": target,
                "value": a.value,
                "achievement": float(achievement) if achievement is not None else None,
                "met": achievement is not None and achievement >= 1,
            }
        )
    return rows


def _rollup(rows: list[dict], key) -> list[dict]:
    groups: dict = {}
    for r in rows:
        k = key(r)
        g = groups.setdefault(k, {"key": k, "n": 0, "met": 0, "with_target": 0, "sum": 0.0})
        g["n"] += 1
        if r["achievement"] is not None:
            g["with_target"] += 1
            g["sum"] += r["achievement"]
            g["met"] += r["met"]
    out = []
    for g in groups.values():
        g["mean"] = g["sum"] / g["with_target"] if g["with_target"] else None
        out.append(g)
    return out


def kpi_rollups(rows: list[dict]) -> dict[str, list[dict]]:
    by_project = _rollup(rows, lambda r: (r["project"], r["year"]))
    by_region = _rollup(rows, lambda r: (r["region"], r["year"]))
    by_program = _rollup(rows, lambda r: (r["program"], r["year"]))
    return {
        "project": sorted(
            by_project, key=lambda g: (g["key"][1], g["key"][0].lead_region.code, g["key"][0].title)
        ),
        "region": sorted(by_region, key=lambda g: (g["key"][1], g["key"][0].code)),
        "program": sorted(by_program, key=lambda g: (g["key"][1], g["key"][0].name)),
    }


def kpi_years(user) -> list[int]:
    from legend50.funding.models import KpiActual

    return sorted(set(KpiActual.objects.visible_to(user).values_list("year", flat=True)))


# ------------------------------------------------------------------------------------------------
# province tile map
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TileMetric:
    key: str
    label: str
    kind: str  # share | count | krw | ratio
    source: str  # microdata | outcomes | kpi
    note: str = ""


def tile_metrics(user) -> list[TileMetric]:
    metrics = [
        TileMetric(
            "md_sme_export_share", _("중소기업 수출 비중 (시·도 내, 표본 산출)"), "share", "microdata",
            _("표본(합성) 마이크로데이터로 산출한 값입니다."),
        ),
        TileMetric(
            "md_sme_sales_share", _("중소기업 매출 비중 (시·도 내, 표본 산출)"), "share", "microdata",
            _("표본(합성) 마이크로데이터로 산출한 값입니다."),
        ),
        TileMetric(
            "md_sales_share_of_nation", _("전국 매출액 중 시·도 비중 (표본 산출)"), "share", "microdata",
            _("표본(합성) 마이크로데이터로 산출한 값입니다."),
        ),
        TileMetric("pf_firms", _("성과 보고 참여기업 수"), "count", "outcomes", str(SUPPRESSED_NOTE)),
        TileMetric("pf_sales", _("참여기업 매출액 합계"), "krw", "outcomes", str(SUPPRESSED_NOTE)),
        TileMetric("pf_exports", _("참여기업 수출액 합계 (직접+간접)"), "krw", "outcomes", str(SUPPRESSED_NOTE)),
    ]  # fmt: skip
    if kpi_years(user):
        metrics.append(TileMetric("kpi_achievement", _("과제 성과지표 평균 달성률"), "ratio", "kpi"))
    return metrics


def _display(value, kind: str) -> str:
    from legend50.core.formatting import format_eok

    if value is None:
        return "—"
    if kind in ("share", "ratio"):
        return f"{value * 100:.1f}%"
    if kind == "krw":
        return format_eok(int(value))
    return f"{int(value):,}"


def tile_map(user, metric_key: str | None = None, year: int | None = None) -> dict:
    """The 17 provinces on the tile grid with the chosen metric's value for a year."""
    from legend50.registry.models import Region

    actor = actor_for(user)
    metrics = tile_metrics(user)
    metric = next((m for m in metrics if m.key == metric_key), metrics[0])
    values: dict[str, float | None] = {}
    counts: dict[str, int | None] = {}
    if metric.source == "microdata":
        results = _latest_microdata_results()
        years = sorted(int(y) for y in results)
        year = year if year in years else (years[-1] if years else None)
        field = metric.key.removeprefix("md_")
        for code, fig in (results.get(str(year), {}).get("regions", {}) if year else {}).items():
            values[code] = fig.get(field)
            counts[code] = fig.get("n_firms")
    elif metric.source == "outcomes":
        years = outcome_years()
        year = year if year in years else (years[-1] if years else None)
        if year is not None:
            for code, fig in outcomes_by_region(year).items():
                counts[code] = fig["n_firms"]
                values[code] = {
                    "pf_firms": fig["n_firms"],
                    "pf_sales": fig["sales_krw"],
                    "pf_exports": fig["exports_krw"],
                }[metric.key]
    else:
        years = kpi_years(user)
        year = year if year in years else (years[-1] if years else None)
        for g in _rollup(kpi_rows(user, year), lambda r: r["region"].code) if year else []:
            values[g["key"]] = g["mean"]
            counts[g["key"]] = None
    tiles = []
    for region in Region.objects.order_by("code"):
        row, col = TILE_GRID[region.code]
        value = values.get(region.code)
        n = counts.get(region.code)
        suppressed = (
            metric.source == "outcomes"
            and n is not None
            and n < MIN_GROUP_FIRMS
            and suppresses(actor, region.code)
        )
        if suppressed:
            value = None
        tiles.append(
            {
                "code": region.code,
                "name": region.name,
                "short": region.short_name,
                "row": row,
                "col": col,
                "value": value,
                "display": _display(value, metric.kind),
                "n_firms": None if suppressed else n,
                "suppressed": suppressed,
            }
        )
    shown = [t["value"] for t in tiles if t["value"] is not None]
    return {
        "metric": metric,
        "metrics": metrics,
        "year": year,
        "years": years,
        "tiles": tiles,
        "any_suppressed": any(t["suppressed"] for t in tiles),
        "chart": {
            "metric": metric.label,
            "kind": metric.kind,
            "year": year,
            "min": min(shown) if shown else 0,
            "max": max(shown) if shown else 1,
            "rows": 1 + max(r for r, _c in TILE_GRID.values()),
            "cols": 1 + max(c for _r, c in TILE_GRID.values()),
            "tiles": [
                {k: t[k] for k in ("code", "name", "short", "row", "col", "value", "display", "suppressed")}
                for t in tiles
            ],
            "suppressed_label": _("비공개"),
            "empty_label": _("자료 없음"),
        },
    }


# ------------------------------------------------------------------------------------------------
# outcomes pages
# ------------------------------------------------------------------------------------------------


def outcome_list(user, *, year: int | None = None, region: str | None = None):
    qs = FirmOutcome.objects.visible_to(user).select_related("firm__region", "project")
    if year:
        qs = qs.filter(year=year)
    if region:
        qs = qs.filter(firm__region__code=region)
    return qs.order_by("firm__region__code", "firm__name", "year")


def outcome_rollup(user, group: str) -> list[dict]:
    """Sums of the visible outcomes per (province or project) and year, computed in the database."""
    field = {"region": "firm__region__name", "project": "project__title"}[group]
    qs = (
        FirmOutcome.objects.visible_to(user)
        .values(field, "year")
        .annotate(
            n=Count("firm", distinct=True),
            sales=Sum("sales_krw"),
            direct=Sum("direct_exports_krw"),
            indirect=Sum("indirect_exports_krw"),
            employees=Sum("employees"),
            rnd=Sum("rnd_krw"),
        )
        .order_by(field, "year")
    )
    return [
        {
            "name": r[field] or (_("보고 과제 없음") if group == "project" else _("소재지 미상")),
            "year": r["year"],
            "n": r["n"],
            "sales": r["sales"] or 0,
            "exports": (r["direct"] or 0) + (r["indirect"] or 0),
            "indirect": r["indirect"] or 0,
            "employees": r["employees"],
            "rnd": r["rnd"],
        }
        for r in qs
    ]
