"""Reads of the evaluation app, scoped to the user, and the call's aggregated results (through the
scoring engine — this module never averages anything itself)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from legend50.core import pagecache
from legend50.core.actors import actor_for
from legend50.engines.scoring import AggregationMethod, Criterion, ReviewScores, Rubric, aggregate
from legend50.programs.models import Call
from legend50.proposals.models import Proposal

from . import access
from .choices import ConflictSource, ReviewStatus
from .models import (
    Assignment,
    AssignmentRun,
    Conflict,
    Consensus,
    EvaluationPanel,
    ExpertProfile,
    Pledge,
    Review,
    SessionFee,
)


def expert_list(user, *, query: str = "", sector: str = "", region: str = ""):
    qs = ExpertProfile.objects.visible_to(user).select_related("affiliation", "region", "user")
    if query:
        qs = qs.filter(
            Q(name__icontains=query) | Q(affiliation__name__icontains=query) | Q(keywords__icontains=query)
        )
    if sector:
        qs = qs.filter(sector=sector)
    if region:
        qs = qs.filter(region__code=region)
    return qs.annotate(
        n_assigned=Count("assignments", filter=Q(assignments__is_active=True), distinct=True)
    ).order_by("is_sample", "name", "pk")


def calls_for(user):
    """Calls the user has evaluation business with."""
    actor = actor_for(user)
    if actor.reads_everything:
        return Call.objects.order_by("-opens_at")
    profile = access.expert_profile_for(user)
    if profile is None:
        return Call.objects.none()
    return (
        Call.objects.filter(
            Q(proposals__assignments__expert=profile, proposals__assignments__is_active=True)
            | Q(evaluation_panel__chair=profile)
        )
        .distinct()
        .order_by("-opens_at")
    )


def expert_home_calls(profile) -> list:
    """The calls an expert has evaluation business with (an active assignment, or the panel chair),
    newest first, each annotated with `is_chair`, `pledged`, `n_assigned` (their active assignments in
    the call) and `finalized` (the panel fixed the ranking). Two small queries: the counts grouped by
    call from the expert's own assignments, then the calls."""
    assigned = list(
        Assignment.objects.filter(expert=profile, is_active=True).values_list("proposal_id", flat=True)
    )
    # Only the assigned proposals are read (for their call), so other proposals' saves leave the page stored.
    pagecache.reads_within("proposals_proposal", *(f"proposal:{pk}" for pk in assigned))
    counts = dict(
        Proposal.objects.filter(pk__in=assigned).order_by().values_list("call_id").annotate(n=Count("pk"))
    )
    chaired = EvaluationPanel.objects.filter(chair=profile)
    calls = list(
        Call.objects.filter(Q(pk__in=list(counts)) | Q(pk__in=chaired.values("call_id")))
        .annotate(
            is_chair=Exists(chaired.filter(call=OuterRef("pk"))),
            pledged=Exists(Pledge.objects.filter(expert=profile, call=OuterRef("pk"))),
            finalized=Exists(EvaluationPanel.objects.filter(call=OuterRef("pk"), finalized_at__isnull=False)),
        )
        .only("pk", "code", "title", "is_sample", "opens_at")
        .order_by("-opens_at")
    )
    for call in calls:
        call.n_assigned = counts.get(call.pk, 0)
    return calls


def my_assignments(user, call):
    """The expert's active assignments in a call, each marked with whether it is open to them now."""
    profile = access.expert_profile_for(user)
    if profile is None:
        return []
    open_ids = set(
        Proposal.objects.visible_to(user, access.EVALUATE).filter(call=call).values_list("pk", flat=True)
    )
    rows = []
    assignments = (
        Assignment.objects.filter(expert=profile, proposal__call=call, is_active=True)
        .select_related("proposal__lead_region", "proposal__call")
        .order_by("proposal__lead_region__code", "proposal_id")
    )
    # No ordering: the model's default ordering would join assignments and experts for nothing.
    reviews = {r.assignment_id: r for r in Review.objects.filter(assignment__in=assignments).order_by()}
    for a in assignments:
        rows.append({"assignment": a, "open": a.proposal_id in open_ids, "review": reviews.get(a.pk)})
    return rows


def has_pledged(user, call) -> bool:
    profile = access.expert_profile_for(user)
    return profile is not None and Pledge.objects.filter(expert=profile, call=call).exists()


