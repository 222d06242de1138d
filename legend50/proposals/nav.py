from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors import proposal_list


def items(user):
    if not user.is_authenticated:
        return []
    return [{"label": _("제안 과제"), "url": reverse("proposals:list")}]


def panels(request):
    if not request.user.is_authenticated:
        return []
    visible = proposal_list(request.user)
    return [{"title": _("볼 수 있는 제안 과제"), "value": visible.count(), "url": reverse("proposals:list")}]
