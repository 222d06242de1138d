"""Everything selection and funding read from other apps' proposal data, in one place.

The proposals app owns budget lines and KPI targets and the evaluation app owns reviews; these
adapters are the only code that knows their shape, so a change there changes only this file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from legend50.proposals.models import Proposal, ProposalStatus

# Statuses of proposals that reached evaluation: the candidates of a selection round.
CANDIDATE_STATUSES = (
    ProposalStatus.UNDER_REVIEW,
    ProposalStatus.SELECTED,
    ProposalStatus.RESERVE,
    ProposalStatus.NOT_SELECTED,
)


def _related_rows(proposal, *names):
    for name in names:
        manager = getattr(proposal, name, None)
        if manager is not None and hasattr(manager, "all"):
            return list(manager.all())
    return []


def _first_attr(obj, *names, default=None):
    for name in names:
        if hasattr(obj, name):
            return getattr(obj, name)
    return default


def requested_costs(proposal) -> dict[tuple[int, str], int]:
    """The proposal's requested money per (year, source) in won, summed over budget categories."""
    out: dict[tuple[int, str], int] = defaultdict(int)
    for line in _related_rows(proposal, "budget_lines"):
        amount = _first_attr(line, "amount_krw", "amount", default=0) or 0
        out[(int(line.year), str(line.source))] += int(amount)
    return dict(out)


@dataclass(frozen=True)
class KpiTarget:
    key: str
    label: str
    unit: str
    year: int | None
    target: Decimal | None


def kpi_targets(proposal) -> list[KpiTarget]:
    """The proposal's KPI targets, one per (key, year) (proposals.ProposalKpi: key, label, unit,
    targets = {"2024": "120", ...})."""
    rows = []
    for kpi in _related_rows(proposal, "kpis"):
        targets = getattr(kpi, "targets", None) or {}
        for year, value in sorted(targets.items()):
            try:
                target = Decimal(str(value)) if value not in (None, "") else None
            except ArithmeticError:
                target = None
            rows.append(
                KpiTarget(
                    key=str(kpi.key),
                    label=str(kpi.label),
                    unit=str(kpi.unit or ""),
                    year=int(year),
                    target=target,
                )
            )
        if not targets:
            rows.append(
                KpiTarget(
                    key=str(kpi.key), label=str(kpi.label), unit=str(kpi.unit or ""), year=None, target=None
                )
            )
    return sorted(rows, key=lambda r: (r.key, r.year or 0))


@dataclass
class ReviewSummary:
    """A province's view of its proposal's evaluation: scores per criterion and comments, with the
    experts anonymised as 위원 A, B, ..."""

    final_score: Decimal | None
    rank: int | None
    reviewers: list[dict] = field(
        default_factory=list
    )  # [{"name": "위원 A", "scores": [...], "comment": ...}]
    available: bool = False


def review_summary(proposal) -> ReviewSummary:
    """Submitted reviews of the proposal (evaluation.Review via its Assignment), experts anonymised
    in a stable order; without the evaluation app, scores only."""
    summary = ReviewSummary(final_score=proposal.final_score, rank=proposal.rank)
    try:
        from legend50.evaluation.models import Review
    except ImportError:
        return summary
    try:
        reviews = list(
            Review.objects.filter(assignment__proposal=proposal, status="submitted").order_by("assignment_id")
        )
    except Exception:  # noqa: BLE001 - the evaluation schema is not ours; show scores only
        return summary
    for index, review in enumerate(reviews):
        letter = chr(ord("A") + index) if index < 26 else str(index + 1)
        summary.reviewers.append(
            {
                "name": f"위원 {letter}",
                "total": review.total,
                "scores": dict(review.scores or {}),
                "comment": review.comment or "",
            }
        )
    summary.available = bool(summary.reviewers)
    return summary


@dataclass
class Candidate:
    proposal: Proposal
    costs: dict[tuple[int, str], int]

    @property
    def pk(self) -> int:
        return self.proposal.pk

    @property
    def region_code(self) -> str:
        return self.proposal.lead_region.code

    @property
    def region_group(self) -> str:
        return self.proposal.lead_region.group

    @property
    def score(self) -> Decimal | None:
        return self.proposal.final_score

    @property
    def passes(self) -> bool | None:
        return self.proposal.passes_thresholds

    @property
    def total_request(self) -> int:
        return sum(self.costs.values())


def call_candidates(call) -> list[Candidate]:
    """Proposals of a call that reached evaluation, best score first (unscored last)."""
    proposals = (
        Proposal.objects.filter(call=call, status__in=CANDIDATE_STATUSES)
        .select_related("lead_region")
        .order_by("rank", "lead_region__code", "pk")
    )
    proposals = proposals.prefetch_related("budget_lines")
    rows = [Candidate(p, requested_costs(p)) for p in proposals]
    rows.sort(key=lambda c: (c.score is None, -(c.score or 0), c.proposal.rank or 10**9, c.pk))
    return rows
