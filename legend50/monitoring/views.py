from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from legend50.core.actors import actor_for
from legend50.core.errors import ApplicationError
from legend50.core.scoping import get_visible_or_404

from . import exports, selectors, services
from .models import Indicator, Observation, RefreshRun


def _int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _fail(request, exc: ApplicationError):
    messages.error(request, exc.message)
    for field, msgs in getattr(exc, "errors", {}).items():
        for m in msgs:
            messages.error(request, f"{field}: {m}" if "행" in str(field) else m)


def _page(request, template, context):
    context.setdefault("show_refresh", actor_for(request.user).reads_everything)
    return render(request, template, context)


def dashboard(request):
    """Public: the K-SME 50+ indicators (official beside computed), trajectories, the province tile
    map, and — for users who may see them — project KPI progress."""
    panels = selectors.indicator_panels(request.user)
    tiles = selectors.tile_map(request.user, request.GET.get("metric"), _int(request.GET.get("year")))
    kpi_years = selectors.kpi_years(request.user) if request.user.is_authenticated else []
    kpi = None
    if kpi_years:
        kpi_year = _int(request.GET.get("kpi_year"))
        kpi_year = kpi_year if kpi_year in kpi_years else kpi_years[-1]
        rows = selectors.kpi_rows(request.user, kpi_year)
        rollups = selectors.kpi_rollups(rows)
        kpi = {
            "year": kpi_year,
            "years": kpi_years,
            "query": urlencode({"year": kpi_year}),
            "rollups": rollups,
            "chart": {
                "labels": [g["key"][0].title for g in rollups["project"]],
                "values": [
                    None if g["mean"] is None else round(g["mean"] * 100, 1) for g in rollups["project"]
                ],
            },
        }
    actor = actor_for(request.user)
    chart_data = {
        "indicators": [p["chart"] for p in panels],
        "tiles": tiles["chart"],
        "kpi": kpi and kpi["chart"],
    }
    return _page(
        request,
        "monitoring/dashboard.html",
        {
            "panels": panels,
            "tiles": tiles,
            "tiles_query": urlencode(
                {k: v for k, v in (("metric", tiles["metric"].key), ("year", tiles["year"])) if v}
            ),
            "kpi": kpi,
            "chart_data": chart_data,
            "latest_run": selectors.latest_refresh(),
            "is_ministry": actor.is_ministry,
        },
    )


def download(request, chart: str, fmt: str):
    """The data of one chart as CSV or XLSX (the chart itself saves as PNG from its toolbox)."""
    if chart.startswith("indicator-"):
        table = exports.indicator_table(request.user, chart.removeprefix("indicator-"))
    elif chart == "trajectory":
        table = exports.trajectory_table(request.user)
    elif chart == "tiles":
        table = exports.tiles_table(request.user, request.GET.get("metric"), _int(request.GET.get("year")))
    elif chart == "kpi":
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        table = exports.kpi_table(request.user, _int(request.GET.get("year")))
    else:
        raise Http404("unknown chart")
    return exports.respond(table, fmt)


@login_required
def kpi_progress(request):
    years = selectors.kpi_years(request.user)
    year = _int(request.GET.get("year"))
    if year not in years:
        year = None
    rows = selectors.kpi_rows(request.user, year)
    return _page(
        request,
        "monitoring/kpi.html",
        {"rows": rows, "rollups": selectors.kpi_rollups(rows), "years": years, "year": year},
    )


@login_required
def outcomes(request):
    year = _int(request.GET.get("year"))
    region = (request.GET.get("region") or "").strip()[:2] or None
    qs = selectors.outcome_list(request.user, year=year, region=region)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    from legend50.funding.models import Project
    from legend50.registry.models import Region

    can_report = services.can_report_outcomes(request.user)
    return _page(
        request,
        "monitoring/outcomes.html",
        {
            "page": page,
            "year": year,
            "region": region,
            "regions": Region.objects.order_by("code"),
            "years": selectors.outcome_years(),
            "by_region": selectors.outcome_rollup(request.user, "region"),
            "by_project": selectors.outcome_rollup(request.user, "project"),
            "can_report": can_report,
            "projects": Project.objects.visible_to(request.user, "change").select_related("lead_region")
            if can_report
            else [],
        },
    )


def _find_firm(user, text: str):
    from legend50.firms.importing import parse_brn
    from legend50.firms.models import Firm
    from legend50.firms.services import firm_find_by_name

    text = (text or "").strip()
    if not text:
        return None
    try:
        firm = Firm.objects.filter(brn=parse_brn(text)).first()
    except ValueError:
        firm = firm_find_by_name(text)
    if firm is not None and not Firm.objects.visible_to(user).filter(pk=firm.pk).exists():
        return None
    return firm


