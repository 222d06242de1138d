"""Thin views over the support services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from legend50.core.actors import Role, actor_for
from legend50.core.errors import ApplicationError, ConflictError
from legend50.core.scoping import get_visible_or_404
from legend50.engines.ids import is_valid_brn, normalize_brn
from legend50.firms.models import Firm
from legend50.registry.models import Region

from . import selectors, services
from .choices import ParticipationStatus
from .forms import AwardForm, InstrumentForm, ParticipationApplyForm, ScreenForm
from .models import Instrument, ProjectParticipation, SupportAward


def _apply_errors(form, exc: ApplicationError):
    placed = False
    for field, msgs in (getattr(exc, "errors", {}) or {}).items():
        for msg in msgs:
            if field in form.fields:
                form.add_error(field, msg)
                placed = True
    if not placed:
        form.add_error(None, exc.message)


# --- instruments ---------------------------------------------------------------------------------


def instrument_list(request):
    instruments = selectors.instrument_list(request.user, request.GET)
    return render(
        request,
        "support/instrument_list.html",
        {
            "instruments": instruments,
            "level": request.GET.get("level", ""),
            "region": request.GET.get("region", ""),
            "regions": Region.objects.all(),
            "can_register": request.user.is_authenticated and services.can_register_instrument(request.user),
        },
    )


def instrument_detail(request, code):
    instrument = get_visible_or_404(
        Instrument.objects.select_related("operator", "region"), request, code=code
    )
    awards = SupportAward.objects.visible_to(request.user, "view").filter(instrument=instrument)
    return render(
        request,
        "support/instrument_detail.html",
        {
            "instrument": instrument,
            "budgets": instrument.budgets.order_by("year"),
            "awards": awards.select_related("firm", "project").order_by("-awarded_on")[:50],
            "can_record": request.user.is_authenticated and services.can_record_for(request.user, instrument),
            "can_change": Instrument.objects.visible_to(request.user, "change")
            .filter(pk=instrument.pk)
            .exists(),
            "regions": Region.objects.filter(code__in=instrument.eligible_region_codes or []),
        },
    )


@login_required
def instrument_create(request):
    if not services.can_register_instrument(request.user):
        raise PermissionDenied
    operators = services.operator_choices(request.user)
    form = InstrumentForm(request.POST or None, operators=operators)
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.instrument_create(by=request.user, **form.service_kwargs())
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("지원사업을 등록했습니다."))
            return redirect("support:instrument_detail", code=instrument.code)
    return render(request, "support/instrument_form.html", {"form": form})


@login_required
@require_POST
def instrument_budget(request, code):
    instrument = get_visible_or_404(Instrument, request, "change", code=code)
    try:
        year = int(request.POST.get("year", ""))
        amount = int(request.POST.get("amount_krw", "").replace(",", ""))
    except ValueError:
        messages.error(request, _("연도와 예산(원)을 숫자로 입력하세요."))
    else:
        try:
            services.budget_set(by=request.user, instrument=instrument, year=year, amount_krw=amount,
                                note=request.POST.get("note", "")[:200])  # fmt: skip
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(y)s년 예산을 저장했습니다.") % {"y": year})
    return redirect("support:instrument_detail", code=instrument.code)


# --- awards ----------------------------------------------------------------------------------------


def _award_form_querysets(request, instrument):
    from legend50.funding.models import Project

    firms = Firm.objects.visible_to(request.user, "view").select_related("region").order_by("name")
    projects = Project.objects.visible_to(request.user, "view").order_by("lead_region__code", "title")
    return firms, projects


@login_required
def award_new(request, code):
    instrument = get_visible_or_404(Instrument.objects.select_related("operator"), request, code=code)
    if not services.can_record_for(request.user, instrument):
        raise PermissionDenied
    firms, projects = _award_form_querysets(request, instrument)
    initial = {"awarded_on": timezone.localdate()}
    if request.GET.get("firm", "").isdigit():
        initial["firm"] = request.GET["firm"]
    form = AwardForm(
        request.POST or None, firms=firms, projects=projects, instrument=instrument, initial=initial
    )
    assessment = None
    firm = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        firm = data.get("firm")
        brn = (data.get("brn") or "").strip()
        if firm is None and brn:
            if not is_valid_brn(brn):
                form.add_error("brn", _("사업자등록번호가 올바르지 않습니다."))
            else:
                firm = Firm.objects.filter(brn=normalize_brn(brn)).first()
                if firm is None:
                    form.add_error(
                        "brn", _("등록되지 않은 사업자등록번호입니다. 먼저 기업 명부에 등록하세요.")
                    )
        elif firm is None:
            form.add_error("firm", _("기업을 고르거나 사업자등록번호를 입력하세요."))
        if firm is not None and not form.errors:
            assessment = services.award_assess(
                instrument=instrument,
                firm=firm,
                awarded_on=data["awarded_on"],
                amount_krw=data.get("amount_krw"),
                total_cost_krw=data.get("total_cost_krw"),
            )
            if "record" in request.POST:
                try:
                    award = services.award_record(
                        by=request.user,
                        instrument=instrument,
                        firm=firm,
                        awarded_on=data["awarded_on"],
                        amount_krw=data.get("amount_krw"),
                        total_cost_krw=data.get("total_cost_krw"),
                        project=data.get("project"),
                        note=data.get("note") or "",
                        acknowledge_flags=data.get("acknowledge_flags", False),
                        acknowledgement=data.get("acknowledgement") or "",
                    )
                except ConflictError as exc:
                    form.add_error("acknowledgement", exc.message)
                    status = 409
                except ApplicationError as exc:
                    _apply_errors(form, exc)
                    status = 400
                else:
                    messages.success(request, _("지원 실적을 기록했습니다."))
                    return redirect("support:award_detail", pk=award.pk)
        elif form.errors:
            status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "support/award_form.html",
        {"instrument": instrument, "form": form, "assessment": assessment, "firm": firm},
        status=status,
    )


@login_required
def award_list(request):
    awards = selectors.award_list(request.user, request.GET)
    page = Paginator(awards, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "support/award_list.html",
        {
            "page": page,
            "year": request.GET.get("year", ""),
            "flagged": request.GET.get("flagged", ""),
            "instrument": request.GET.get("instrument", ""),
            "instruments": Instrument.objects.order_by("level", "name"),
        },
    )


@login_required
def award_detail(request, pk):
    award = get_visible_or_404(
        SupportAward.objects.select_related("firm", "instrument__operator", "project", "recorded_by"),
        request,
        pk=pk,
    )
    return render(
        request,
        "support/award_detail.html",
        {
            "award": award,
            "can_cancel": services.can_record_for(request.user, award.instrument)
            and award.status == "recorded",
        },
    )


@login_required
@require_POST
def award_cancel(request, pk):
    award = get_visible_or_404(SupportAward, request, pk=pk)
    try:
        services.award_cancel(by=request.user, award=award, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("지원 실적을 취소했습니다."))
    return redirect("support:award_detail", pk=award.pk)


# --- participation ---------------------------------------------------------------------------------


@login_required
def participation_list(request):
    rows = selectors.participation_list(request.user, request.GET)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    actor = actor_for(request.user)
    return render(
        request,
        "support/participation_list.html",
        {
            "page": page,
            "status": request.GET.get("status", ""),
            "statuses": ParticipationStatus.choices,
            "can_apply": actor.has_role(Role.FIRM_USER, Role.PROVINCE_OFFICER, Role.INSTITUTION_STAFF)
            or actor.is_ministry,
        },
    )


def _apply_choices(request):
    from legend50.funding.models import Project

    year = timezone.localdate().year
    projects = (
        Project.objects.visible_to(request.user, "view")
        .filter(end_year__gte=year)
        .select_related("lead_region")
    )
    actor = actor_for(request.user)
    if actor.is_ministry:
        firms = Firm.objects.all()
    else:
        firms = Firm.objects.filter(organization_id__in=actor.organizations_with_role(Role.FIRM_USER))
        if actor.has_role(Role.PROVINCE_OFFICER, Role.INSTITUTION_STAFF):
            firms = firms | Firm.objects.visible_to(request.user, "change")
    return projects.order_by("lead_region__code", "title"), firms.distinct().order_by("name")


@login_required
def participation_apply(request):
    projects, firms = _apply_choices(request)
    initial = {}
    if request.GET.get("firm", "").isdigit():
        initial["firm"] = request.GET["firm"]
    if request.GET.get("project", "").isdigit():
        initial["project"] = request.GET["project"]
    form = ParticipationApplyForm(request.POST or None, projects=projects, firms=firms, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            participation = services.participation_apply(by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("참여 신청을 접수했습니다. 주관기관이 심사합니다."))
            return redirect("support:participation_detail", pk=participation.pk)
    preferred = Instrument.objects.filter(is_active=True).exclude(preferences=[]).select_related("operator")
    return render(request, "support/participation_apply.html", {"form": form, "preferred": preferred})


@login_required
def participation_detail(request, pk):
    participation = get_visible_or_404(
        ProjectParticipation.objects.select_related(
            "project__lead_region", "firm", "screened_by", "applied_by"
        ),
        request,
        pk=pk,
    )
    can_screen = (
        participation.status == ParticipationStatus.APPLIED
        and ProjectParticipation.objects.visible_to(request.user, "screen").filter(pk=pk).exists()
    )
    form = ScreenForm(request.POST or None) if can_screen else None
    if request.method == "POST":
        if not can_screen:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.participation_screen(
                    by=request.user,
                    participation=participation,
                    admit=form.cleaned_data["decision"] == "admit",
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("심사 결과를 저장했습니다."))
                return redirect("support:participation_detail", pk=pk)
    preferred = Instrument.objects.filter(is_active=True).exclude(preferences=[]).select_related("operator")
    return render(
        request,
        "support/participation_detail.html",
        {"p": participation, "form": form, "preferred": preferred},
        status=400 if form is not None and form.errors else 200,
    )


# --- concentration report --------------------------------------------------------------------------


def _report_year(request) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year


@login_required
def concentration(request):
    if not selectors.can_see_report(request.user):
        raise PermissionDenied
    year = _report_year(request)
    report = selectors.concentration(request.user, year)
    years = sorted(set(SupportAward.objects.values_list("year", flat=True)) | {year}, reverse=True)
    return render(request, "support/concentration.html", {"report": report, "years": years})


@login_required
def concentration_xlsx(request):
    if not selectors.can_see_report(request.user):
        raise PermissionDenied
    year = _report_year(request)
    body = selectors.concentration_xlsx(selectors.concentration(request.user, year))
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="concentration-{year}.xlsx"'
    return response
