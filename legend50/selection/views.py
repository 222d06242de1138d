from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from legend50.core.actors import actor_for
from legend50.core.errors import ApplicationError, ValidationFailed
from legend50.core.formatting import KST
from legend50.core.scoping import get_visible_or_404
from legend50.programs.models import Call, CallBudget
from legend50.registry.models import Region

from . import selectors, services
from .candidates import call_candidates, review_summary
from .models import Decision, DecisionItem, DecisionStatus, Objection, ObjectionResult, Outcome
from .round import GROUP_LABELS, GROUP_ORDER, compute_round, dimensions, parse_parameters


def _staff_or_404(request):
    actor = actor_for(request.user)
    if not actor.reads_everything:
        raise Http404("not found")
    return actor


def _call(request, code):
    return get_visible_or_404(Call.objects.select_related("program"), request, code=code)


def _errors_to_messages(request, exc: ApplicationError):
    messages.error(request, exc.message)
    for field_errors in getattr(exc, "errors", {}).values():
        for msg in field_errors:
            messages.error(request, msg)


@login_required
def index(request):
    actor = _staff_or_404(request)
    calls = Call.objects.visible_to(request.user).order_by("-start_year")
    decisions = selectors.decision_list(request.user)
    return render(
        request,
        "selection/index.html",
        {
            "calls": calls,
            "decisions": decisions,
            "actor": actor,
            "objections": selectors.objection_list(request.user)[:20],
        },
    )


@login_required
def round_view(request, code):
    actor = _staff_or_404(request)
    call = _call(request, code)
    candidates = call_candidates(call)
    dims = dimensions(call, candidates)
    params, errors = parse_parameters(call, request.GET, candidates, dims)
    result = compute_round(call, params, candidates=candidates) if not errors else None
    call_budgets = {(b.year, b.source): b.amount_krw for b in CallBudget.objects.filter(call=call)}
    regions = list(Region.objects.order_by("code"))
    counts = {}
    for c in candidates:
        counts[c.region_code] = counts.get(c.region_code, 0) + 1
    context = {
        "call": call,
        "dims": dims,
        "params": params,
        "errors": errors,
        "result": result,
        "candidates": candidates,
        "regions": [
            (r, counts.get(r.code, 0), params.province_min.get(r.code), params.province_max.get(r.code))
            for r in regions
        ],
        "groups": [
            (g, GROUP_LABELS[g], params.group_min.get(g), params.group_max.get(g)) for g in GROUP_ORDER
        ],
        "budget_fields": [(d, params.budgets.get(d), call_budgets.get((d.year, d.source))) for d in dims],
        "query": urlencode(params.as_query()),
        "can_propose": actor.is_ministry,
        "pending": Decision.objects.filter(call=call, status=DecisionStatus.PROPOSED).first(),
        "approved": selectors.approved_decision(call),
    }
    htmx = bool(request.headers.get("HX-Request"))
    context["oob"] = htmx and actor.is_ministry and not context["approved"]
    template = "selection/_round_result.html" if htmx else "selection/round.html"
    return render(request, template, context)


@login_required
@require_POST
def decision_propose(request, code):
    _staff_or_404(request)
    call = _call(request, code)
    try:
        decision = services.decision_propose(
            call=call, data=request.POST, rationale=request.POST.get("rationale", ""), by=request.user
        )
    except ApplicationError as exc:
        _errors_to_messages(request, exc)
        query = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "rationale")}
        return redirect(reverse("selection:round", args=[call.code]) + "?" + urlencode(query))
    messages.success(request, _("선정 결정을 상신했습니다. 다른 중기부 관리자의 승인이 필요합니다."))
    return redirect("selection:decision", decision.pk)


@login_required
def decision_detail(request, pk):
    decision = get_visible_or_404(
        Decision.objects.select_related("call", "proposed_by", "approved_by"), request, pk=pk
    )
    actor = actor_for(request.user)
    items = decision.items.select_related("proposal__lead_region").order_by(
        "outcome", "reserve_order", "-score"
    )
    grouped = {o: [i for i in items if i.outcome == o] for o in Outcome.values}
    pending = decision.status == DecisionStatus.PROPOSED
    return render(
        request,
        "selection/decision_detail.html",
        {
            "decision": decision,
            "items": items,
            "grouped": grouped,
            "outcomes": Outcome.choices,
            "sections": [(value, label, grouped[value]) for value, label in Outcome.choices],
            "can_edit": pending and actor.is_ministry,
            "can_approve": pending and actor.is_ministry_admin and decision.proposed_by_id != request.user.pk,
            "is_proposer": decision.proposed_by_id == request.user.pk,
            "round_query": urlencode(decision.parameters),
            "projects": decision.projects.all() if decision.status == DecisionStatus.APPROVED else [],
        },
    )


