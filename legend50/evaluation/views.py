"""Thin views: parse, call a service or selector, render. Anything an expert is served goes through
`blind.proposal_view` / the proposal's masker first."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from legend50.core import pagecache
from legend50.core.actors import actor_for
from legend50.core.errors import ApplicationError, NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.core.formatting import format_kst
from legend50.core.scoping import get_visible_or_404, log_authorization_failure
from legend50.programs.models import Call
from legend50.proposals.models import Proposal
from legend50.registry.models import Organization, Region

from . import access, selectors, services
from .blind import masker_for, proposal_view
from .choices import BidLevel, ReviewStatus, RunStatus, Sector
from .exports import XLSX_TYPE, import_template_bytes, xlsx_response
from .models import Assignment, AssignmentRun, Bid, Conflict, ExpertProfile, Review, SessionFee

# --- access helpers ------------------------------------------------------------------------


def _staff(request, *, write: bool = False):
    actor = actor_for(request.user)
    if not (actor.is_ministry if write else actor.reads_everything):
        raise PermissionDenied


def _call(request, code) -> Call:
    return get_visible_or_404(Call, request, code=code)


def _panel_reader(request, call) -> bool:
    """Ministry and auditors read the panel; so does the call's chair. Returns True for the chair."""
    if actor_for(request.user).reads_everything:
        return False
    if access.is_chair(request.user, call):
        return True
    raise PermissionDenied


_REVIEW_RELATED = (
    "review",
    "proposal__call__evaluation_panel",
    "proposal__lead_region",
    "proposal__created_by",
)


def _expert_proposal(request, pk) -> tuple[Proposal, object]:
    """A proposal the requesting expert may evaluate now, and their assignment (its review and the
    call's panel loaded with it); 404 otherwise (unassigned, conflicted, pledge not signed — all alike)."""
    assignment = access.evaluable_assignment(request.user, pk, select_related=_REVIEW_RELATED)
    if assignment is not None:
        return assignment.proposal, assignment
    # Refused: the same checks as before, one by one, so the refusal is logged the same way.
    proposal = get_visible_or_404(
        Proposal.objects.select_related("call", "lead_region", "created_by"), request, access.EVALUATE, pk=pk
    )
    profile = access.expert_profile_for(request.user)
    assignment = None
    if profile is not None:
        assignment = proposal.assignments.filter(expert=profile, is_active=True).first()
    if assignment is None:
        log_authorization_failure(
            request, model="proposals.Proposal", object_ref=str(pk), action=access.EVALUATE
        )
        raise Http404("not found")
    return proposal, assignment


def _fail(request, exc: ApplicationError):
    if isinstance(exc, PermissionDeniedError):
        raise PermissionDenied(exc.message)
    if isinstance(exc, NotFoundError):
        raise Http404("not found")
    messages.error(request, exc.message)
    return getattr(exc, "errors", {}) or ({exc.field: [exc.message]} if exc.field else {})


def _blind_for(request, call) -> bool:
    """Names are masked for anyone who is not ministry staff or an auditor when the call is blind."""
    return bool(call.blind_review) and not actor_for(request.user).reads_everything


# --- home ----------------------------------------------------------------------------------


@login_required
def home(request):
    actor = actor_for(request.user)
    profile = access.expert_profile_for(request.user)
    if not actor.reads_everything and profile is None:
        raise PermissionDenied
    if not actor.reads_everything:
        # An expert: every call with its counts in one query.
        calls = [
            {
                "call": call,
                "is_chair": call.is_chair,
                "pledged": call.pledged,
                "n_assigned": call.n_assigned,
                "finalized": call.finalized,
            }
            for call in selectors.expert_home_calls(profile)
        ]
        return render(request, "evaluation/home.html", {"calls": calls, "profile": profile, "staff": False})
    calls = []
    for call in selectors.calls_for(request.user):
        entry = {"call": call, "is_chair": access.is_chair(request.user, call)}
        entry["n_proposals"] = call.proposals.filter(status__in=services.EVALUABLE).count()
        entry["n_reviews"] = Review.objects.filter(
            assignment__proposal__call=call, status=ReviewStatus.SUBMITTED
        ).count()
        entry["n_assignments"] = call.proposals.filter(assignments__is_active=True).count()
        panel = getattr(call, "evaluation_panel", None)
        entry["finalized"] = bool(panel and panel.finalized_at)
        calls.append(entry)
    return render(
        request, "evaluation/home.html", {"calls": calls, "profile": profile, "staff": actor.reads_everything}
    )


# --- expert pool ---------------------------------------------------------------------------


@login_required
def expert_list(request):
    _staff(request)
    experts = selectors.expert_list(
        request.user,
        query=request.GET.get("q", "").strip(),
        sector=request.GET.get("sector", ""),
        region=request.GET.get("region", ""),
    )
    from django.core.paginator import Paginator

    page = Paginator(experts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/expert_list.html",
        {
            "page": page,
            "sectors": Sector.choices,
            "regions": Region.objects.all(),
            "can_edit": actor_for(request.user).is_ministry,
        },
    )


