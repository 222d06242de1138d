from django.urls import reverse
from django.utils.translation import gettext as _


def items(user):
    return [{"label": _("사업 소개"), "url": reverse("programs:list")}]