def _post_action(request, fn, success, redirect_to):
    try:
        fn()
    except ApplicationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, success)
    return redirect_to


@login_required
@require_POST
def decision_item_update(request, pk):
    item = get_visible_or_404(
        DecisionItem.objects.select_related("decision", "proposal"), request, "change", pk=pk
    )
    return _post_action(
        request,
        lambda: services.decision_item_update(
            item=item,
            outcome=request.POST.get("outcome", ""),
            rationale=request.POST.get("rationale", ""),
            by=request.user,
        ),
        _("항목을 고쳤습니다: %(title)s") % {"title": item.proposal.title},
        redirect("selection:decision", item.decision_id),
    )


@login_required
@require_POST
def decision_approve(request, pk):
    decision = get_visible_or_404(Decision, request, "change", pk=pk)
    return _post_action(
        request,
        lambda: services.decision_approve(
            decision=decision, by=request.user, note=request.POST.get("note", "")
        ),
        _("선정 결정을 승인했습니다. 제안 상태가 바뀌고 시·도에 알렸으며 결과가 공개되었습니다."),
        redirect("selection:decision", decision.pk),
    )


@login_required
@require_POST
def decision_reject(request, pk):
    decision = get_visible_or_404(Decision, request, "change", pk=pk)
    return _post_action(
        request,
        lambda: services.decision_reject(
            decision=decision, by=request.user, note=request.POST.get("note", "")
        ),
        _("선정 결정을 반려했습니다."),
        redirect("selection:decision", decision.pk),
    )


@login_required
@require_POST
def decision_withdraw(request, pk):
    decision = get_visible_or_404(Decision, request, "change", pk=pk)
    return _post_action(
        request,
        lambda: services.decision_withdraw(decision=decision, by=request.user),
        _("선정 결정을 철회했습니다."),
        redirect("selection:decision", decision.pk),
    )


def results(request, code):
    """Public results: the selected projects of the call's approved decision."""
    call = _call(request, code)
    decision, items = selectors.public_results(request.user, call)
    if decision is None:
        raise Http404("no results")
    return render(request, "selection/results.html", {"call": call, "decision": decision, "items": items})


@login_required
def my_results(request, code):
    """A province's own proposals: outcome, scores and (anonymised) comments, and objections."""
    call = _call(request, code)
    decision, items = selectors.own_results(request.user, call)
    if decision is None:
        raise Http404("no results")
    actor = actor_for(request.user)
    if not (actor.reads_everything or actor.region_codes):
        raise Http404("not found")
    rows = [(item, review_summary(item.proposal)) for item in items]
    return render(
        request,
        "selection/my_results.html",
        {
            "call": call,
            "decision": decision,
            "rows": rows,
            "deadline": services.objection_deadline(decision),
            "open": services.objection_deadline(decision) is not None
            and services.objection_deadline(decision) >= timezone.now().astimezone(KST).date(),
            "can_object": actor.has_role("province_officer"),
        },
    )


@login_required
@require_POST
def objection_file(request, item_pk):
    item = get_visible_or_404(
        DecisionItem.objects.select_related("decision__call"), request, "change", pk=item_pk
    )
    try:
        objection = services.objection_file(item=item, text=request.POST.get("text", ""), by=request.user)
    except ApplicationError as exc:
        _errors_to_messages(request, exc)
        return redirect("selection:my_results", item.decision.call.code)
    messages.success(request, _("이의신청을 접수했습니다."))
    return redirect("selection:objection", objection.pk)


@login_required
def objection_detail(request, pk):
    objection = get_visible_or_404(
        Objection.objects.select_related(
            "item__proposal__lead_region", "item__decision__call", "filed_by", "answered_by"
        ),
        request,
        pk=pk,
    )
    actor = actor_for(request.user)
    if request.method == "POST":
        if not actor.is_ministry:
            raise Http404("not found")
        try:
            services.objection_answer(
                objection=objection,
                answer=request.POST.get("answer", ""),
                result=request.POST.get("result", ""),
                by=request.user,
            )
        except ValidationFailed as exc:
            _errors_to_messages(request, exc)
        except ApplicationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("답변을 등록했습니다."))
        return redirect("selection:objection", objection.pk)
    return render(
        request,
        "selection/objection_detail.html",
        {
            "objection": objection,
            "can_answer": actor.is_ministry and objection.status == "filed",
            "results": [c for c in ObjectionResult.choices if c[0]],
            "summary": review_summary(objection.item.proposal),
        },
    )


def latest_results(request):
    calls = selectors.calls_with_results(request.user)
    if not calls:
        return render(request, "selection/no_results.html", status=200)
    return redirect("selection:results", calls[0].code)
