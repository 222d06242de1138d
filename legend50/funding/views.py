from datetime import date
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from legend50.core.actors import actor_for
from legend50.core.errors import ApplicationError
from legend50.core.scoping import get_visible_or_404
from legend50.programs.models import FundingSource, Program

from . import selectors, services
from .models import (
    AgreementStatus,
    Allocation,
    ChangeStatus,
    PlanChange,
    Project,
    ReviewDecision,
    SettlementStatus,
    SpendingEvidence,
    SpendingReport,
)

SOURCES = FundingSource.choices


def _fail(request, exc: ApplicationError):
    messages.error(request, exc.message)
    for msgs in getattr(exc, "errors", {}).values():
        for m in msgs:
            messages.error(request, m)


def _run(request, fn, success, back):
    try:
        fn()
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, success)
    return redirect(back)


def _date(raw):
    try:
        return date.fromisoformat((raw or "").strip()) if raw else None
    except ValueError:
        return None


def project_list(request):
    projects = selectors.project_list(request.user)
    actor = actor_for(request.user)
    money = {}
    visible_money = Project.objects.visible_to(request.user, "view_money").values_list("pk", flat=True)
    for a in Allocation.objects.filter(project__in=list(visible_money)).values(
        "project_id", "amount_krw", "disbursed_krw"
    ):
        m = money.setdefault(a["project_id"], [0, 0])
        m[0] += a["amount_krw"]
        m[1] += a["disbursed_krw"]
    rows = [(p, money.get(p.pk)) for p in projects]
    return render(
        request,
        "funding/project_list.html",
        {"rows": rows, "show_money": bool(money) or actor.reads_everything},
    )


def project_detail(request, pk):
    project = get_visible_or_404(
        Project.objects.select_related("lead_region", "proposal__call", "decision"), request, pk=pk
    )
    actor = actor_for(request.user)
    money = selectors.money_visible(request.user, project)
    own = (
        actor.has_role("province_officer", "office_officer", "institution_staff")
        and project.lead_region.code in actor.region_codes
    )
    context = {"project": project, "money": money, "actor": actor}
    if money:
        from legend50.selection.candidates import kpi_targets

        order = [v for v, _label in SOURCES]
        allocations = sorted(
            selectors.allocations_for(request.user, project).prefetch_related("disbursements"),
            key=lambda a: (a.year, order.index(a.source) if a.source in order else 99),
        )
        settlements = {a.year: [] for a in allocations}
        for a in allocations:
            s = getattr(a, "settlement", None)
            if s is not None:
                settlements[a.year].append(s)
        targets = kpi_targets(project.proposal)
        actuals = {(k.year, k.kpi_key): k for k in project.kpi_actuals.all()}
        kpi_rows = [
            {"t": t, "actual": actuals.get((t.year, t.key))}
            for t in targets
            if t.year is None or t.year in project.years
        ]
        context.update(
            {
                "agreement": getattr(project, "agreement", None),
                "grid": selectors.allocation_grid(allocations),
                "allocations": allocations,
                "reports": project.spending_reports.prefetch_related("evidence").order_by(
                    "year", "source", "created_at"
                ),
                "changes": project.plan_changes.order_by("-created_at"),
                "settlements": settlements,
                "kpi_rows": kpi_rows,
                "kpi_keys": sorted({(t.key, t.label) for t in targets}),
                "extra_actuals": [
                    a for (y, k), a in actuals.items() if not any(t.key == k and t.year == y for t in targets)
                ],
                "reviews": project.annual_reviews.order_by("year"),
                "can_manage": actor.is_ministry,
                "can_report": actor.is_ministry or own,
                "sources": SOURCES,
                "years": project.years,
                "review_decisions": ReviewDecision.choices,
                "signed": getattr(getattr(project, "agreement", None), "status", None)
                == AgreementStatus.SIGNED,
                "settlement_closed": SettlementStatus.CLOSED,
                "change_requested": ChangeStatus.REQUESTED,
            }
        )
    return render(request, "funding/project_detail.html", context)


