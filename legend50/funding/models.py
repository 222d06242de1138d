from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.actors import Role
from legend50.core.models import DomainModel


class Project(DomainModel):
    """A selected proposal, funded under an agreement (협약) for the call's period."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.PROTECT, related_name="project")
    title = models.CharField(_("과제명"), max_length=300)
    lead_region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="projects")
    start_year = models.PositiveSmallIntegerField(_("시작 연도"))
    end_year = models.PositiveSmallIntegerField(_("종료 연도"))
    is_published = models.BooleanField(_("공개"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["lead_region__code", "title"]
        verbose_name = _("선정 과제")
        verbose_name_plural = _("선정 과제")

    def __str__(self):
        return self.title

    @classmethod
    def scope(cls, queryset, actor, action):
        if actor.is_ministry:
            return queryset
        if actor.is_auditor:
            return queryset if action == "view" else queryset.none()
        own = Q(pk__in=[])
        if actor.has_role(Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER, Role.INSTITUTION_STAFF):
            own = Q(lead_region__code__in=actor.region_codes)
        if action == "view":
            return queryset.filter(own | Q(is_published=True))
        return queryset.filter(own)
