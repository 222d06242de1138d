"""Funding reads, scoped: a province sees its own projects' money, the ministry and auditors all."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from legend50.programs.models import EnvelopeKind, FundingSource, Program, ProgramEnvelope
from legend50.registry.models import Region

from .models import Allocation, Project

SOURCES = [s.value for s in FundingSource]
SOURCE_LABELS = dict(FundingSource.choices)


def project_list(user):
    return Project.objects.visible_to(user).select_related("lead_region", "proposal__call")


def allocations_for(user, project, action="view"):
    return Allocation.objects.visible_to(user, action).filter(project=project).order_by("year", "source")


def money_visible(user, project) -> bool:
    return Project.objects.visible_to(user, "view_money").filter(pk=project.pk).exists()


def allocation_grid(allocations) -> dict:
    """{year: {"rows": [alloc...], "total": {...}}} and grand totals, for the project page."""
    years: dict[int, dict] = {}
    for a in allocations:
        y = years.setdefault(a.year, {"rows": [], "requested": 0, "amount": 0, "carried": 0, "disbursed": 0})
        y["rows"].append(a)
        y["requested"] += a.requested_krw
        y["amount"] += a.amount_krw
        y["carried"] += a.carried_in_krw
        y["disbursed"] += a.disbursed_krw
    return dict(sorted(years.items()))


@dataclass
class BoardCell:
    planned: int = 0
    allocated: int = 0
    disbursed: int = 0


@dataclass
class Board:
    program: Program | None
    years: list[int]
    rows: list[dict]  # {"year", "source", "region", "cell"}
    totals: dict = field(default_factory=dict)  # (year, source) -> BoardCell
    year_totals: dict = field(default_factory=dict)  # year -> BoardCell
    envelopes: list[dict] = field(default_factory=list)
    scoped: bool = False


def budget_board(user, program: Program | None = None, year: int | None = None) -> Board:
    """Year × source × province: planned (the selected projects' requests) vs allocated vs disbursed,
    summed in the database from allocations the user may see, with the program envelope beside."""
    allocs = Allocation.objects.visible_to(user, "view")
    if program is not None:
        allocs = allocs.filter(project__proposal__call__program=program)
    if year:
        allocs = allocs.filter(year=year)
    grouped = (
        allocs.values("year", "source", "project__lead_region__code")
        .annotate(planned=Sum("requested_krw"), allocated=Sum("amount_krw"), disbursed=Sum("disbursed_krw"))
        .order_by("year", "source", "project__lead_region__code")
    )
    regions = {r.code: r for r in Region.objects.all()}
    rows = []
    totals: dict = defaultdict(BoardCell)
    year_totals: dict = defaultdict(BoardCell)
    for g in grouped:
        cell = BoardCell(g["planned"] or 0, g["allocated"] or 0, g["disbursed"] or 0)
        rows.append(
            {
                "year": g["year"],
                "source": g["source"],
                "source_label": SOURCE_LABELS.get(g["source"], g["source"]),
                "region": regions.get(g["project__lead_region__code"]),
                "cell": cell,
            }
        )
        for bucket in (totals[(g["year"], g["source"])], year_totals[g["year"]]):
            bucket.planned += cell.planned
            bucket.allocated += cell.allocated
            bucket.disbursed += cell.disbursed
    rank = {src: i for i, src in enumerate(SOURCES)}
    rows.sort(key=lambda r: (r["year"], rank.get(r["source"], 9), r["region"].code if r["region"] else ""))
    totals = dict(sorted(totals.items(), key=lambda kv: (kv[0][0], rank.get(kv[0][1], 9))))
    years = sorted(year_totals)
    envelopes = []
    if program is not None:
        for env in ProgramEnvelope.objects.filter(program=program).order_by("year", "kind", "source"):
            if year and env.year != year:
                continue
            if env.source:
                actual = totals.get((env.year, env.source), BoardCell())
            else:
                yt = year_totals.get(env.year, BoardCell())
                nat = totals.get((env.year, FundingSource.NATIONAL), BoardCell())
                loc = totals.get((env.year, FundingSource.LOCAL), BoardCell())
                actual = BoardCell(
                    nat.planned + loc.planned, nat.allocated + loc.allocated, nat.disbursed + loc.disbursed
                )
                del yt
            envelopes.append(
                {
                    "envelope": env,
                    "label": env.get_kind_display(),
                    "source_label": SOURCE_LABELS.get(env.source, "") or "국비+지방비",
                    "allocated": actual.allocated,
                    "difference": actual.allocated - env.amount_krw,
                    "is_plan": env.kind == EnvelopeKind.PLANNED,
                }
            )
        envelopes.sort(
            key=lambda e: (e["envelope"].year, not e["is_plan"], rank.get(e["envelope"].source, -1))
        )
    from legend50.core.actors import actor_for

    return Board(
        program=program,
        years=years,
        rows=rows,
        totals=dict(totals),
        year_totals=dict(year_totals),
        envelopes=envelopes,
        scoped=not actor_for(user).reads_everything,
    )