@login_required
def agreement_edit(request, pk):
    project = get_visible_or_404(
        Project.objects.select_related("proposal__call", "lead_region"), request, "change", pk=pk
    )
    if not actor_for(request.user).is_ministry:
        raise Http404("not found")
    agreement = project.agreement
    allocations = {(a.year, a.source): a for a in project.allocations.all()}
    if request.method == "POST":
        amounts, reasons = {}, {}
        for year in project.years:
            for source, _label in SOURCES:
                key = f"amount-{year}-{source}"
                if key in request.POST:
                    raw = request.POST.get(key, "").strip()
                    if raw == "" and (year, source) not in allocations:
                        continue
                    amounts[(year, source)] = raw
                    reasons[(year, source)] = request.POST.get(f"reason-{year}-{source}", "")
        try:
            services.agreement_update(
                agreement=agreement,
                amounts=amounts,
                reasons=reasons,
                period_start=_date(request.POST.get("period_start")),
                period_end=_date(request.POST.get("period_end")),
                note=request.POST.get("note", ""),
                by=request.user,
            )
            if request.POST.get("sign"):
                services.agreement_sign(
                    agreement=agreement, signed_on=_date(request.POST.get("signed_on")), by=request.user
                )
        except ApplicationError as exc:
            _fail(request, exc)
            errors = getattr(exc, "errors", {})
        else:
            messages.success(request, _("협약 내용을 저장했습니다."))
            return redirect("funding:project", project.pk)
    else:
        errors = {}
    rows = []
    for year in project.years:
        for source, label in SOURCES:
            a = allocations.get((year, source))
            rows.append(
                {
                    "year": year,
                    "source": source,
                    "label": f"{year}년 {label}",
                    "alloc": a,
                    "value": request.POST.get(f"amount-{year}-{source}")
                    if request.method == "POST"
                    else (a.amount_krw if a else ""),
                    "reason": request.POST.get(f"reason-{year}-{source}")
                    if request.method == "POST"
                    else (a.adjustment_reason if a else ""),
                    "errors": errors.get(f"amount-{year}-{source}", [])
                    + errors.get(f"reason-{year}-{source}", []),
                }
            )
    share_errors = [m for k, msgs in errors.items() if k.startswith("share-") or k.isdigit() for m in msgs]
    return render(
        request,
        "funding/agreement_form.html",
        {
            "project": project,
            "agreement": agreement,
            "rows": rows,
            "share_errors": share_errors,
            "min_share": project.proposal.call.min_local_share_bp / 100,
        },
    )


@login_required
@require_POST
def disburse(request, pk):
    allocation = get_visible_or_404(Allocation.objects.select_related("project"), request, "change", pk=pk)
    return _run(
        request,
        lambda: services.disbursement_create(
            allocation=allocation,
            amount=request.POST.get("amount", ""),
            paid_on=_date(request.POST.get("paid_on")),
            memo=request.POST.get("memo", ""),
            by=request.user,
        ),
        _("교부를 등록했습니다."),
        f"/funding/projects/{allocation.project_id}/#money",
    )


@login_required
@require_POST
def project_disburse(request, pk):
    """The project page's one disbursement form: the allocation is chosen in the form."""
    project = get_visible_or_404(Project, request, "change", pk=pk)
    allocation = (
        Allocation.objects.visible_to(request.user, "change")
        .filter(project=project, pk=request.POST.get("allocation") or 0)
        .first()
    )
    if allocation is None:
        messages.error(request, _("교부할 연도·재원을 고르세요."))
        return redirect(f"/funding/projects/{project.pk}/#money")
    return disburse(request, allocation.pk)


@login_required
@require_POST
def spending_submit(request, pk):
    project = get_visible_or_404(Project.objects.select_related("lead_region"), request, "change", pk=pk)
    return _run(
        request,
        lambda: services.spending_report_submit(
            project=project,
            year=request.POST.get("year"),
            source=request.POST.get("source", ""),
            amount=request.POST.get("amount", ""),
            description=request.POST.get("description", ""),
            files=request.FILES.getlist("evidence"),
            by=request.user,
        ),
        _("집행 실적을 제출했습니다."),
        f"/funding/projects/{project.pk}/#spending",
    )


@login_required
@require_POST
def spending_review(request, pk):
    report = get_visible_or_404(SpendingReport, request, "change", pk=pk)
    return _run(
        request,
        lambda: services.spending_report_review(
            report=report,
            accept=request.POST.get("accept") == "1",
            note=request.POST.get("note", ""),
            by=request.user,
        ),
        _("집행 실적을 검토했습니다."),
        f"/funding/projects/{report.project_id}/#spending",
    )


@login_required
def evidence_download(request, pk):
    evidence = get_visible_or_404(SpendingEvidence.objects.select_related("report"), request, pk=pk)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)


@login_required
@require_POST
def plan_change_request(request, pk):
    project = get_visible_or_404(
        Project.objects.select_related("lead_region", "proposal__call"), request, "change", pk=pk
    )
    changes = []
    for year in project.years:
        for source, _label in SOURCES:
            raw = request.POST.get(f"change-{year}-{source}", "").strip()
            if raw:
                changes.append({"year": year, "source": source, "amount_krw": raw})
    return _run(
        request,
        lambda: services.plan_change_request(
            project=project, reason=request.POST.get("reason", ""), changes=changes, by=request.user
        ),
        _("계획 변경을 요청했습니다. 중기부 승인 후 반영됩니다."),
        f"/funding/projects/{project.pk}/#changes",
    )


