from django.urls import reverse
from django.utils.translation import gettext as _

from legend50.core.actors import actor_for


def items(user):
    return [{"label": _("성과·지표"), "url": reverse("monitoring:dashboard")}]


def panels(request):
    """Home dashboard: the latest SME export share (official and computed, labelled apart)."""
    from .models import Observation

    obs = (
        Observation.objects.visible_to(request.user)
        .filter(indicator__key="sme_export_share", region_code="")
        .order_by("-year")
    )
    official = obs.filter(is_official=True).first()
    computed = obs.filter(is_official=False).first()
    if official is None and computed is None:
        return []
    shown = computed or official
    note = []
    if official:
        note.append(_("공식 %(y)s년 %(v).1f%%") % {"y": official.year, "v": float(official.value) * 100})
    if computed:
        note.append(
            _("산출(표본) %(y)s년 %(v).1f%%") % {"y": computed.year, "v": float(computed.value) * 100}
        )
    panels = [
        {
            "title": _("중소기업 수출 비중 (목표 50%, 2027년)"),
            "value": f"{float(shown.value) * 100:.1f}%",
            "url": reverse("monitoring:dashboard"),
            "note": " · ".join(note),
        }
    ]
    if actor_for(request.user).is_ministry:
        from .models import RefreshRun, RefreshStatus

        running = RefreshRun.objects.filter(status__in=[RefreshStatus.PENDING, RefreshStatus.RUNNING]).first()
        if running:
            panels.append(
                {
                    "title": _("지표 재산출 진행 중"),
                    "value": f"{running.progress}%",
                    "url": reverse("monitoring:refresh"),
                    "note": running.phase,
                }
            )
    return panels
