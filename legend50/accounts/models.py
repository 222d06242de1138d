from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.actors import Role
from legend50.core.models import TimeStampedModel


class Membership(TimeStampedModel):
    """A user's role in an organization; all access follows from these rows (and, for experts,
    from their assignments)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("역할"), max_length=30, choices=Role.choices)
    title = models.CharField(_("직위"), max_length=100, blank=True)
    is_active = models.BooleanField(_("활성"), default=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role")
        ]
        verbose_name = _("소속·역할")
        verbose_name_plural = _("소속·역할")

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.get_role_display()}"
