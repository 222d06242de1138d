"""Small evaluation worlds for tests: a call with a rubric, proposals with firms and consortium,
expert profiles for the demo expert users, pledges and assignments."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model

from legend50.accounts.demo import EXPERT_AFFILIATIONS
from legend50.firms.models import Firm
from legend50.programs.models import Call, RubricCriterion
from legend50.proposals.models import ConsortiumMember, Proposal, ProposalFirm
from legend50.registry.models import Organization, Region

from ..models import Assignment, EvaluationPanel, ExpertProfile, Pledge

CRITERIA = [
    ("need", "사업 필요성", 30, 12),
    ("plan", "추진 체계", 20, None),
    ("content", "사업 내용", 30, None),
    ("impact", "기대 효과", 20, None),
]


def call_2024(**settings) -> Call:
    call = Call.objects.get(code="legend50plus-2024")
    defaults = {"reviewers_per_proposal": 3, "coi_same_region": True, "overall_threshold": Decimal("60")}
    for key, value in (defaults | settings).items():
        setattr(call, key, value)
    call.save()
    call.criteria.exclude(key__in=[c[0] for c in CRITERIA]).delete()
    for order, (key, label, max_score, threshold) in enumerate(CRITERIA):
        RubricCriterion.objects.update_or_create(
            call=call,
            key=key,
            defaults={"label": label, "max_score": max_score, "threshold": threshold, "order": order},
        )
    return call


def firm(name: str, region_code: str, ksic: str = "C29280") -> Firm:
    region = Region.objects.get(code=region_code)
    org, _ = Organization.objects.get_or_create(name=name, kind="firm", defaults={"region": region})
    f, _ = Firm.objects.get_or_create(
        name=name, defaults={"ksic_code": ksic, "region": region, "organization": org}
    )
    return f


def proposal(
    call, region_code: str, title: str, *, firms=(), consortium=(), summary="", created_by=None
) -> Proposal:
    p = Proposal.objects.create(
        call=call,
        title=title,
        lead_region=Region.objects.get(code=region_code),
        status="submitted",
        summary=summary,
        created_by=created_by,
    )
    for f in firms:
        ProposalFirm.objects.create(proposal=p, firm=f)
    for org, role in consortium:
        ConsortiumMember.objects.create(proposal=p, organization=org, role=role)
    return p


def expert(index: int, **fields) -> ExpertProfile:
    """The profile of demo user expert-<index>, affiliated as accounts.demo made them."""
    user = get_user_model().objects.get(username=f"expert-{index}")
    name, _type, region_code = EXPERT_AFFILIATIONS[(index - 1) % len(EXPERT_AFFILIATIONS)]
    org = Organization.objects.filter(name=name).first()
    defaults = {
        "name": f"전문가{index}",
        "affiliation": org,
        "sector": "academia",
        "region": Region.objects.get(code=region_code),
        "ksic_divisions": ["29"],
        "keywords": ["스마트공장"],
        "max_load": 5,
    }
    profile, _ = ExpertProfile.objects.update_or_create(user=user, defaults=defaults | fields)
    return profile


def pledge(e: ExpertProfile, call) -> Pledge:
    from django.utils import timezone

    p, _ = Pledge.objects.get_or_create(
        expert=e,
        call=call,
        defaults={"signed_at": timezone.now(), "text_version": "test", "signed_name": e.name},
    )
    return p


def assign(e: ExpertProfile, p: Proposal) -> Assignment:
    a, _ = Assignment.objects.get_or_create(expert=e, proposal=p)
    return a


def chair(call, e: ExpertProfile) -> EvaluationPanel:
    panel, _ = EvaluationPanel.objects.update_or_create(
        call=call, defaults={"name": "평가위원회", "chair": e}
    )
    return panel
