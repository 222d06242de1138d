"""Reads of proposals, always through `visible_to` (lists, exports and single records alike)."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from legend50.registry.models import Region

from .choices import KSIC_SECTION_LABELS
from .models import BudgetLine, Proposal, ProposalFirm, ProposalStatus

SORTS = {
    "title": "title",
    "-title": "-title",
    "region": "lead_region__code",
    "-region": "-lead_region__code",
    "status": "status",
    "-status": "-status",
    "updated": "updated_at",
    "-updated": "-updated_at",
    "score": "final_score",
    "-score": "-final_score",
    "budget": "budget_total",
    "-budget": "-budget_total",
}
DEFAULT_SORT = "region"


def proposal_list(user, action="view"):
    return Proposal.objects.visible_to(user, action).select_related("call", "lead_region")


def filtered(user, params, action="view"):
    """The list (or export) for the given filters: call, region, status, industry, region group, q."""
    budget = (
        BudgetLine.objects.filter(proposal=OuterRef("pk"))
        .values("proposal")
        .annotate(s=Sum("amount_krw"))
        .values("s")
    )
    firms = (
        ProposalFirm.objects.filter(proposal=OuterRef("pk"))
        .values("proposal")
        .annotate(c=Count("pk"))
        .values("c")
    )
    rows = proposal_list(user, action).annotate(
        budget_total=Coalesce(Subquery(budget, output_field=IntegerField()), Value(0)),
        firm_count=Coalesce(Subquery(firms, output_field=IntegerField()), Value(0)),
    )
    call = params.get("call", "")
    if call:
        rows = rows.filter(call__code=call)
    region = params.get("region", "")
    if region:
        rows = rows.filter(lead_region__code=region)
    status = params.get("status", "")
    if status in ProposalStatus.values:
        rows = rows.filter(status=status)
    industry = params.get("industry", "")
    if industry in KSIC_SECTION_LABELS:
        rows = rows.filter(ksic_section=industry)
    group = params.get("group", "")
    if group:
        rows = rows.filter(lead_region__group=group)
    q = (params.get("q") or "").strip()
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    sort = params.get("sort") or DEFAULT_SORT
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    return rows.order_by(order, "lead_region__code", "title", "pk")


def filter_choices(user):
    from legend50.programs.models import Call
    from legend50.registry.choices import RegionGroup

    return {
        "calls": Call.objects.visible_to(user).order_by("-opens_at"),
        "regions": Region.objects.order_by("code"),
        "statuses": ProposalStatus.choices,
        "industries": sorted(KSIC_SECTION_LABELS.items()),
        "groups": RegionGroup.choices,
    }
