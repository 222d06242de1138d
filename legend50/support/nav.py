from django.urls import reverse
from django.utils.translation import gettext as _


def items(user):
    entries = [{"label": _("지원사업"), "url": reverse("support:instruments")}]
    if getattr(user, "is_authenticated", False):
        from .selectors import can_see_report

        entries.append({"label": _("참여기업"), "url": reverse("support:participations")})
        if can_see_report(user):
            entries.append({"label": _("지원 집중도"), "url": reverse("support:concentration")})
    return entries


def panels(request):
    from django.utils import timezone

    from .models import SupportAward

    user = request.user
    if not getattr(user, "is_authenticated", False):
        return []
    awards = SupportAward.objects.visible_to(user, "view").filter(
        year=timezone.localdate().year, status="recorded"
    )
    count = awards.count()
    if not count:
        return []
    flagged = awards.exclude(flags=[]).count()
    return [
        {
            "title": _("올해 지원 실적"),
            "value": f"{count:,}",
            "url": reverse("support:awards") + f"?year={timezone.localdate().year}",
            "note": _("중복지원 점검 대상 %(n)s건") % {"n": flagged},
        }
    ]