def runs_for(user, call):
    return AssignmentRun.objects.visible_to(user).filter(call=call).select_related("started_by")


def fees_for(user, call=None):
    qs = SessionFee.objects.visible_to(user).select_related("expert", "call")
    return qs.filter(call=call) if call is not None else qs


def conflicts_for(user, call):
    return (
        Conflict.objects.visible_to(user)
        .filter(proposal__call=call)
        .select_related("expert__affiliation", "proposal__lead_region", "created_by")
    )


def conflicted_pairs(call) -> dict[tuple[int, int], tuple[str, str]]:
    """(expert id, proposal id) -> (source, reason): automatic (live) and stored active conflicts."""
    proposals = list(Proposal.objects.filter(call=call).select_related("lead_region"))
    # The whole available pool as well as everyone assigned: the report shows every conflict honoured.
    experts = list(
        ExpertProfile.objects.filter(Q(assignments__proposal__call=call) | Q(is_available=True)).distinct()
    )
    pairs = dict(access.automatic_conflicts(call, experts, proposals))
    for c in Conflict.objects.filter(proposal__call=call, is_active=True):
        pairs.setdefault((c.expert_id, c.proposal_id), (c.source, c.reason))
    return pairs


def rubric_from_settings(settings_now: dict) -> Rubric:
    return Rubric(
        criteria=[
            Criterion(
                c["key"],
                max_score=c["max_score"],
                weight=c["weight"],
                threshold=c["threshold"],
                label=c["label"],
            )
            for c in settings_now["criteria"]
        ],
        overall_threshold=settings_now["overall_threshold"],
    )


@dataclass
class CallResults:
    call: Call
    settings: dict
    rows: list[dict]
    unreviewed: list[Proposal]
    pending_reviews: int
    excluded_for_conflict: list[tuple[str, str]]
    agreement: object = None
    expert_stats: list[dict] = field(default_factory=list)
    notes: tuple = ()

    def snapshot(self) -> dict:
        keep = (
            "rank", "proposal", "n_reviews", "n_used", "mean", "trimmed_mean", "calibrated_mean",
            "computed", "final", "method_used", "consensus_applied", "passes_thresholds",
            "failed_thresholds", "tie_broken_by", "spread",
        )  # fmt: skip
        rows = [
            {k: row[k] for k in keep} | {"criterion_means": dict(row["criterion_means"])} for row in self.rows
        ]
        a = self.agreement
        return {
            "settings": self.settings,
            "rows": rows,
            "agreement": {
                "krippendorff_alpha": a.krippendorff_alpha,
                "icc1": a.icc1,
                "icc2_1": a.icc2_1,
                "n_units": a.n_units,
            }
            if a
            else None,
            "excluded_for_conflict": self.excluded_for_conflict,
        }


