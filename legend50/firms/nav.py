from django.urls import reverse
from django.utils.translation import gettext as _


def items(user):
    if not getattr(user, "is_authenticated", False):
        return []
    return [{"label": _("기업"), "url": reverse("firms:list")}]


def panels(request):
    from .models import Firm

    user = request.user
    if not getattr(user, "is_authenticated", False):
        return []
    firms = Firm.objects.visible_to(user, "view")
    count = firms.count()
    if not count:
        return []
    return [
        {
            "title": _("등록 기업"),
            "value": f"{count:,}",
            "url": reverse("firms:list"),
            "note": _("규모 산정: 소기업 %(s)s · 중기업 %(m)s")
            % {"s": firms.filter(size_class="small").count(), "m": firms.filter(size_class="medium").count()},
        }
    ]
