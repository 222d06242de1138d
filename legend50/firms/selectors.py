"""Reads for the firm registry, already narrowed to what the user may see."""

from django.db.models import Q

from .models import Firm, ImportJob


def firm_list(user, params=None):
    params = params or {}
    firms = Firm.objects.visible_to(user, "view").select_related("region")
    q = str(params.get("q") or "").strip()
    if q:
        digits = q.replace("-", "").replace(" ", "")
        cond = Q(name__icontains=q) | Q(aliases__icontains=q)
        if digits.isdigit():
            cond |= Q(brn__startswith=digits)
        firms = firms.filter(cond)
    if params.get("region"):
        firms = firms.filter(region__code=params["region"])
    if params.get("size") in ("small", "medium", "non_sme"):
        firms = firms.filter(size_class=params["size"])
    elif params.get("size") == "unknown":
        firms = firms.filter(size_class="")
    return firms.order_by("name", "pk")


def firm_page(user, firm: Firm) -> dict:
    """The one-stop firm page: financials, projects, every support received."""
    from legend50.support.models import ProjectParticipation, SupportAward

    from .services import certificate_status

    financials = list(firm.financials.order_by("year"))
    participations = (
        ProjectParticipation.objects.visible_to(user, "view")
        .filter(firm=firm)
        .select_related("project__lead_region")
        .order_by("-created_at")
    )
    awards = (
        SupportAward.objects.visible_to(user, "view")
        .filter(firm=firm)
        .select_related("instrument__operator", "project")
        .order_by("-awarded_on")
    )
    chart = {
        "years": [f.year for f in financials],
        "sales": [f.sales_krw for f in financials],
        "direct_exports": [f.direct_exports_krw for f in financials],
        "indirect_exports": [f.indirect_exports_krw for f in financials],
        "employees": [f.employees for f in financials],
    }
    total_support = sum(a.amount_krw for a in awards if a.status == "recorded")
    return {
        "financials": financials,
        "participations": participations,
        "awards": awards,
        "total_support": total_support,
        "chart": chart,
        "cert": certificate_status(firm),
        "can_change": Firm.objects.visible_to(user, "change").filter(pk=firm.pk).exists(),
    }


def import_jobs(user):
    return ImportJob.objects.visible_to(user, "view").select_related("created_by")
