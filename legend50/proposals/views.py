"""Thin views over the proposal services and selectors."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaulttags import querystring
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from legend50.core import pagecache
from legend50.core.actors import Role, actor_for
from legend50.core.errors import ApplicationError
from legend50.core.formatting import format_krw
from legend50.core.scoping import get_visible_or_404
from legend50.core.uploads import CONTENT_TYPES
from legend50.programs.models import Call, FundingSource
from legend50.registry.choices import OrganizationKind
from legend50.registry.models import Organization

from . import exports, selectors, services, versions, workflow
from .choices import (
    KPI_DEFAULT_UNITS,
    KSIC_DIVISIONS,
    KSIC_SECTIONS,
    BudgetCategory,
    FeedbackSection,
    KpiKey,
    RegionalPolicy,
)
from .models import (
    ConsortiumRole,
    ConsultingFeedback,
    Proposal,
    ProposalAttachment,
    ProposalStatus,
    ProposalVersion,
)

BASE = Proposal.objects.select_related("call", "lead_region")


def _get(request, pk, action="view"):
    return get_visible_or_404(BASE, request, action, pk=pk)


def _error_payload(exc: ApplicationError) -> dict:
    errors = getattr(exc, "errors", {}) or {}
    flat = [m for msgs in errors.values() for m in msgs]
    return {"message": exc.message, "errors": flat, "extra": exc.extra, "code": exc.code}


# --- lists and export ------------------------------------------------------------------------------


_COLUMNS = (
    ("region", gettext_noop("주관 시·도"), False),
    ("title", gettext_noop("과제명"), False),
    ("status", gettext_noop("상태"), False),
    ("", gettext_noop("대상 산업"), False),
    ("budget", gettext_noop("총사업비"), True),
    ("", gettext_noop("참여기업"), True),
    ("score", gettext_noop("최종 점수"), True),
    ("updated", gettext_noop("최근 수정"), False),
)


@login_required
def proposal_list(request):
    params = request.GET
    actor = actor_for(request.user)
    scopes = Proposal.read_scopes(actor, "view")
    if scopes is not None:
        # Every proposal row this page reads comes through selectors.filtered, i.e. visible_to.
        pagecache.reads_within("proposals_proposal", *scopes)
    page = selectors.list_page(request.user, params)
    # As services.lead_organization_for decides: a province officer of a local government that has a
    # province. No lookup for anyone else, and no join or sort for them.
    officer_of = actor.organizations_with_role(Role.PROVINCE_OFFICER)
    can_create = bool(officer_of) and (
        Organization.objects.filter(
            pk__in=officer_of, kind=OrganizationKind.LOCAL_GOVERNMENT, region__isnull=False
        ).exists()
    )
    sort = params.get("sort") or selectors.DEFAULT_SORT
    here = SimpleNamespace(request=request)
    columns = []
    for key, label, num in _COLUMNS:
        aria = "ascending" if sort == key else "descending" if sort == f"-{key}" else "none"
        columns.append(
            {
                "label": _(label),
                "num": num,
                "sortable": bool(key),
                "aria": aria,
                "href": querystring(here, sort=f"-{key}" if sort == key else key, page=None) if key else "",
            }
        )
    export = reverse("proposals:export")
    return render(
        request,
        "proposals/proposal_list.html",
        {
            "page": page,
            "params": params,
            "sort": sort,
            "columns": columns,
            "options": selectors.filter_options(request.user, params),
            "export_xlsx": export + querystring(here, page=None, format="xlsx"),
            "export_csv": export + querystring(here, page=None, format="csv"),
            "can_create": can_create,
        },
    )


@login_required
def proposal_export(request):
    rows = selectors.filtered(request.user, request.GET, action="export")
    if request.GET.get("format") == "csv":
        return exports.as_csv(rows)
    return exports.as_xlsx(rows)


# --- create and edit -------------------------------------------------------------------------------


@login_required
def proposal_new(request):
    lead = services.lead_organization_for(request.user)
    if lead is None:
        raise Http404
    calls = [
        c for c in Call.objects.visible_to(request.user).order_by("-opens_at") if c.closes_at > timezone.now()
    ]
    context = {"calls": calls, "lead": lead, "error": None, "title": ""}
    if request.method == "POST":
        call = next((c for c in calls if str(c.pk) == request.POST.get("call")), None)
        context["title"] = request.POST.get("title", "")
        if call is None:
            context["error"] = {"message": _("접수 중인 공모를 고르세요."), "errors": []}
            return render(request, "proposals/proposal_new.html", context, status=400)
        try:
            proposal = services.proposal_create(
                call=call, title=request.POST.get("title", ""), by=request.user
            )
        except ApplicationError as exc:
            context["error"] = _error_payload(exc)
            return render(request, "proposals/proposal_new.html", context, status=exc.status)
        messages.success(request, _("제안서 초안을 만들었습니다. 내용은 입력하는 대로 저장됩니다."))
        return HttpResponseRedirect(reverse("proposals:edit", args=[proposal.pk]))
    return render(request, "proposals/proposal_new.html", context)


def _organization_choices(proposal):
    region = proposal.lead_region
    rows = Organization.objects.filter(
        Q(kind=OrganizationKind.LOCAL_GOVERNMENT, region=region)
        | Q(kind=OrganizationKind.REGIONAL_SME_OFFICE, covered_regions=region)
        | Q(kind=OrganizationKind.REGIONAL_SME_OFFICE, region=region)
        | Q(kind=OrganizationKind.INNOVATION_INSTITUTION)
        | Q(kind=OrganizationKind.SUPPORT_AGENCY)
    ).distinct()
    existing = set(proposal.consortium.values_list("organization_id", flat=True))
    rows = [o for o in rows.select_related("region") if o.pk not in existing]
    rows.sort(key=lambda o: (o.kind, 0 if o.region_id == region.pk else 1, o.name))
    return rows


def _kpi_rows(proposal, posted=None):
    if posted is not None:
        return posted
    rows = [
        {
            "key": k.key,
            "label": k.label,
            "unit": k.unit,
            "baseline": k.baseline.normalize() if k.baseline is not None else "",
            "baseline_year": k.baseline_year,
            "targets": k.targets,
        }
        for k in proposal.kpis.all()
    ]
    if not rows:
        base = proposal.call.start_year - 1
        rows = [
            {
                "key": key,
                "label": "",
                "unit": KPI_DEFAULT_UNITS[key],
                "baseline": "",
                "baseline_year": base,
                "targets": {},
            }
            for key in ("participating_firms", "sales", "exports", "jobs")
        ]
    return rows + [{"key": "", "label": "", "unit": "", "baseline": "", "baseline_year": "", "targets": {}}]


def _budget_rows(proposal, posted=None):
    if posted is not None:
        return posted
    rows = [
        {
            "year": b.year,
            "source": b.source,
            "category": b.category,
            "description": b.description,
            "amount": b.amount_krw,
        }
        for b in proposal.budget_lines.all()
    ]
    return rows + [
        {"year": "", "source": "", "category": "", "description": "", "amount": ""} for _i in range(3)
    ]


def _editor_context(request, proposal, **extra):
    kpi_rows = _kpi_rows(proposal, extra.pop("kpi_posted", None))
    for row in kpi_rows:
        row["year_values"] = [(y, (row.get("targets") or {}).get(str(y), "")) for y in proposal.call.years]
    context = {
        "proposal": proposal,
        "years": proposal.call.years,
        "ksic_sections": KSIC_SECTIONS,
        "ksic_divisions": KSIC_DIVISIONS.get(proposal.ksic_section, []),
        "all_divisions": KSIC_DIVISIONS,
        "policies": RegionalPolicy.choices,
        "kpi_keys": KpiKey.choices,
        "kpi_rows": kpi_rows,
        "budget_rows": _budget_rows(proposal, extra.pop("budget_posted", None)),
        "sources": FundingSource.choices,
        "categories": BudgetCategory.choices,
        "consortium": proposal.consortium.select_related("organization__region"),
        "consortium_roles": ConsortiumRole.choices,
        "organizations": _organization_choices(proposal),
        "firms": proposal.participating_firms.select_related("firm__region"),
        "attachments": proposal.attachments.filter(removed_at__isnull=True),
        "summary": services.budget_summary(proposal),
        "readiness": services.readiness(proposal),
        "actions": services.actions_for(request.user, proposal),
        "error": None,
        "section": "",
        "import_report": None,
    }
    context.update(extra)
    return context


def _render_editor(request, proposal, status=200, **extra):
    return render(
        request, "proposals/proposal_edit.html", _editor_context(request, proposal, **extra), status=status
    )


@login_required
def proposal_edit(request, pk):
    proposal = _get(request, pk, "change")
    if not services.is_province_side(request.user, proposal):
        raise Http404
    if not proposal.is_editable:
        messages.info(
            request, _("‘%(s)s’ 상태에서는 편집할 수 없습니다.") % {"s": proposal.get_status_display()}
        )
        return HttpResponseRedirect(reverse("proposals:detail", args=[pk]))
    return _render_editor(request, proposal)


def _lock(request):
    return request.POST.get("lock_version", "")


def _main_data(request):
    data = {f: request.POST.get(f, "") for f in services.EDITABLE_FIELDS if f in request.POST}
    if "policies_present" in request.POST:
        data["regional_policies"] = request.POST.getlist("regional_policies")
    if "tags" in request.POST:
        data["tags"] = request.POST.get("tags", "")
    return data


@login_required
@require_POST
def proposal_save(request, pk):
    """Autosave (htmx) and plain save of the main fields."""
    proposal = _get(request, pk, "change")
    htmx = request.headers.get("HX-Request") == "true"
    try:
        proposal = services.proposal_update(
            proposal=proposal, data=_main_data(request), lock_version=_lock(request), by=request.user
        )
    except ApplicationError as exc:
        payload = _error_payload(exc)
        if htmx:
            response = render(
                request,
                "proposals/_autosave_status.html",
                {"error": payload, "proposal": proposal},
                status=exc.status,
            )
            return response
        proposal.refresh_from_db()
        return _render_editor(request, proposal, status=exc.status, error=payload, section="main")
    if htmx:
        response = render(
            request, "proposals/_autosave_status.html", {"proposal": proposal, "saved_at": timezone.now()}
        )
        response["X-Lock-Version"] = str(proposal.lock_version)
        return response
    messages.success(request, _("저장했습니다."))
    return HttpResponseRedirect(reverse("proposals:edit", args=[pk]) + "#main")


def _section_action(request, pk, section, fn, success, **posted):
    proposal = _get(request, pk, "change")
    try:
        result = fn(proposal)
    except ApplicationError as exc:
        proposal.refresh_from_db()
        return _render_editor(
            request, proposal, status=exc.status, error=_error_payload(exc), section=section, **posted
        )
    if success:
        messages.success(request, success if isinstance(success, str) else success(result))
    return HttpResponseRedirect(reverse("proposals:edit", args=[pk]) + f"#{section}")


@login_required
@require_POST
def consortium_add(request, pk):
    return _section_action(
        request,
        pk,
        "consortium",
        lambda p: services.consortium_add(
            proposal=p,
            organization_id=request.POST.get("organization"),
            role=request.POST.get("role", ""),
            responsibility=request.POST.get("responsibility", ""),
            lock_version=_lock(request),
            by=request.user,
        ),
        _("컨소시엄에 참여기관을 추가했습니다."),
    )


@login_required
@require_POST
def consortium_remove(request, pk, member_id):
    return _section_action(
        request,
        pk,
        "consortium",
        lambda p: services.consortium_remove(
            proposal=p, member_id=member_id, lock_version=_lock(request), by=request.user
        ),
        _("컨소시엄에서 참여기관을 뺐습니다."),
    )


def _posted_kpis(request, years):
    count = min(int(request.POST.get("kpi-count", "0") or 0), 50)
    rows = []
    for i in range(count):
        prefix = f"kpi-{i}-"
        rows.append(
            {
                "key": request.POST.get(prefix + "key", ""),
                "label": request.POST.get(prefix + "label", ""),
                "unit": request.POST.get(prefix + "unit", ""),
                "baseline": request.POST.get(prefix + "baseline", ""),
                "baseline_year": request.POST.get(prefix + "baseline_year", ""),
                "targets": {str(y): request.POST.get(f"{prefix}target-{y}", "") for y in years},
            }
        )
    return rows


@login_required
@require_POST
def kpis_save(request, pk):
    proposal = _get(request, pk, "change")
    rows = _posted_kpis(request, proposal.call.years)
    return _section_action(
        request,
        pk,
        "kpis",
        lambda p: services.kpis_save(proposal=p, rows=rows, lock_version=_lock(request), by=request.user),
        _("성과지표를 저장했습니다."),
        kpi_posted=rows,
    )


def _posted_budget(request):
    count = min(int(request.POST.get("budget-count", "0") or 0), 300)
    keys = ("year", "source", "category", "description", "amount")
    return [{k: request.POST.get(f"budget-{i}-{k}", "") for k in keys} for i in range(count)]


@login_required
@require_POST
def budget_save(request, pk):
    rows = _posted_budget(request)
    return _section_action(
        request,
        pk,
        "budget",
        lambda p: services.budget_save(proposal=p, rows=rows, lock_version=_lock(request), by=request.user),
        _("예산 계획을 저장했습니다."),
        budget_posted=rows,
    )


@login_required
@require_POST
def firm_add(request, pk):
    return _section_action(
        request,
        pk,
        "firms",
        lambda p: services.firm_add(
            proposal=p,
            name=request.POST.get("name", ""),
            brn=request.POST.get("brn", ""),
            region=request.POST.get("region", ""),
            lock_version=_lock(request),
            by=request.user,
        ),
        lambda firm: _("참여기업 ‘%(name)s’을(를) 추가했습니다.") % {"name": firm.name},
    )


@login_required
@require_POST
def firm_remove(request, pk, link_id):
    return _section_action(
        request,
        pk,
        "firms",
        lambda p: services.firm_remove(
            proposal=p, link_id=link_id, lock_version=_lock(request), by=request.user
        ),
        _("참여기업을 뺐습니다."),
    )


@login_required
@require_POST
def firms_import(request, pk):
    proposal = _get(request, pk, "change")
    upload = request.FILES.get("file")
    if upload is None:
        return _render_editor(
            request,
            proposal,
            status=400,
            section="firms",
            error={"message": _("가져올 XLSX 또는 CSV 파일을 고르세요."), "errors": []},
        )
    try:
        result = services.firms_import(
            proposal=proposal,
            upload=upload,
            filename=upload.name,
            lock_version=_lock(request),
            by=request.user,
        )
    except ApplicationError as exc:
        proposal.refresh_from_db()
        payload = _error_payload(exc)
        return _render_editor(
            request,
            proposal,
            status=exc.status,
            section="firms",
            error=payload,
            import_report=exc.extra.get("report"),
        )
    messages.success(request, _("참여기업 %(n)d곳을 가져왔습니다.") % {"n": result["created"]})
    return HttpResponseRedirect(reverse("proposals:edit", args=[pk]) + "#firms")


@login_required
def firms_template(request, pk):
    _get(request, pk, "change")
    body = "\ufeff기업명,사업자등록번호,시·도\n(주)예시기업,123-45-67890,대구광역시\n"
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="participating-firms-template.csv"'
    return response


@login_required
@require_POST
def attachment_add(request, pk):
    return _section_action(
        request,
        pk,
        "attachments",
        lambda p: services.attachment_add(
            proposal=p,
            upload=request.FILES.get("file"),
            description=request.POST.get("description", ""),
            is_blind_version=request.POST.get("is_blind_version") == "on",
            lock_version=_lock(request),
            by=request.user,
        ),
        lambda a: _("첨부파일 ‘%(name)s’을(를) 올렸습니다.") % {"name": a.original_name},
    )


@login_required
@require_POST
def attachment_remove(request, pk, attachment_id):
    return _section_action(
        request,
        pk,
        "attachments",
        lambda p: services.attachment_remove(
            proposal=p, attachment_id=attachment_id, lock_version=_lock(request), by=request.user
        ),
        _("첨부파일을 삭제했습니다."),
    )


@login_required
def attachment_download(request, pk, attachment_id):
    proposal = get_visible_or_404(BASE, request, "view", pk=pk)
    attachment = ProposalAttachment.objects.filter(pk=attachment_id, proposal=proposal).first()
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=CONTENT_TYPES.get(attachment.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- detail, workflow, consulting -----------------------------------------------------------------


def _shown(proposal, consortium, kpis, budget_lines):
    """What the body template prints per row, worked out once per page in Python: choice labels (one
    dict per field instead of get_FOO_display's per call), amounts, and each KPI's target per year."""
    roles = dict(ConsortiumRole.choices)
    for m in consortium:
        m.role_label = roles.get(m.role, m.role)
    years = [str(y) for y in proposal.call.years]
    for k in kpis:
        k.year_targets = [k.targets[y] if y in k.targets else "" for y in years]
    sources, categories = dict(FundingSource.choices), dict(BudgetCategory.choices)
    for b in budget_lines:
        b.source_label = sources.get(b.source, b.source)
        b.category_label = categories.get(b.category, b.category)
        b.amount_label = format_krw(b.amount_krw)


def _detail_context(request, proposal, **extra):
    """Everything the detail (and print) page shows, each related list read once and shared by the
    template, the budget summary, the readiness check and the permission checks."""
    actor = actor_for(request.user)
    # Related lists are ordered explicitly: their default orderings start with "proposal", which sorts by
    # Proposal's own ordering through two joins (the same order for one proposal, at a higher price).
    rounds = list(
        proposal.consulting_rounds.select_related("version", "resubmitted_version", "requested_by")
        .prefetch_related(
            Prefetch(
                "feedback",
                queryset=ConsultingFeedback.objects.select_related("expert").order_by("created_at", "pk"),
            )
        )
        .order_by("number")
    )
    section_labels = dict(FeedbackSection.choices)
    for r in rounds:
        grouped = {}
        for f in r.feedback.all():
            grouped.setdefault(f.section, []).append(f)
        r.by_section = [(section_labels[k], grouped[k]) for k in FeedbackSection.values if k in grouped]
    assignments = list(
        proposal.consulting_assignments.filter(is_active=True)
        .select_related("expert")
        .order_by("assigned_at", "pk")
    )
    # The same rows services.is_consultant() asks for: the user's active assignment to this proposal.
    is_consultant = any(a.expert_id == request.user.pk for a in assignments)
    experts = []
    if actor.is_ministry:
        from legend50.accounts.models import Membership

        assigned = {a.expert_id for a in assignments}
        expert_ids = Membership.objects.filter(role=Role.EXPERT, is_active=True).values_list(
            "user_id", flat=True
        )
        experts = [
            u
            for u in get_user_model().objects.filter(pk__in=expert_ids, is_active=True).order_by("username")
            if u.pk not in assigned
        ]
    consortium = list(proposal.consortium.select_related("organization").order_by("order", "pk"))
    kpis = list(proposal.kpis.order_by("order", "pk"))
    budget_lines = list(proposal.budget_lines.order_by("year", "order", "pk"))
    _shown(proposal, consortium, kpis, budget_lines)
    known = {"consultant": is_consultant}
    actions = services.actions_for(request.user, proposal, known=known)
    if proposal.is_editable:
        if "province" not in known:
            known["province"] = services.is_province_side(request.user, proposal)
        can_edit = known["province"]
    else:
        can_edit = False
    context = {
        "proposal": proposal,
        "summary": services.budget_summary(proposal, budget_lines),
        "consortium": consortium,
        "kpis": kpis,
        "years": proposal.call.years,
        "budget_lines": budget_lines,
        "firms": list(proposal.participating_firms.select_related("firm__region")),
        "attachments": list(
            proposal.attachments.filter(removed_at__isnull=True).order_by("uploaded_at", "pk")
        ),
        # The page lists versions, never their (large) snapshots.
        "versions": list(proposal.versions.select_related("created_by").defer("snapshot").order_by("number")),
        "transitions": list(proposal.transitions.select_related("by").order_by("at", "pk")),
        "rounds": rounds,
        "assignments": assignments,
        "experts": experts,
        "actions": actions,
        "can_edit": can_edit,
        "is_ministry": actor.is_ministry,
        "is_consultant": is_consultant,
        "can_feedback": proposal.status == ProposalStatus.IN_CONSULTING
        and (is_consultant or actor.is_ministry),
        "feedback_sections": FeedbackSection.choices,
        "readiness": services.readiness(proposal, members=consortium, kpis=kpis, lines=budget_lines)
        if proposal.status == ProposalStatus.DRAFT
        else [],
        "error": None,
    }
    context.update(extra)
    return context


def _reads_one_proposal(pk):
    """The detail and print pages read the proposal, its history and transitions and versions by its
    key only (the change history itself loads separately)."""
    for table in pagecache.PROPOSAL_TABLES:
        pagecache.reads_within(table, f"proposal:{pk}")


def proposal_detail(request, pk):
    _reads_one_proposal(pk)
    proposal = _get(request, pk)
    return render(request, "proposals/proposal_detail.html", _detail_context(request, proposal))


@login_required
def proposal_print(request, pk):
    _reads_one_proposal(pk)
    proposal = _get(request, pk)
    return render(request, "proposals/proposal_print.html", _detail_context(request, proposal))


def _detail_action(request, pk, fn, success, action="view"):
    proposal = _get(request, pk, action)
    try:
        fn(proposal)
    except ApplicationError as exc:
        proposal.refresh_from_db()
        return render(
            request,
            "proposals/proposal_detail.html",
            _detail_context(request, proposal, error=_error_payload(exc)),
            status=exc.status,
        )
    messages.success(request, success)
    return HttpResponseRedirect(reverse("proposals:detail", args=[pk]))


@login_required
@require_POST
def proposal_transition(request, pk, action):
    if action not in workflow.BY_ACTION:
        raise Http404
    label = workflow.transition(action).label
    if action == "submit":

        def fn(p):
            return services.proposal_submit(
                proposal=p, by=request.user, lock_version=request.POST.get("lock_version") or None
            )  # noqa: E731
    elif action == "resubmit":
        fn = lambda p: services.proposal_resubmit(  # noqa: E731
            proposal=p,
            by=request.user,
            note=request.POST.get("note", ""),
            lock_version=request.POST.get("lock_version") or None,
        )
    elif action == "request_revision":
        return revision_request(request, pk)
    elif action == "start_consulting":
        raise Http404
    else:

        def fn(p):
            return services.proposal_transition(
                proposal=p, action=action, by=request.user, note=request.POST.get("note", "")
            )  # noqa: E731

    return _detail_action(request, pk, fn, _("‘%(a)s’ 처리했습니다.") % {"a": label})


def _parse_kst(value: str):
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            naive = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if fmt == "%Y-%m-%d":
            naive = naive.replace(hour=18)
        return timezone.make_aware(naive, timezone.get_default_timezone())
    return None


@login_required
@require_POST
def revision_request(request, pk):
    due = _parse_kst(request.POST.get("due_at", ""))
    return _detail_action(
        request,
        pk,
        lambda p: services.revision_request(
            proposal=p, due_at=due, message=request.POST.get("message", ""), by=request.user
        ),
        _("보완을 요청했습니다."),
        action="consult" if not actor_for(request.user).is_ministry else "view",
    )


@login_required
@require_POST
def consultant_assign(request, pk):
    return _detail_action(
        request,
        pk,
        lambda p: services.consultant_assign(proposal=p, expert=request.POST.get("expert"), by=request.user),
        _("컨설팅 전문가를 배정했습니다."),
    )


@login_required
@require_POST
def consultant_unassign(request, pk, assignment_id):
    return _detail_action(
        request,
        pk,
        lambda p: services.consultant_unassign(proposal=p, assignment_id=assignment_id, by=request.user),
        _("컨설팅 배정을 해제했습니다."),
    )


@login_required
@require_POST
def feedback_add(request, pk):
    sections = {key: request.POST.get(f"section-{key}", "") for key in FeedbackSection.values}
    return _detail_action(
        request,
        pk,
        lambda p: services.consulting_feedback_add(proposal=p, sections=sections, by=request.user),
        _("컨설팅 의견을 남겼습니다."),
        action="consult" if not actor_for(request.user).is_ministry else "view",
    )


# --- versions ------------------------------------------------------------------------------------


@login_required
def version_compare(request, pk):
    proposal = _get(request, pk)
    all_versions = list(proposal.versions.all())
    if not all_versions:
        raise Http404
    numbers = {v.number: v for v in all_versions}

    def pick(name, default):
        try:
            return numbers[int(request.GET.get(name, default))]
        except (ValueError, KeyError):
            return numbers[default]

    right = pick("b", all_versions[-1].number)
    left = pick("a", all_versions[-2].number if len(all_versions) > 1 else all_versions[-1].number)
    rows = versions.compare(left.snapshot, right.snapshot)
    only_changes = request.GET.get("changes") == "1"
    shown = [r for r in rows if r["change"] != "same"] if only_changes else rows
    return render(
        request,
        "proposals/version_compare.html",
        {
            "proposal": proposal,
            "versions": all_versions,
            "left": left,
            "right": right,
            "rows": shown,
            "changed": sum(1 for r in rows if r["change"] != "same"),
            "only_changes": only_changes,
        },
    )


@login_required
def version_detail(request, pk, number):
    proposal = _get(request, pk)
    version = ProposalVersion.objects.filter(proposal=proposal, number=number).first()
    if version is None:
        raise Http404
    rows = versions.flatten(version.snapshot)
    return render(
        request, "proposals/version_detail.html", {"proposal": proposal, "version": version, "rows": rows}
    )


@login_required
def workflow_table(request):
    return render(request, "proposals/workflow.html", {"rows": workflow.table()})
