from django.urls import reverse
from django.utils.translation import gettext as _

from legend50.core.actors import actor_for


def items(user):
    actor = actor_for(user)
    rows = [{"label": _("선정 과제"), "url": reverse("funding:list")}]
    if actor.reads_everything or actor.region_codes:
        rows.append({"label": _("예산 현황"), "url": reverse("funding:board")})
    return rows


def panels(request):
    actor = actor_for(request.user)
    if not actor.is_ministry:
        return []
    from .models import ChangeStatus, PlanChange, ReportStatus, SpendingReport

    return [
        {
            "title": _("승인 대기 계획 변경"),
            "value": PlanChange.objects.filter(status=ChangeStatus.REQUESTED).count(),
            "url": reverse("funding:list"),
        },
        {
            "title": _("검토 대기 집행 실적"),
            "value": SpendingReport.objects.filter(status=ReportStatus.SUBMITTED).count(),
            "url": reverse("funding:list"),
        },
    ]
