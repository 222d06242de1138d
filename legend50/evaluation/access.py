"""Who may evaluate what: the expert's profile, conflicts (stored and automatic), the scope
extension that lets an expert reach an assigned proposal, and the panel chair.

Automatic conflicts are evaluated in the query itself, so a consortium member or participating
firm added after assignment revokes the expert's access at the very next request.
"""

from __future__ import annotations

from django.db.models import Q

from legend50.core.actors import Role

EVALUATE = "evaluate"


def expert_profile_for(user):
    """The ExpertProfile of a user (None if they have none), cached on the user for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_legend50_expert", False)
    if cached is not False:
        return cached
    from .models import ExpertProfile

    profile = ExpertProfile.objects.select_related("affiliation", "region").filter(user=user).first()
    user._legend50_expert = profile
    return profile


def conflict_q(expert_id: int, affiliation_id: int | None, region_id: int | None) -> Q:
    """Proposals (as a Q on Proposal) the expert is conflicted with, stored or automatic."""
    from legend50.proposals.models import ConsortiumMember, ProposalFirm

    from .models import Conflict

    q = Q(pk__in=Conflict.objects.filter(expert_id=expert_id, is_active=True).values("proposal_id"))
    if affiliation_id:
        q |= Q(pk__in=ConsortiumMember.objects.filter(organization_id=affiliation_id).values("proposal_id"))
        q |= Q(pk__in=ProposalFirm.objects.filter(firm__organization_id=affiliation_id).values("proposal_id"))
    if region_id:
        q |= Q(call__coi_same_region=True, lead_region_id=region_id)
    return q


def expert_conflict_q(expert) -> Q:
    return conflict_q(expert.pk, expert.affiliation_id, expert.region_id)


def expert_proposal_scope(actor, action):
    """Scope extension for proposals.Proposal: an expert may view and evaluate the proposals assigned
    to them, once they signed the call's pledge, unless a conflict exists. In blind calls "view" is not
    granted, so pages outside evaluation (which do not mask names) never serve the proposal to them;
    they read it through the evaluation pages, which mask.

    `evaluable_assignment` applies the same rule to one assignment in SQL: change both together."""
    if action not in ("view", EVALUATE) or not actor.is_authenticated or not actor.has_role(Role.EXPERT):
        return None
    from .models import Assignment, ExpertProfile, Pledge

    row = (
        ExpertProfile.objects.filter(user_id=actor.user_id)
        .values("pk", "affiliation_id", "region_id")
        .first()
    )
    if row is None:
        return None
    q = Q(pk__in=Assignment.objects.filter(expert_id=row["pk"], is_active=True).values("proposal_id"))
    q &= Q(call_id__in=Pledge.objects.filter(expert_id=row["pk"]).values("call_id"))
    q &= ~conflict_q(row["pk"], row["affiliation_id"], row["region_id"])
    if action == "view":
        q &= Q(call__blind_review=False)
    return q


# `expert_proposal_scope(..., EVALUATE)` for the proposal of an expert's own active assignment, as
# one condition on that "evaluation_assignment" row: the call's pledge is signed and no conflict
# (stored, consortium member, participating firm, same region) exists. Plain SQL (constant, no
# parameters): the check runs on every review request and costs no ORM compilation of nested
# subqueries. An expert without affiliation or region compares with NULL, which matches nothing,
# as `conflict_q` then adds no such condition. Change both together.
_EVALUABLE_SQL = " AND ".join(
    (
        'EXISTS (SELECT 1 FROM "evaluation_pledge" pl'
        ' INNER JOIN "proposals_proposal" pp ON pp."call_id" = pl."call_id"'
        ' WHERE pp."id" = "evaluation_assignment"."proposal_id"'
        ' AND pl."expert_id" = "evaluation_assignment"."expert_id")',
        'NOT EXISTS (SELECT 1 FROM "evaluation_conflict" co'
        ' WHERE co."proposal_id" = "evaluation_assignment"."proposal_id"'
        ' AND co."expert_id" = "evaluation_assignment"."expert_id" AND co."is_active")',
        'NOT EXISTS (SELECT 1 FROM "proposals_consortiummember" cm'
        ' WHERE cm."proposal_id" = "evaluation_assignment"."proposal_id" AND cm."organization_id" ='
        ' (SELECT ep."affiliation_id" FROM "evaluation_expertprofile" ep'
        ' WHERE ep."id" = "evaluation_assignment"."expert_id"))',
        'NOT EXISTS (SELECT 1 FROM "proposals_proposalfirm" pf INNER JOIN "firms_firm" fi ON fi."id" = pf."firm_id"'
        ' WHERE pf."proposal_id" = "evaluation_assignment"."proposal_id" AND fi."organization_id" ='
        ' (SELECT ep."affiliation_id" FROM "evaluation_expertprofile" ep'
        ' WHERE ep."id" = "evaluation_assignment"."expert_id"))',
        'NOT EXISTS (SELECT 1 FROM "proposals_proposal" pr INNER JOIN "programs_call" ca ON ca."id" = pr."call_id"'
        ' WHERE pr."id" = "evaluation_assignment"."proposal_id" AND ca."coi_same_region" AND pr."lead_region_id" ='
        ' (SELECT ep."region_id" FROM "evaluation_expertprofile" ep'
        ' WHERE ep."id" = "evaluation_assignment"."expert_id"))',
    )
)


def evaluable_assignment(user, proposal_id, *, select_related=()):
    """The user's active assignment on a proposal they may evaluate now — the proposal is visible to
    them for EVALUATE (`Proposal.objects.visible_to(user, EVALUATE)`) — or None. Its `expert` is the
    user's profile (read with it, and kept for `expert_profile_for`, when not read yet).

    Usually one query: the expert's own rule (`expert_proposal_scope`: assigned, pledge signed, no
    conflict) is checked on the assignment row itself. Only when that rule refuses is the full scope
    consulted (other roles of the same user may grant EVALUATE), exactly as before."""
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    from legend50.core.actors import actor_for
    from legend50.proposals.models import Proposal

    from .models import Assignment

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    profile = getattr(user, "_legend50_expert", False)  # False: not read yet in this request
    if profile is None:
        return None
    rows = []
    if actor_for(user).has_role(Role.EXPERT):
        if profile is False:
            mine = Assignment.objects.filter(expert__user=user).select_related(
                "expert__affiliation", "expert__region"
            )
        else:
            mine = Assignment.objects.filter(expert=profile)
        # (expert, proposal) is unique: no ordering, so the pair's unique index answers it.
        rows = list(
            mine.filter(proposal_id=proposal_id, is_active=True)
            .filter(RawSQL(_EVALUABLE_SQL, (), output_field=BooleanField()))  # noqa: S611 (constant SQL)
            .select_related(*select_related)
            .order_by()[:1]
        )
        if rows and profile is False:
            user._legend50_expert = profile = rows[0].expert
    if not rows:
        profile = expert_profile_for(user)
        if profile is None or not Proposal.objects.visible_to(user, EVALUATE).filter(pk=proposal_id).exists():
            return None
        rows = list(
            Assignment.objects.filter(expert=profile, proposal_id=proposal_id, is_active=True)
            .select_related(*select_related)
            .order_by()[:1]
        )
    if not rows:
        return None
    rows[0].expert = profile
    return rows[0]


def is_conflicted(expert, proposal) -> bool:
    from legend50.proposals.models import Proposal

    return Proposal.objects.filter(pk=proposal.pk).filter(expert_conflict_q(expert)).exists()


def is_chair(user, call) -> bool:
    profile = expert_profile_for(user)
    if profile is None:
        return False
    from .models import EvaluationPanel

    return EvaluationPanel.objects.filter(call=call, chair=profile).exists()


def chaired_calls(user):
    from legend50.programs.models import Call

    profile = expert_profile_for(user)
    if profile is None:
        return Call.objects.none()
    return Call.objects.filter(evaluation_panel__chair=profile)


def automatic_conflicts(call, experts, proposals) -> dict[tuple[int, int], tuple[str, str]]:
    """(expert id, proposal id) -> (source, reason) for every automatic conflict in the call."""
    from legend50.proposals.models import ConsortiumMember, ProposalFirm

    from .choices import ConflictSource

    by_org: dict[int, list] = {}
    for expert in experts:
        if expert.affiliation_id:
            by_org.setdefault(expert.affiliation_id, []).append(expert)
    proposal_ids = [p.pk for p in proposals]
    found: dict[tuple[int, int], tuple[str, str]] = {}
    members = ConsortiumMember.objects.filter(proposal_id__in=proposal_ids, organization_id__in=list(by_org))
    for member in members.select_related("organization"):
        for expert in by_org[member.organization_id]:
            found[(expert.pk, member.proposal_id)] = (
                ConflictSource.AUTO_ORGANIZATION,
                f"소속기관 {member.organization.name}이(가) 컨소시엄 참여기관({member.get_role_display()})",
            )
    firms = ProposalFirm.objects.filter(proposal_id__in=proposal_ids, firm__organization_id__in=list(by_org))
    for link in firms.select_related("firm"):
        for expert in by_org[link.firm.organization_id]:
            found.setdefault(
                (expert.pk, link.proposal_id),
                (ConflictSource.AUTO_ORGANIZATION, f"소속기관이 참여기업 {link.firm.name}"),
            )
    if call.coi_same_region:
        for proposal in proposals:
            for expert in experts:
                if expert.region_id and expert.region_id == proposal.lead_region_id:
                    found.setdefault(
                        (expert.pk, proposal.pk),
                        (
                            ConflictSource.AUTO_REGION,
                            f"평가위원 활동 지역이 주관 시·도({proposal.lead_region.name})와 같음",
                        ),
                    )
    return found
