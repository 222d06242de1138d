from django.urls import reverse
from django.utils.translation import gettext as _


def items(user):
    return [{"label": _("공공데이터"), "url": reverse("opendata:index")}]
