from django.urls import reverse
from django.utils.translation import gettext as _


def items(user):
    if not getattr(user, "is_authenticated", False):
        return []
    from .services import unread_count

    count = unread_count(user)
    label = _("알림") + (f" ({count})" if count else "")
    return [{"label": label, "url": reverse("activity:inbox")}]
