from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.actors import Role
from legend50.core.models import DomainModel


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("작성 중")
    SUBMITTED = "submitted", _("제출")
    IN_CONSULTING = "in_consulting", _("컨설팅 중")
    REVISION_REQUESTED = "revision_requested", _("보완 요청")
    RESUBMITTED = "resubmitted", _("재제출")
    UNDER_REVIEW = "under_review", _("평가 중")
    SELECTED = "selected", _("선정")
    RESERVE = "reserve", _("예비")
    NOT_SELECTED = "not_selected", _("미선정")
    WITHDRAWN = "withdrawn", _("철회")


class Proposal(DomainModel):
    """A regional specialization project proposed by a province for a call."""

    call = models.ForeignKey("programs.Call", on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("과제명"), max_length=300)
    lead_region = models.ForeignKey(
        "registry.Region", verbose_name=_("주관 시·도"), on_delete=models.PROTECT, related_name="proposals"
    )
    status = models.CharField(
        _("상태"), max_length=30, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT, db_index=True
    )
    summary = models.TextField(_("요약"), blank=True)
    is_published = models.BooleanField(_("공개"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["lead_region__code", "title"]
        verbose_name = _("제안 과제")
        verbose_name_plural = _("제안 과제")

    def __str__(self):
        return self.title

    @classmethod
    def scope(cls, queryset, actor, action):
        """Ministry and auditors read all (auditors change nothing); a province's officers and its
        regional SME office see their province's proposals; anyone sees published ones. Experts and
        consortium staff get access through scope extensions registered by the apps that grant it."""
        if actor.is_ministry:
            return queryset
        if actor.is_auditor:
            return queryset if action == "view" else queryset.none()
        own = Q(pk__in=[])
        if actor.has_role(Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER):
            own = Q(lead_region__code__in=actor.region_codes)
        if action == "view":
            return queryset.filter(own | Q(is_published=True))
        return queryset.filter(own)