def _expert_form_context(request, *, expert=None, values=None, errors=None):
    return {
        "expert": expert,
        "values": values or {},
        "errors": errors or {},
        "sectors": Sector.choices,
        "regions": Region.objects.all(),
        "organizations": Organization.objects.exclude(kind="firm").order_by("name")[:2000],
    }


def _expert_values(post) -> dict:
    return {
        "name": post.get("name", ""),
        "position": post.get("position", ""),
        "sector": post.get("sector", ""),
        "region": post.get("region", ""),
        "ksic_divisions": post.get("ksic_divisions", ""),
        "keywords": post.get("keywords", ""),
        "max_load": post.get("max_load", ""),
        "is_available": post.get("is_available") == "on",
        "availability_note": post.get("availability_note", ""),
    }


@login_required
def expert_create(request):
    _staff(request, write=True)
    values, errors = {"is_available": True, "max_load": 5}, {}
    if request.method == "POST":
        values = _expert_values(request.POST) | {
            "username": request.POST.get("username", ""),
            "email": request.POST.get("email", ""),
            "affiliation": request.POST.get("affiliation", ""),
        }
        org = (
            Organization.objects.filter(pk=values["affiliation"]).first()
            if values["affiliation"].isdigit()
            else None
        )
        try:
            expert = services.expert_create(
                by=request.user,
                username=values["username"],
                email=values["email"],
                affiliation=org,
                **{k: v for k, v in values.items() if k not in ("username", "email", "affiliation")},
            )
        except ApplicationError as exc:
            errors = _fail(request, exc)
        else:
            messages.success(request, _("평가위원을 등록했습니다."))
            return redirect("evaluation:expert_detail", pk=expert.pk)
    return render(
        request, "evaluation/expert_form.html", _expert_form_context(request, values=values, errors=errors)
    )


@login_required
def expert_edit(request, pk):
    _staff(request, write=True)
    expert = get_visible_or_404(
        ExpertProfile.objects.select_related("affiliation", "region"), request, "change", pk=pk
    )
    values = {
        "name": expert.name,
        "position": expert.position,
        "sector": expert.sector,
        "region": expert.region.code if expert.region_id else "",
        "ksic_divisions": ", ".join(expert.ksic_divisions),
        "keywords": ", ".join(expert.keywords),
        "max_load": expert.max_load,
        "is_available": expert.is_available,
        "availability_note": expert.availability_note,
        "affiliation": str(expert.affiliation_id),
    }
    errors = {}
    if request.method == "POST":
        values = _expert_values(request.POST) | {"affiliation": request.POST.get("affiliation", "")}
        org = (
            Organization.objects.filter(pk=values["affiliation"]).first()
            if values["affiliation"].isdigit()
            else None
        )
        try:
            services.expert_update(
                by=request.user,
                expert=expert,
                affiliation=org or "",
                **{k: v for k, v in values.items() if k != "affiliation"},
            )
        except ApplicationError as exc:
            errors = _fail(request, exc)
        else:
            messages.success(request, _("평가위원 정보를 저장했습니다."))
            return redirect("evaluation:expert_detail", pk=expert.pk)
    return render(
        request,
        "evaluation/expert_form.html",
        _expert_form_context(request, expert=expert, values=values, errors=errors),
    )


@login_required
def expert_detail(request, pk):
    _staff(request)
    expert = get_visible_or_404(
        ExpertProfile.objects.select_related("affiliation", "region", "user"), request, pk=pk
    )
    return render(
        request,
        "evaluation/expert_detail.html",
        {
            "expert": expert,
            "pledges": expert.pledges.select_related("call"),
            "assignments": expert.assignments.filter(is_active=True).select_related(
                "proposal__call", "proposal__lead_region"
            ),
            "conflicts": expert.conflicts.select_related("proposal"),
            "fees": expert.fees.select_related("call"),
            "can_edit": actor_for(request.user).is_ministry,
        },
    )


@login_required
def expert_import(request):
    _staff(request, write=True)
    errors, result = {}, None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed(
                    _("파일을 선택하세요."), errors={"file": [_("XLSX 파일을 선택하세요.")]}
                )
            result = services.experts_import_xlsx(by=request.user, file=upload)
        except ApplicationError as exc:
            errors = _fail(request, exc)
        else:
            messages.success(
                request,
                _("가져오기 완료: 신규 %(c)d명, 갱신 %(u)d명, 새 기관 %(o)d곳")
                % {"c": result["created"], "u": result["updated"], "o": result["new_organizations"]},
            )
            return redirect("evaluation:expert_list")
    return render(request, "evaluation/expert_import.html", {"errors": errors})


