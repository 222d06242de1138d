"""Reads of proposals, always through `visible_to` (lists, exports and single records alike)."""

import functools
from types import SimpleNamespace

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


def _options(items, current) -> str:
    """`<option>`s of a filter (value, label), the current one selected, as the template printed them."""
    from django.utils.html import format_html, format_html_join

    return format_html_join(
        "",
        "{}",
        (
            (
                format_html('<option value="{}" selected>{}</option>', value, label)
                if value == current
                else format_html('<option value="{}" >{}</option>', value, label),
            )
            for value, label in items
        ),
    )


@functools.lru_cache(maxsize=16)
def _code_choices(language):
    """Choices that live in code (statuses, industries, region groups), translated once per language."""
    from django.utils.text import Truncator

    from legend50.registry.choices import RegionGroup

    return {
        "status": [(k, str(v)) for k, v in ProposalStatus.choices],
        "industry": [(k, f"{k} {Truncator(v).chars(14)}") for k, v in sorted(KSIC_SECTION_LABELS.items())],
        "group": [(k, str(v)) for k, v in RegionGroup.choices],
    }


def filter_options(user, params) -> dict:
    """The filter form's `<option>` lists (calls and regions read now; the rest from code)."""
    from django.utils.translation import get_language

    from legend50.programs.models import Call

    calls = Call.objects.visible_to(user).order_by("-opens_at").values_list("code", "title")
    regions = Region.objects.order_by("code").values_list("code", "name")
    code = _code_choices(get_language())
    return {
        "call": _options(calls, params.get("call")),
        "region": _options(regions, params.get("region")),
        "group": _options(code["group"], params.get("group")),
        "status": _options(code["status"], params.get("status")),
        "industry": _options(code["industry"], params.get("industry")),
    }


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


# --- the list page: one query for the page and its total, rows as plain dicts ----------------------

PAGE_SIZE = 20
STATUS_BADGES = {
    ProposalStatus.SELECTED: "ok",
    ProposalStatus.REVISION_REQUESTED: "warn",
    ProposalStatus.NOT_SELECTED: "danger",
    ProposalStatus.WITHDRAWN: "danger",
}
ROW_FIELDS = (
    "pk",
    "title",
    "is_sample",
    "status",
    "ksic_section",
    "ksic_division",
    "final_score",
    "updated_at",
    "budget_total",
    "firm_count",
    "call__title",
    "lead_region__name",
)


def _page_number(value) -> int:
    """As the paginator reads ?page=: not a number means the first page (below 1 means the last)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1


def list_page(user, params):
    """The page of the list the params ask for, as `Page` of row dicts ready to print.

    The page's rows and the total come from one query (COUNT(*) OVER ()); only a page past the end
    (or a DISTINCT scope) costs the separate COUNT the paginator would run."""
    from django.core.paginator import Page, Paginator
    from django.db.models import Window
    from django.urls import reverse
    from django.utils.translation import gettext

    from legend50.core.formatting import format_eok, format_kst
    from legend50.core.templatetags.legend50 import sample_badge

    rows = filtered(user, params)
    number = _page_number(params.get("page"))
    fetched = []
    total = None
    if number >= 1 and not rows.query.distinct:
        bottom = (number - 1) * PAGE_SIZE
        fetched = list(
            rows.annotate(total_rows=Window(Count("pk"))).values(*ROW_FIELDS, "total_rows")[
                bottom : bottom + PAGE_SIZE
            ]
        )
        if fetched:
            total = fetched[0]["total_rows"]
        elif number == 1:
            total = 0
    if total is None:
        # Past the last page or below the first (the paginator shows the last one), or a DISTINCT
        # scope (the window would count duplicates DISTINCT removes).
        paginator = Paginator(rows.values(*ROW_FIELDS), PAGE_SIZE)
        page = paginator.get_page(number)
        fetched = list(page.object_list)
    else:
        paginator = Paginator([], PAGE_SIZE)
        paginator.count = total  # cached_property: the count is known, no COUNT query
        page = Page(fetched, number, paginator)
    labels = {value: gettext(label) for value, label in ProposalStatus.choices}
    badge = sample_badge(SimpleNamespace(is_sample=True))
    marker = 2147483647
    detail = reverse("proposals:detail", args=[marker]).split(str(marker))
    page.object_list = [
        {
            "url": f"{detail[0]}{r['pk']}{detail[1]}",
            "title": r["title"],
            "sample": badge if r["is_sample"] else "",
            "call": r["call__title"],
            "region": r["lead_region__name"],
            "status": labels.get(r["status"], r["status"]),
            "badge": STATUS_BADGES.get(r["status"], "info"),
            "ksic": r["ksic_section"] + (f"-{r['ksic_division']}" if r["ksic_division"] else ""),
            "budget": format_eok(r["budget_total"] or 0),
            "firms": r["firm_count"],
            "score": "—" if r["final_score"] is None else r["final_score"],
            "updated": format_kst(r["updated_at"]),
        }
        for r in fetched
    ]
    return page
