from django.urls import reverse
from django.utils.translation import gettext as _


def items(user):
    return [{"label": _("기관"), "url": reverse("registry:organizations")}]