@login_required
@require_POST
def outcome_create(request):
    from legend50.funding.models import Project

    back = reverse("monitoring:outcomes")
    firm = _find_firm(request.user, request.POST.get("firm"))
    if firm is None:
        messages.error(request, _("기업: 등록된 기업의 사업자등록번호나 기업명을 입력하세요."))
        return redirect(back)
    project = None
    if request.POST.get("project"):
        project = get_visible_or_404(Project, request, "view", pk=_int(request.POST["project"]) or 0)
    try:
        services.outcome_save(
            firm=firm,
            year=request.POST.get("year"),
            project=project,
            by=request.user,
            **{
                k: request.POST.get(k)
                for k in ("sales_krw", "direct_exports_krw", "indirect_exports_krw", "employees", "rnd_krw")
            },
        )
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("%(f)s의 성과를 저장했습니다.") % {"f": firm.name})
    return redirect(back)


@login_required
@require_POST
def outcome_import(request):
    try:
        result = services.outcomes_import(uploaded=request.FILES.get("file"), by=request.user)
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(
            request,
            _("%(n)s행을 가져왔습니다 (신규 %(c)s, 갱신 %(u)s).")
            % {"n": result["rows"], "c": result["created"], "u": result["updated"]},
        )
    return redirect("monitoring:outcomes")


def observations(request):
    """Every national observation, official and computed in separate labelled groups."""
    qs = (
        Observation.objects.visible_to(request.user)
        .select_related("indicator")
        .order_by("indicator__order", "year")
    )
    official = [o for o in qs if o.is_official]
    computed = [o for o in qs if not o.is_official and o.region_code == ""]
    return _page(
        request,
        "monitoring/observations.html",
        {
            "official": official,
            "computed": computed,
            "indicators": Indicator.objects.visible_to(request.user).order_by("order"),
            "is_ministry": actor_for(request.user).is_ministry,
        },
    )


@login_required
@require_POST
def observation_add(request):
    try:
        services.observation_record_official(
            indicator_key=request.POST.get("indicator", ""),
            year=request.POST.get("year"),
            value=request.POST.get("value"),
            source=request.POST.get("source", ""),
            note=request.POST.get("note", ""),
            by=request.user,
        )
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("공식 통계를 저장했습니다."))
    return redirect("monitoring:observations")


@login_required
@require_POST
def observation_import(request):
    try:
        result = services.observations_import(uploaded=request.FILES.get("file"), by=request.user)
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("공식 통계 %(n)s건을 가져왔습니다.") % {"n": result["rows"]})
    return redirect("monitoring:observations")


@login_required
@require_POST
def observation_delete(request, pk):
    try:
        services.observation_delete_official(observation_id=pk, by=request.user)
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("공식 통계를 삭제했습니다."))
    return redirect("monitoring:observations")


@login_required
def refresh(request):
    actor = actor_for(request.user)
    if not actor.reads_everything:
        raise Http404("not found")
    runs = RefreshRun.objects.visible_to(request.user).order_by("-created_at")[:10]
    from . import microdata

    return _page(
        request,
        "monitoring/refresh.html",
        {
            "runs": runs,
            "current": runs[0] if runs else None,
            "can_start": actor.is_ministry,
            "defaults": {
                "n_firms": microdata.DEMO_FIRMS,
                "first_year": microdata.DEMO_YEARS[0],
                "last_year": microdata.DEMO_YEARS[1],
                "max_firms": microdata.MAX_FIRMS,
            },
        },
    )


@login_required
@require_POST
def refresh_start(request):
    try:
        services.refresh_start(
            by=request.user,
            n_firms=request.POST.get("n_firms"),
            first_year=request.POST.get("first_year"),
            last_year=request.POST.get("last_year"),
            seed=request.POST.get("seed") or 0,
        )
    except ApplicationError as exc:
        if exc.status == 403:
            raise Http404("not found") from None
        _fail(request, exc)
    else:
        messages.success(request, _("지표 재산출을 시작했습니다. 진행 상황이 아래에 표시됩니다."))
    return redirect("monitoring:refresh")


@login_required
def refresh_status(request, pk):
    run = get_visible_or_404(RefreshRun, request, "view", pk=pk)
    return render(request, "monitoring/_refresh_progress.html", {"run": run})