@login_required
@require_POST
def plan_change_decide(request, pk):
    change = get_visible_or_404(PlanChange, request, "change", pk=pk)
    approve = request.POST.get("approve") == "1"
    return _run(
        request,
        lambda: services.plan_change_decide(
            change=change, approve=approve, note=request.POST.get("note", ""), by=request.user
        ),
        _("계획 변경을 승인했습니다.") if approve else _("계획 변경을 반려했습니다."),
        f"/funding/projects/{change.project_id}/#changes",
    )


@login_required
@require_POST
def settlement_submit(request, pk, year):
    project = get_visible_or_404(Project.objects.select_related("lead_region"), request, "change", pk=pk)
    carry = {source: request.POST.get(f"carry-{source}", "0") for source, _label in SOURCES}
    return _run(
        request,
        lambda: services.settlement_submit(
            project=project, year=year, carry_over=carry, note=request.POST.get("note", ""), by=request.user
        ),
        _("%(y)s년 정산을 제출했습니다.") % {"y": year},
        f"/funding/projects/{project.pk}/#settlement",
    )


@login_required
@require_POST
def settlement_close(request, pk, year):
    project = get_visible_or_404(Project, request, "change", pk=pk)
    approve = request.POST.get("approve_carry_over") == "1"
    return _run(
        request,
        lambda: services.settlement_close(
            project=project, year=year, approve_carry_over=approve, by=request.user
        ),
        _("%(y)s년 정산을 완료했습니다.") % {"y": year},
        f"/funding/projects/{project.pk}/#settlement",
    )


@login_required
@require_POST
def kpi_record(request, pk):
    project = get_visible_or_404(
        Project.objects.select_related("lead_region", "proposal"), request, "change", pk=pk
    )
    return _run(
        request,
        lambda: services.kpi_actual_record(
            project=project,
            year=request.POST.get("year"),
            kpi_key=request.POST.get("kpi_key", ""),
            value=request.POST.get("value", ""),
            note=request.POST.get("note", ""),
            by=request.user,
        ),
        _("성과지표 실적을 저장했습니다."),
        f"/funding/projects/{project.pk}/#kpi",
    )


@login_required
@require_POST
def annual_review(request, pk):
    project = get_visible_or_404(Project.objects.select_related("lead_region"), request, "change", pk=pk)
    return _run(
        request,
        lambda: services.annual_review_record(
            project=project,
            year=request.POST.get("year"),
            score=request.POST.get("score", ""),
            decision=request.POST.get("decision", ""),
            reduce_percent=request.POST.get("reduce_percent", 0),
            comment=request.POST.get("comment", ""),
            by=request.user,
        ),
        _("연차평가를 기록했습니다. 다음 연도 배정에 반영했습니다."),
        f"/funding/projects/{project.pk}/#review",
    )


def _board_args(request):
    program = (
        Program.objects.visible_to(request.user)
        .filter(code=request.GET.get("program") or "legend50plus")
        .first()
    )
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    return program, year


@login_required
def board(request):
    actor = actor_for(request.user)
    if not (actor.reads_everything or actor.region_codes):
        raise Http404("not found")
    program, year = _board_args(request)
    data = selectors.budget_board(request.user, program, year)
    return render(request, "funding/board.html", {"board": data, "program": program, "year": year})


@login_required
def board_export(request):
    actor = actor_for(request.user)
    if not (actor.reads_everything or actor.region_codes):
        raise Http404("not found")
    program, year = _board_args(request)
    data = selectors.budget_board(request.user, program, year)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "예산 현황"
    header = ["연도", "재원", "시·도", "계획(신청)액(원)", "배정액(원)", "교부액(원)", "미교부(원)"]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in data.rows:
        c = r["cell"]
        ws.append(
            [
                r["year"],
                str(r["source_label"]),
                r["region"].name if r["region"] else "",
                c.planned,
                c.allocated,
                c.disbursed,
                c.allocated - c.disbursed,
            ]
        )
    for (y, s), c in sorted(data.totals.items()):
        ws.append(
            [
                y,
                str(dict(SOURCES).get(s, s)),
                "합계",
                c.planned,
                c.allocated,
                c.disbursed,
                c.allocated - c.disbursed,
            ]
        )
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=7):
        for cell in row:
            cell.number_format = "#,##0"
    for col, width in zip("ABCDEFG", (8, 10, 16, 20, 20, 20, 20), strict=True):
        ws.column_dimensions[col].width = width
    env = wb.create_sheet("재원 규모 대조")
    env.append(["연도", "구분", "재원", "재원 규모(원)", "배정액(원)", "차이(원)", "비고"])
    for cell in env[1]:
        cell.font = Font(bold=True)
    for e in data.envelopes:
        env.append(
            [
                e["envelope"].year,
                str(e["label"]),
                str(e["source_label"]),
                e["envelope"].amount_krw,
                e["allocated"],
                e["difference"],
                e["envelope"].note,
            ]
        )
    for row in env.iter_rows(min_row=2, min_col=4, max_col=6):
        for cell in row:
            cell.number_format = "#,##0"
    buffer = BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="legend50-budget-board.xlsx"'
    return response