@login_required
def expert_import_template(request):
    _staff(request, write=True)
    response = HttpResponse(import_template_bytes(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="experts-template.xlsx"'
    return response


@login_required
def me(request):
    expert = access.expert_profile_for(request.user)
    if expert is None:
        raise Http404("not found")
    errors = {}
    values = {
        "declarations": expert.declarations,
        "ksic_divisions": ", ".join(expert.ksic_divisions),
        "keywords": ", ".join(expert.keywords),
        "is_available": expert.is_available,
        "availability_note": expert.availability_note,
    }
    if request.method == "POST":
        values = {
            "declarations": request.POST.get("declarations", ""),
            "ksic_divisions": request.POST.get("ksic_divisions", ""),
            "keywords": request.POST.get("keywords", ""),
            "is_available": request.POST.get("is_available") == "on",
            "availability_note": request.POST.get("availability_note", ""),
        }
        try:
            services.expert_update_declarations(by=request.user, expert=expert, **values)
        except ApplicationError as exc:
            errors = _fail(request, exc)
        else:
            messages.success(request, _("신고 사항을 저장했습니다."))
            return redirect("evaluation:me")
    return render(
        request,
        "evaluation/me.html",
        {
            "expert": expert,
            "values": values,
            "errors": errors,
            "pledges": expert.pledges.select_related("call"),
            "fees": selectors.fees_for(request.user).filter(expert=expert),
            "declared": expert.conflicts.filter(source="declared").select_related("proposal"),
        },
    )


# --- pledge, assignments, bids (expert) ----------------------------------------------------


@login_required
def pledge(request, code):
    call = _call(request, code)
    expert = access.expert_profile_for(request.user)
    if expert is None:
        raise Http404("not found")
    signed = expert.pledges.filter(call=call).first()
    errors = {}
    if request.method == "POST" and signed is None:
        try:
            services.pledge_sign(
                by=request.user,
                call=call,
                signed_name=request.POST.get("signed_name", ""),
                agreed=request.POST.get("agreed") == "on",
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except ApplicationError as exc:
            errors = _fail(request, exc)
        else:
            messages.success(request, _("서약서에 서명했습니다. 배정된 과제를 평가할 수 있습니다."))
            return redirect("evaluation:my_assignments", code=call.code)
    n_assigned = expert.assignments.filter(proposal__call=call, is_active=True).count()
    return render(
        request,
        "evaluation/pledge.html",
        {"call": call, "expert": expert, "signed": signed, "errors": errors, "n_assigned": n_assigned},
    )


@login_required
def my_assignments(request, code):
    call = _call(request, code)
    if access.expert_profile_for(request.user) is None:
        raise Http404("not found")
    if not selectors.has_pledged(request.user, call):
        return redirect("evaluation:pledge", code=call.code)
    rows = []
    blind = _blind_for(request, call)
    for row in selectors.my_assignments(request.user, call):
        proposal = row["assignment"].proposal
        # Titles of conflicted proposals are not shown either.
        row["title"] = (
            masker_for(proposal, blind=blind)(proposal.title) if row["open"] else _("(이해충돌로 열람 제한)")
        )
        rows.append(row)
    return render(
        request,
        "evaluation/my_assignments.html",
        {"call": call, "rows": rows, "is_chair": access.is_chair(request.user, call)},
    )


@login_required
def bids(request, code):
    call = _call(request, code)
    expert = access.expert_profile_for(request.user)
    if expert is None:
        raise Http404("not found")
    if not selectors.has_pledged(request.user, call):
        return redirect("evaluation:pledge", code=call.code)
    proposals = list(
        Proposal.objects.filter(call=call, status__in=services.EVALUABLE)
        .exclude(access.expert_conflict_q(expert))
        .select_related("lead_region")
        .order_by("lead_region__code", "pk")
    )
    if request.method == "POST":
        try:
            for proposal in proposals:
                level = request.POST.get(f"bid-{proposal.pk}")
                if level not in (None, ""):
                    services.bid_set(by=request.user, proposal=proposal, level=int(level))
        except (ApplicationError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        else:
            messages.success(request, _("평가 희망을 저장했습니다."))
            return redirect("evaluation:bids", code=call.code)
    current = dict(Bid.objects.filter(expert=expert, proposal__call=call).values_list("proposal_id", "level"))
    blind = _blind_for(request, call)
    rows = [
        {
            "pk": p.pk,
            "title": masker_for(p, blind=blind)(p.title),
            "region": p.lead_region.name,
            "level": current.get(p.pk, 0),
        }
        for p in proposals
    ]
    closed = AssignmentRun.objects.filter(call=call, applied_at__isnull=False).exists()
    return render(
        request,
        "evaluation/bids.html",
        {"call": call, "rows": rows, "levels": BidLevel.choices, "closed": closed},
    )


# --- review (expert) -----------------------------------------------------------------------


def _attachments(proposal, *, blind: bool):
    """The proposal's attachments an expert may receive: in blind calls only those the province
    marked as blind versions (none at all if the attachment model has no such mark)."""
    manager = getattr(proposal, "attachments", None)
    if manager is None:
        return []
    qs = manager.all()
    field_names = {f.name for f in qs.model._meta.get_fields()}
    if "removed_at" in field_names:
        qs = qs.filter(removed_at__isnull=True)
    if blind:
        qs = qs.filter(is_blind_version=True)
    return list(qs)


def _review_of(assignment):
    """The assignment's review (None if not started), from the row loaded with it when it was."""
    if Assignment.review.is_cached(assignment):
        return getattr(assignment, "review", None)
    return Review.objects.filter(assignment=assignment).order_by().first()


def _review_context(request, proposal, assignment, *, values=None, errors=None):
    call = proposal.call
    blind = _blind_for(request, call)
    view = proposal_view(proposal, blind=blind)
    review = _review_of(assignment)
    # The call was read with its panel (select_related) in this request when it came from
    # `_expert_proposal`'s one query.
    panel = (
        getattr(call, "evaluation_panel", None)
        if Call.evaluation_panel.is_cached(call)
        else services.PANEL_UNREAD
    )
    settings_now, descriptions = services.panel_settings_and_descriptions(call, panel=panel)
    scores = values["scores"] if values else (review.scores if review else {})
    comments = values["criterion_comments"] if values else (review.criterion_comments if review else {})
    criteria = [
        c
        | {
            "value": scores.get(c["key"], ""),
            "comment": comments.get(c["key"], ""),
            "errors": (errors or {}).get(c["key"], []),
            "description": descriptions.get(c["key"], ""),
        }
        for c in settings_now["criteria"]
    ]
    return {
        "proposal": view,
        "call": call,
        "review": review,
        "criteria": criteria,
        "scale": sum(c["max_score"] for c in settings_now["criteria"]),
        "comment": values["comment"] if values else (review.comment if review else ""),
        "errors": errors or {},
        "attachments": [
            {"pk": a.pk, "name": view["mask"](str(a))} for a in _attachments(proposal, blind=blind)
        ],
    }


@login_required
def review(request, pk):
    if request.method == "POST":
        values = {
            "scores": {k[6:]: v for k, v in request.POST.items() if k.startswith("score-")},
            "criterion_comments": {k[8:]: v for k, v in request.POST.items() if k.startswith("comment-")},
            "comment": request.POST.get("comment", ""),
        }
        submit = request.POST.get("action") == "submit"
        try:
            # The service checks that the expert may evaluate the proposal now (one query).
            services.review_save(by=request.user, proposal_id=pk, submit=submit, **values)
        except NotFoundError:
            _expert_proposal(request, pk)  # refused: logged and answered 404 as for a GET
            raise Http404("not found") from None
        except ApplicationError as exc:
            proposal, assignment = _expert_proposal(request, pk)
            errors = _fail(request, exc)
            context = _review_context(request, proposal, assignment, values=values, errors=errors)
            return render(
                request,
                "evaluation/review.html",
                context,
                status=400 if isinstance(exc, ValidationFailed) else 409,
            )
        messages.success(request, _("평가표를 제출했습니다.") if submit else _("임시 저장했습니다."))
        return redirect("evaluation:review", pk=pk)
    # The page reads this proposal and the requesting expert's own review of it, nothing else of either.
    pagecache.reads_within("proposals_proposal", f"proposal:{pk}")
    for table in pagecache.REVIEW_TABLES:
        pagecache.reads_within(table, f"review:{request.user.pk}:{pk}")
    proposal, assignment = _expert_proposal(request, pk)
    return render(request, "evaluation/review.html", _review_context(request, proposal, assignment))


@login_required
def review_print(request, pk):
    proposal, assignment = _expert_proposal(request, pk)
    context = _review_context(request, proposal, assignment)
    context["printed_at"] = format_kst(timezone.now())
    return render(request, "evaluation/review_print.html", context)


@login_required
def review_xlsx(request, pk):
    proposal, assignment = _expert_proposal(request, pk)
    context = _review_context(request, proposal, assignment)
    mask = context["proposal"]["mask"]
    rows = [[c["label"], c["max_score"], c["value"], mask(c["comment"])] for c in context["criteria"]]
    rows.append(
        [
            _("합계"),
            context["scale"],
            float(context["review"].total)
            if context["review"] and context["review"].total is not None
            else "",
            "",
        ]
    )
    rows.append([_("종합 의견"), "", "", mask(context["comment"])])
    title = [
        _("평가표"),
        f"{_('과제')}: {context['proposal']['title']}",
        f"{_('주관 시·도')}: {context['proposal']['region']}",
        f"{_('평가위원')}: {assignment.expert.name}",
    ]
    return xlsx_response(
        f"평가표-{proposal.pk}.xlsx",
        [(_("평가표"), [_("평가항목"), _("배점"), _("점수"), _("의견")], rows)],
        title_lines=title,
    )


@login_required
def review_attachment(request, pk, attachment_pk):
    proposal, _assignment = _expert_proposal(request, pk)
    allowed = {a.pk: a for a in _attachments(proposal, blind=_blind_for(request, proposal.call))}
    attachment = allowed.get(attachment_pk)
    if attachment is None:
        raise Http404("not found")
    file_field = next(
        (
            getattr(attachment, f.name)
            for f in attachment._meta.get_fields()
            if f.get_internal_type() == "FileField"
        ),
        None,
    )
    if not file_field:
        raise Http404("not found")
    return FileResponse(
        file_field.open("rb"), as_attachment=True, filename=file_field.name.rsplit("/", 1)[-1]
    )


@login_required
@require_POST
def declare_conflict(request, pk):
    proposal, _assignment = _expert_proposal(request, pk)
    try:
        services.conflict_declare(by=request.user, proposal=proposal, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        _fail(request, exc)
        return redirect("evaluation:review", pk=proposal.pk)
    messages.success(request, _("이해충돌을 신고했습니다. 이 과제는 더 이상 열람·평가할 수 없습니다."))
    return redirect("evaluation:my_assignments", code=proposal.call.code)


# --- call overview, conflicts, assignment (ministry) ----------------------------------------


@login_required
def call_overview(request, code):
    call = _call(request, code)
    is_chair = _panel_reader(request, call)
    panel = getattr(call, "evaluation_panel", None)
    n_proposals = call.proposals.filter(status__in=services.EVALUABLE).count()
    reviews = Review.objects.filter(assignment__proposal__call=call, assignment__is_active=True)
    return render(
        request,
        "evaluation/call_overview.html",
        {
            "call": call,
            "panel": panel,
            "is_chair": is_chair,
            "staff": not is_chair,
            "settings": services.panel_settings(call),
            "n_proposals": n_proposals,
            "n_assignments": call.proposals.filter(assignments__is_active=True).count(),
            "n_submitted": reviews.filter(status=ReviewStatus.SUBMITTED).count(),
            "n_drafts": reviews.filter(status=ReviewStatus.DRAFT).count(),
            "n_pledges": call.pledges.count(),
            "experts": ExpertProfile.objects.filter(is_available=True).order_by("name"),
            "can_edit": actor_for(request.user).is_ministry,
        },
    )


@login_required
@require_POST
def set_chair(request, code):
    call = _call(request, code)
    _staff(request, write=True)
    expert_id = request.POST.get("chair", "")
    expert = ExpertProfile.objects.filter(pk=expert_id).first() if expert_id.isdigit() else None
    try:
        services.panel_set_chair(by=request.user, call=call, expert=expert)
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("위원장을 지정했습니다."))
    return redirect("evaluation:call", code=call.code)


@login_required
def conflicts(request, code):
    call = _call(request, code)
    _staff(request)
    errors, values = {}, {}
    if request.method == "POST":
        _staff(request, write=True)
        values = request.POST
        try:
            if request.POST.get("withdraw"):
                conflict = get_object_or_404(Conflict, pk=request.POST["withdraw"], proposal__call=call)
                services.conflict_withdraw(
                    by=request.user, conflict=conflict, reason=request.POST.get("withdraw_reason", "")
                )
                messages.success(request, _("이해충돌을 해제했습니다."))
            else:
                expert = ExpertProfile.objects.filter(pk=request.POST.get("expert") or 0).first()
                proposal = Proposal.objects.filter(pk=request.POST.get("proposal") or 0, call=call).first()
                if expert is None or proposal is None:
                    raise ValidationFailed(
                        _("평가위원과 과제를 선택하세요."),
                        errors={"expert" if expert is None else "proposal": [_("선택하세요.")]},
                    )
                services.conflict_add(
                    by=request.user, expert=expert, proposal=proposal, reason=request.POST.get("reason", "")
                )
                messages.success(
                    request, _("이해충돌을 등록했습니다. 해당 평가위원의 접근이 즉시 차단됩니다.")
                )
        except ApplicationError as exc:
            errors = _fail(request, exc)
        else:
            return redirect("evaluation:conflicts", code=call.code)
    report = selectors.assignment_report(call)
    return render(
        request,
        "evaluation/conflicts.html",
        {
            "call": call,
            "stored": selectors.conflicts_for(request.user, call),
            "all_conflicts": report["conflicts"],
            "experts": ExpertProfile.objects.order_by("name"),
            "proposals": call.proposals.select_related("lead_region").order_by("lead_region__code", "pk"),
            "errors": errors,
            "values": values,
            "can_edit": actor_for(request.user).is_ministry,
        },
    )


@login_required
def assignment(request, code):
    call = _call(request, code)
    _staff(request)
    errors = {}
    if request.method == "POST":
        _staff(request, write=True)
        params = {
            "reviewers_per_proposal": request.POST.get("reviewers_per_proposal", call.reviewers_per_proposal),
            "max_load_cap": request.POST.get("max_load_cap", ""),
            "use_bids": request.POST.get("use_bids") == "on",
            "one_per_organization": request.POST.get("one_per_organization") == "on",
            "min_per_sector": {
                s: request.POST.get(f"min_{s}", "") for s in Sector.values if request.POST.get(f"min_{s}")
            },
        }
        try:
            run = services.assignment_run_start(by=request.user, call=call, parameters=params)
        except ApplicationError as exc:
            errors = _fail(request, exc)
        else:
            return redirect("evaluation:run", code=call.code, run_pk=run.pk)
    return render(
        request,
        "evaluation/assignment.html",
        {
            "call": call,
            "runs": selectors.runs_for(request.user, call)[:20],
            "errors": errors,
            "sectors": Sector.choices,
            "can_edit": actor_for(request.user).is_ministry,
        },
    )


def _run_context(run):
    inputs, result = run.inputs or {}, run.result or {}
    rows = []
    if run.status == RunStatus.DONE:
        proposals = {
            p.pk: p
            for p in Proposal.objects.filter(pk__in=inputs["proposal_ids"]).select_related("lead_region")
        }
        experts = {
            e.pk: e
            for e in ExpertProfile.objects.filter(pk__in=inputs["expert_ids"]).select_related("affiliation")
        }
        by_prop: dict[int, list] = {}
        for (i, j), (p, e) in zip(result["pairs"], result["pair_ids"], strict=True):
            by_prop.setdefault(p, []).append(
                {
                    "expert": experts.get(e),
                    "affinity": inputs["affinity"][i][j],
                    "ksic": inputs["ksic"][i][j],
                    "keywords": inputs["keyword_hits"][i][j],
                }
            )
        for p_id in inputs["proposal_ids"]:
            rows.append(
                {
                    "proposal": proposals.get(p_id),
                    "experts": sorted(by_prop.get(p_id, []), key=lambda r: -r["affinity"]),
                    "shortfall": result["shortfall"].get(str(p_id)),
                }
            )
    return {
        "run": run,
        "rows": rows,
        "n_proposals": len(inputs.get("proposal_ids", [])),
        "n_experts": len(inputs.get("expert_ids", [])),
        "n_conflicts": len(inputs.get("conflicts", [])),
        "polling": run.status in (RunStatus.PENDING, RunStatus.RUNNING),
    }


@login_required
def run_detail(request, code, run_pk):
    call = _call(request, code)
    _staff(request)
    run = get_visible_or_404(AssignmentRun.objects.filter(call=call), request, pk=run_pk)
    context = _run_context(run) | {"call": call, "can_edit": actor_for(request.user).is_ministry}
    if request.method == "POST":
        _staff(request, write=True)
        if request.POST.get("action") == "reproduce":
            same = services.assignment_reproduce(run)
            if same:
                messages.success(request, _("저장된 입력으로 다시 계산한 결과가 동일합니다(재현 확인)."))
            else:
                messages.error(request, _("다시 계산한 결과가 저장된 결과와 다릅니다."))
        else:
            try:
                n = services.assignment_run_apply(by=request.user, run=run)
            except ApplicationError as exc:
                _fail(request, exc)
            else:
                messages.success(request, _("배정 %(n)d건을 적용했습니다.") % {"n": n})
        return redirect("evaluation:run", code=call.code, run_pk=run.pk)
    if request.headers.get("HX-Request") and context["polling"]:
        return render(request, "evaluation/_run_progress.html", context)
    if request.headers.get("HX-Request"):
        response = HttpResponse()
        response["HX-Refresh"] = "true"
        return response
    return render(request, "evaluation/run_detail.html", context)


@login_required
def assignment_report(request, code, fmt="html"):
    call = _call(request, code)
    _staff(request)
    report = selectors.assignment_report(call)
    if fmt == "xlsx":
        who = [
            [
                a.proposal.lead_region.name,
                a.proposal.title,
                a.expert.name,
                a.expert.affiliation.name,
                a.expert.get_sector_display(),
                round(a.affinity, 3),
            ]
            for row in report["proposals"]
            for a in row["assignments"]
        ]
        loads = [
            [r["expert"].name, r["expert"].affiliation.name, r["load"], r["expert"].max_load]
            for r in report["experts"]
        ]
        conflicts_rows = [
            [c["proposal"], c["expert"], c["source"], c["reason"], _("위반") if c["assigned"] else _("준수")]
            for c in report["conflicts"]
        ]
        return xlsx_response(
            f"배정보고서-{call.code}.xlsx",
            [
                (
                    _("배정"),
                    [_("주관 시·도"), _("과제"), _("평가위원"), _("소속"), _("구분"), _("적합도")],
                    who,
                ),
                (_("평가위원별 부담"), [_("평가위원"), _("소속"), _("배정 수"), _("최대")], loads),
                (
                    _("이해충돌"),
                    [_("과제"), _("평가위원"), _("경위"), _("사유"), _("준수 여부")],
                    conflicts_rows,
                ),
            ],
            title_lines=[f"{call.title} — {_('평가위원 배정 보고서')}"],
        )
    return render(request, "evaluation/assignment_report.html", {"call": call, "report": report})


@login_required
def fees(request, code):
    call = _call(request, code)
    _staff(request)
    errors, values = {}, {}
    if request.method == "POST":
        _staff(request, write=True)
        values = request.POST
        try:
            if request.POST.get("paid"):
                fee = get_object_or_404(SessionFee, pk=request.POST["paid"], call=call)
                services.fee_mark_paid(by=request.user, fee=fee, paid_on=date.today())
                messages.success(request, _("지급 처리했습니다."))
            else:
                expert = ExpertProfile.objects.filter(pk=request.POST.get("expert") or 0).first()
                if expert is None:
                    raise ValidationFailed(_("평가위원을 선택하세요."), errors={"expert": [_("선택하세요.")]})
                try:
                    session_date = date.fromisoformat(request.POST.get("session_date", ""))
                except ValueError:
                    session_date = None
                services.fee_record(
                    by=request.user,
                    expert=expert,
                    call=call,
                    session_date=session_date,
                    session_name=request.POST.get("session_name", ""),
                    amount_krw=request.POST.get("amount_krw", ""),
                )
                messages.success(request, _("평가 수당을 기록했습니다."))
        except ApplicationError as exc:
            errors = _fail(request, exc)
        else:
            return redirect("evaluation:fees", code=call.code)
    fee_rows = selectors.fees_for(request.user, call)
    return render(
        request,
        "evaluation/fees.html",
        {
            "call": call,
            "fees": fee_rows,
            "total": sum(f.amount_krw for f in fee_rows),
            "unpaid": sum(f.amount_krw for f in fee_rows if not f.paid_on),
            "experts": ExpertProfile.objects.filter(assignments__proposal__call=call)
            .distinct()
            .order_by("name"),
            "errors": errors,
            "values": values,
            "can_edit": actor_for(request.user).is_ministry,
        },
    )


# --- panel, summaries, consensus, reopen, finalize -----------------------------------------


def _panel_rows(request, call, results, *, is_chair: bool):
    blind = _blind_for(request, call)
    chair = access.expert_profile_for(request.user) if is_chair else None
    conflicted = set()
    if chair is not None:
        conflicted = set(
            Proposal.objects.filter(call=call)
            .filter(access.expert_conflict_q(chair))
            .values_list("pk", flat=True)
        )
    rows = []
    for row in results.rows:
        proposal = row["proposal_obj"]
        row = dict(row)
        row["conflicted"] = proposal.pk in conflicted
        row["title"] = (
            _("(이해충돌 과제)") if row["conflicted"] else masker_for(proposal, blind=blind)(proposal.title)
        )
        row["region"] = proposal.lead_region.name
        rows.append(row)
    return rows


@login_required
def panel(request, code, fmt="html"):
    call = _call(request, code)
    is_chair = _panel_reader(request, call)
    results = selectors.call_results(call)
    rows = _panel_rows(request, call, results, is_chair=is_chair) if results else []
    criteria = results.settings["criteria"] if results else []
    if fmt == "xlsx":
        header = [
            _("순위"),
            _("주관 시·도"),
            _("과제"),
            _("평가 수"),
            _("평균"),
            _("최고·최저 제외 평균"),
            _("표준화 보정 평균"),
            _("합의 점수"),
            _("최종 점수"),
            _("집계 방식"),
            _("과락"),
        ]
        header += [c["label"] for c in criteria]
        data = [
            [
                r["rank"], r["region"], r["title"], r["n_reviews"], round(r["mean"], 3),
                None if r["trimmed_mean"] is None else round(r["trimmed_mean"], 3),
                None if r["calibrated_display"] is None else round(r["calibrated_display"], 3),
                float(r["consensus_obj"].score) if r["consensus_obj"] else None,
                round(r["final"], 3), r["method_used"],
                _("통과") if r["passes_thresholds"] else _("과락: ") + ", ".join(r["failed_thresholds"]),
                *[round(r["criterion_means"][c["key"]], 3) for c in criteria],
            ]
            for r in rows
            if not r["conflicted"]
        ]  # fmt: skip
        return xlsx_response(
            f"순위-{call.code}.xlsx",
            [(_("순위"), header, data)],
            title_lines=[f"{call.title} — {_('평가 순위')}"],
        )
    panel_obj = getattr(call, "evaluation_panel", None)
    return render(
        request,
        "evaluation/panel.html",
        {
            "call": call,
            "panel": panel_obj,
            "results": results,
            "rows": rows,
            "criteria": criteria,
            "is_chair": is_chair,
            "can_finalize": (is_chair or actor_for(request.user).is_ministry)
            and not (panel_obj and panel_obj.finalized_at),
        },
    )


@login_required
@require_POST
def finalize(request, code):
    call = _call(request, code)
    if not (actor_for(request.user).is_ministry or access.is_chair(request.user, call)):
        raise PermissionDenied
    try:
        services.panel_finalize(by=request.user, call=call)
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("순위를 확정했습니다. 선정 단계에서 최종 점수와 순위를 사용합니다."))
    return redirect("evaluation:panel", code=call.code)


def _summary_proposal(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("call", "lead_region", "created_by"), pk=pk)
    is_chair = (
        _panel_reader(request, proposal.call)
        if (actor_for(request.user).reads_everything or access.is_chair(request.user, proposal.call))
        else None
    )
    if is_chair is None:
        log_authorization_failure(request, model="proposals.Proposal", object_ref=str(pk), action="summary")
        raise Http404("not found")
    if is_chair and access.is_conflicted(access.expert_profile_for(request.user), proposal):
        log_authorization_failure(request, model="proposals.Proposal", object_ref=str(pk), action="summary")
        raise Http404("not found")
    return proposal, is_chair


def _summary_context(request, proposal, is_chair):
    call = proposal.call
    blind = _blind_for(request, call)
    view = proposal_view(proposal, blind=blind)
    results = selectors.call_results(call)
    row = None
    if results:
        row = next((r for r in results.rows if r["proposal"] == str(proposal.pk)), None)
    settings_now = services.panel_settings(call)
    conflicts = selectors.conflicted_pairs(call)
    reviews = []
    for r in selectors.proposal_reviews(proposal):
        expert = r.assignment.expert
        reviews.append(
            {
                "review": r,
                "expert": expert,
                "excluded": (expert.pk, proposal.pk) in conflicts,
                "dropped": row is not None and str(expert.pk) in row["dropped_experts"],
                "scores": [r.scores.get(c["key"]) for c in settings_now["criteria"]],
                "comment": view["mask"](r.comment),
                "criterion_comments": [
                    (c["label"], view["mask"](r.criterion_comments.get(c["key"], "")))
                    for c in settings_now["criteria"]
                    if r.criterion_comments.get(c["key"])
                ],
            }
        )
    panel_obj = getattr(call, "evaluation_panel", None)
    consensus = getattr(proposal, "consensus", None) if hasattr(proposal, "consensus") else None
    return {
        "proposal": view,
        "proposal_obj": proposal,
        "call": call,
        "criteria": settings_now["criteria"],
        "reviews": reviews,
        "row": row,
        "consensus": consensus,
        "is_chair": is_chair,
        "finalized": bool(panel_obj and panel_obj.finalized_at),
        "settings": settings_now,
    }


@login_required
def proposal_summary(request, pk, fmt="html"):
    proposal, is_chair = _summary_proposal(request, pk)
    context = _summary_context(request, proposal, is_chair)
    if fmt == "print":
        context["printed_at"] = format_kst(timezone.now())
        return render(request, "evaluation/summary_print.html", context)
    if fmt == "xlsx":
        criteria = context["criteria"]
        header = [
            _("평가위원"),
            _("상태"),
            *[c["label"] for c in criteria],
            _("총점"),
            _("집계 제외"),
            _("종합 의견"),
        ]
        data = [
            [
                r["expert"].name, r["review"].get_status_display(), *r["scores"],
                float(r["review"].total) if r["review"].total is not None else None,
                _("이해충돌") if r["excluded"] else (_("최고·최저") if r["dropped"] else ""),
                r["comment"],
            ]
            for r in context["reviews"]
        ]  # fmt: skip
        row = context["row"]
        title = [
            f"{_('평가 결과 요약')} — {context['proposal']['title']}",
            f"{_('주관 시·도')}: {context['proposal']['region']}",
        ]
        if row:
            title.append(
                f"{_('최종 점수')}: {row['final']:.3f} · {_('순위')}: {row['rank']} · "
                f"{_('과락 통과') if row['passes_thresholds'] else _('과락')}"
            )
        consensus = context["consensus"]
        if consensus:
            title.append(
                f"{_('합의 점수')}: {consensus.score} · {context['proposal']['mask'](consensus.comment)}"
            )
        return xlsx_response(
            f"평가요약-{proposal.pk}.xlsx", [(_("평가 결과"), header, data)], title_lines=title
        )
    return render(request, "evaluation/summary.html", context)


@login_required
@require_POST
def consensus(request, pk):
    proposal, is_chair = _summary_proposal(request, pk)
    try:
        services.consensus_record(
            by=request.user,
            proposal=proposal,
            score=request.POST.get("score", ""),
            comment=request.POST.get("comment", ""),
            majority_view=request.POST.get("majority_view", ""),
            minority_view=request.POST.get("minority_view", ""),
        )
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("합의 점수를 기록했습니다."))
    return redirect("evaluation:summary", pk=proposal.pk)


@login_required
@require_POST
def reopen(request, review_pk):
    review_obj = get_object_or_404(Review.objects.select_related("assignment__proposal__call"), pk=review_pk)
    proposal, is_chair = _summary_proposal(request, review_obj.assignment.proposal_id)
    try:
        services.review_reopen(by=request.user, review=review_obj, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("평가표를 재개했습니다. 해당 평가위원에게 알렸습니다."))
    return redirect("evaluation:summary", pk=proposal.pk)