def call_results(call) -> CallResults | None:
    """Aggregate the call's submitted reviews with the scoring engine under the call's fixed method;
    the calibrated column is computed alongside so the panel sees every aggregation side by side.
    Reviews by experts with a conflict on the proposal are left out (and listed)."""
    from .services import panel_settings

    settings_now = panel_settings(call)
    if not settings_now["criteria"]:
        return None
    rubric = rubric_from_settings(settings_now)
    conflicts = conflicted_pairs(call)
    reviews = list(
        Review.objects.filter(assignment__proposal__call=call, assignment__is_active=True).select_related(
            "assignment__expert", "assignment__proposal"
        )
    )
    sheets, excluded = [], []
    pending = 0
    for review in reviews:
        pair = (review.assignment.expert_id, review.assignment.proposal_id)
        if pair in conflicts:
            excluded.append((review.assignment.expert.name, review.assignment.proposal.title))
            continue
        if review.status != ReviewStatus.SUBMITTED:
            pending += 1
            continue
        sheets.append(ReviewScores(str(pair[1]), str(pair[0]), review.scores))
    # Active assignments without any review yet are pending too (conflicted ones excepted).
    started = {r.assignment_id for r in reviews}
    for a in Assignment.objects.filter(proposal__call=call, is_active=True).exclude(pk__in=started):
        if (a.expert_id, a.proposal_id) not in conflicts:
            pending += 1
    proposals = {
        p.pk: p for p in Proposal.objects.filter(call=call).select_related("lead_region").order_by("pk")
    }
    assigned_ids = set(
        Assignment.objects.filter(proposal__call=call, is_active=True).values_list("proposal_id", flat=True)
    )
    reviewed_ids = {int(s.proposal) for s in sheets}
    unreviewed = [proposals[p] for p in sorted(assigned_ids - reviewed_ids) if p in proposals]
    if not sheets:
        return CallResults(call, settings_now, [], unreviewed, pending, excluded)
    consensus = {str(c.proposal_id): c for c in Consensus.objects.filter(proposal__call=call)}
    official = aggregate(
        sheets,
        rubric,
        AggregationMethod(settings_now["method"]),
        calibrate=settings_now["calibrate"],
        tie_break=[k for k in settings_now["tie_break"] if k in rubric.keys],
        consensus={p: float(c.score) for p, c in consensus.items() if p in {s.proposal for s in sheets}},
    )
    calibrated = {
        r.proposal: r.calibrated_mean
        for r in aggregate(sheets, rubric, AggregationMethod(settings_now["method"]), calibrate=True).ranking
    }
    names = dict(
        ExpertProfile.objects.filter(pk__in={int(s.expert) for s in sheets}).values_list("pk", "name")
    )
    rows = []
    for r in official.ranking:
        row = r.as_dict()
        row["proposal_obj"] = proposals[int(r.proposal)]
        row["calibrated_display"] = (
            r.calibrated_mean if r.calibrated_mean is not None else calibrated.get(r.proposal)
        )
        row["consensus_obj"] = consensus.get(r.proposal)
        row["dropped_names"] = [names.get(int(e), e) for e in r.dropped_experts]
        rows.append(row)
    stats = [{"name": names.get(int(s.expert), s.expert), "stat": s} for s in official.expert_stats]
    return CallResults(
        call,
        settings_now,
        rows,
        unreviewed,
        pending,
        excluded,
        agreement=official.agreement,
        expert_stats=stats,
        notes=official.notes,
    )


def proposal_reviews(proposal):
    """Every active review of a proposal with its expert (for summaries; caller checks access)."""
    return (
        Review.objects.filter(assignment__proposal=proposal, assignment__is_active=True)
        .select_related("assignment__expert__affiliation")
        .order_by("assignment__expert__name")
    )


def assignment_report(call):
    """Who reviews what, each expert's load, and every conflict with proof it was honoured."""
    assignments = list(
        Assignment.objects.filter(proposal__call=call, is_active=True)
        .select_related("expert__affiliation", "expert__region", "proposal__lead_region")
        .order_by("proposal__lead_region__code", "proposal_id", "expert__name")
    )
    conflicts = conflicted_pairs(call)
    proposals = list(
        Proposal.objects.filter(call=call).select_related("lead_region").order_by("lead_region__code", "pk")
    )
    experts_in = sorted({a.expert for a in assignments}, key=lambda e: (e.name, e.pk))
    loads = {}
    for a in assignments:
        loads[a.expert_id] = loads.get(a.expert_id, 0) + 1
    by_proposal: dict[int, list] = {}
    for a in assignments:
        by_proposal.setdefault(a.proposal_id, []).append(a)
    violations = [a for a in assignments if (a.expert_id, a.proposal_id) in conflicts]
    expert_names = dict(
        ExpertProfile.objects.filter(pk__in={e for e, _p in conflicts}).values_list("pk", "name")
    )
    proposal_titles = {p.pk: p.title for p in proposals}
    conflict_rows = sorted(
        (
            {
                "expert": expert_names.get(e, e),
                "proposal": proposal_titles.get(p, p),
                "source": ConflictSource(source).label if source in ConflictSource.values else source,
                "reason": reason,
                "assigned": any(a.expert_id == e and a.proposal_id == p for a in violations),
            }
            for (e, p), (source, reason) in conflicts.items()
        ),
        key=lambda r: (str(r["proposal"]), str(r["expert"])),
    )
    return {
        "proposals": [{"proposal": p, "assignments": by_proposal.get(p.pk, [])} for p in proposals],
        "experts": [{"expert": e, "load": loads.get(e.pk, 0)} for e in experts_in],
        "conflicts": conflict_rows,
        "violations": violations,
        "quota": call.reviewers_per_proposal,
        "applied_run": AssignmentRun.objects.filter(call=call, applied_at__isnull=False)
        .order_by("-applied_at")
        .first(),
    }
