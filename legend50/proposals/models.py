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
    # Written by the evaluation app when the panel finalizes the ranking; read by selection.
    final_score = models.DecimalField(_("최종 점수"), max_digits=7, decimal_places=3, null=True, blank=True)
    passes_thresholds = models.BooleanField(_("과락 통과"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("순위"), null=True, blank=True)
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


class ConsortiumRole(models.TextChoices):
    LEAD = "lead", _("주관(지방정부)")
    REGIONAL_SME_OFFICE = "regional_sme_office", _("지방중소벤처기업청")
    INNOVATION_INSTITUTION = "innovation_institution", _("지역혁신기관")
    SUPPORT_AGENCY = "support_agency", _("지원기관")


class ConsortiumMember(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="consortium")
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="consortia"
    )
    role = models.CharField(_("역할"), max_length=30, choices=ConsortiumRole.choices)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "organization"], name="consortium_unique_member")
        ]
        verbose_name = _("컨소시엄 참여기관")
        verbose_name_plural = _("컨소시엄 참여기관")

    def __str__(self):
        return f"{self.organization} ({self.get_role_display()})"


class ProposalFirm(models.Model):
    """A firm registered as a participant in a proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="participating_firms")
    firm = models.ForeignKey("firms.Firm", on_delete=models.PROTECT, related_name="proposal_links")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "firm"], name="proposal_firm_unique")]
        verbose_name = _("참여기업")
        verbose_name_plural = _("참여기업")
