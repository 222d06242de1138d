from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from legend50.registry.models import Region

from .actors import Role, actor_for
from .history import history_entries
from .scoping import get_visible_or_404


def _dashboard_panels(request) -> list[dict]:
    panels = []
    for module_name in settings.LEGEND50_NAV_MODULES:
        if find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        if hasattr(module, "panels"):
            panels.extend(module.panels(request))
    return panels


def home(request):
    """The home page: a public landing for visitors, a dashboard by role for signed-in users."""
    from legend50.programs.selectors import featured_program

    actor = actor_for(request.user)
    program = featured_program(request.user)
    if not actor.is_authenticated:
        return render(request, "core/landing.html", {"program": program})
    regions = (
        Region.objects.filter(code__in=actor.region_codes) if actor.region_codes else Region.objects.none()
    )
    memberships = request.user.memberships.filter(is_active=True).select_related("organization__region")
    return render(
        request,
        "core/dashboard.html",
        {
            "program": program,
            "regions": regions,
            "memberships": memberships,
            "panels": _dashboard_panels(request),
            "is_province": actor.has_role(Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER),
        },
    )


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
@require_GET
def record_history(request, label: str, pk: int):
    """A record's change history, loaded when its history panel is opened (or as a page without
    JavaScript): whoever may view the record may read its history, nobody else."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404("not found") from None
    if not hasattr(model, "history") or not hasattr(model._default_manager.all(), "visible_to"):
        raise Http404("not found")
    record = get_visible_or_404(model, request, "view", pk=pk)
    context = {"object": record, "entries": history_entries(record)}
    if request.headers.get("HX-Request"):
        return render(request, "includes/history_entries.html", context)
    return render(request, "core/history.html", context)
