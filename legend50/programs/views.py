from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from legend50.core.actors import actor_for
from legend50.core.errors import ApplicationError
from legend50.core.scoping import get_visible_or_404

from . import selectors, services
from .models import Call, FundingSource, Program


def program_list(request):
    return render(request, "programs/program_list.html", {"programs": selectors.program_list(request.user)})


def program_detail(request, code):
    program = get_visible_or_404(Program, request, code=code)
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "calls": selectors.call_list(request.user, program),
            "can_create_call": actor_for(request.user).is_ministry,
        },
    )


def call_detail(request, code, call_code):
    call = get_visible_or_404(
        Call.objects.select_related("program"), request, code=call_code, program__code=code
    )
    budgets = list(call.budgets.all())
    years = call.years
    table = []
    for year in years:
        row = {"year": year, "values": [], "total": 0}
        for source, _label in FundingSource.choices:
            amount = sum(b.amount_krw for b in budgets if b.year == year and b.source == source)
            row["values"].append(amount)
            row["total"] += amount
        table.append(row)
    return render(
        request,
        "programs/call_detail.html",
        {
            "call": call,
            "program": call.program,
            "criteria": call.criteria.all(),
            "budget_table": table,
            "sources": FundingSource.choices,
            "can_edit": actor_for(request.user).is_ministry,
            "now": timezone.now(),
        },
    )


def _posted(request):
    data = {
        k: request.POST.get(k, "")
        for k in (
            "code",
            "title",
            "description",
            "opens_at",
            "closes_at",
            "start_year",
            "end_year",
            "max_proposals_per_province",
            "min_innovation_institutions",
            "reviewers_per_proposal",
            "objection_days",
            "min_local_share_percent",
            "overall_threshold",
        )
    }
    for flag in (
        "require_local_government_lead",
        "require_regional_office",
        "blind_review",
        "coi_same_region",
        "is_public",
    ):
        data[flag] = flag in request.POST
    count = min(int(request.POST.get("criteria-count", "0") or 0), 40)
    criteria = [
        {
            k: request.POST.get(f"criteria-{i}-{k}", "")
            for k in ("key", "label", "description", "max_score", "weight", "threshold")
        }
        for i in range(count)
    ]
    bcount = min(int(request.POST.get("budget-count", "0") or 0), 100)
    budgets = [
        {k: request.POST.get(f"budget-{i}-{k}", "") for k in ("year", "source", "amount")}
        for i in range(bcount)
    ]
    return data, criteria, budgets


def _initial(call):
    if call is None:
        years = [timezone.localdate().year + 1 + i for i in range(3)]
        data = {
            "code": "",
            "title": "",
            "description": "",
            "opens_at": "",
            "closes_at": "",
            "start_year": years[0],
            "end_year": years[-1],
            "max_proposals_per_province": 3,
            "min_innovation_institutions": 1,
            "reviewers_per_proposal": 5,
            "objection_days": 7,
            "min_local_share_percent": "30",
            "overall_threshold": "60",
            "require_local_government_lead": True,
            "require_regional_office": True,
            "blind_review": False,
            "coi_same_region": True,
            "is_public": True,
        }
        return data, [], [{"year": y, "source": s, "amount": ""} for y in years for s in FundingSource.values]
    kst = timezone.get_default_timezone()
    data = {
        "code": call.code,
        "title": call.title,
        "description": call.description,
        "opens_at": call.opens_at.astimezone(kst).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": call.closes_at.astimezone(kst).strftime("%Y-%m-%dT%H:%M"),
        "start_year": call.start_year,
        "end_year": call.end_year,
        "max_proposals_per_province": call.max_proposals_per_province,
        "min_innovation_institutions": call.min_innovation_institutions,
        "reviewers_per_proposal": call.reviewers_per_proposal,
        "objection_days": call.objection_days,
        "min_local_share_percent": f"{call.min_local_share_bp / 100:g}",
        "overall_threshold": call.overall_threshold if call.overall_threshold is not None else "",
        "require_local_government_lead": call.require_local_government_lead,
        "require_regional_office": call.require_regional_office,
        "blind_review": call.blind_review,
        "coi_same_region": call.coi_same_region,
        "is_public": call.is_public,
    }
    criteria = [
        {
            "key": c.key,
            "label": c.label,
            "description": c.description,
            "max_score": c.max_score.normalize(),
            "weight": c.weight.normalize(),
            "threshold": c.threshold.normalize() if c.threshold is not None else "",
        }
        for c in call.criteria.all()
    ]
    existing = {(b.year, b.source): b.amount_krw for b in call.budgets.all()}
    budgets = [
        {"year": y, "source": s, "amount": existing.get((y, s), "")}
        for y in call.years
        for s in FundingSource.values
    ]
    return data, criteria, budgets


@login_required
def call_edit(request, code, call_code=None):
    if not actor_for(request.user).is_ministry:
        raise Http404
    program = get_visible_or_404(Program, request, "change", code=code)
    call = None
    if call_code:
        call = get_visible_or_404(Call, request, "change", code=call_code, program=program)
    error = None
    status = 200
    if request.method == "POST":
        data, criteria, budgets = _posted(request)
        try:
            saved = services.call_save(
                program=program, data=data, criteria=criteria, budgets=budgets, call=call, by=request.user
            )
        except ApplicationError as exc:
            error = {
                "message": exc.message,
                "errors": [m for v in getattr(exc, "errors", {}).values() for m in v],
            }
            status = exc.status
        else:
            messages.success(request, _("공모를 저장했습니다."))
            return HttpResponseRedirect(reverse("programs:call_detail", args=[program.code, saved.code]))
    else:
        data, criteria, budgets = _initial(call)
    criteria = list(criteria) + [
        {"key": "", "label": "", "description": "", "max_score": "", "weight": "1", "threshold": ""}
        for _i in range(2)
    ]
    return render(
        request,
        "programs/call_form.html",
        {
            "program": program,
            "call": call,
            "data": data,
            "criteria": criteria,
            "budgets": budgets,
            "sources": FundingSource.choices,
            "error": error,
        },
        status=status,
    )
