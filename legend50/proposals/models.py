from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.actors import Role
from legend50.core.models import DomainModel
from legend50.programs.models import FundingSource

from .choices import AttachmentKind, BudgetCategory, FeedbackSection, KpiKey, RoundStatus


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
    # Content (edited by the province's officers and the consortium's institution staff).
    background = models.TextField(_("추진배경"), blank=True)
    direction = models.TextField(_("추진방향"), blank=True)
    objectives = models.TextField(_("목표"), blank=True)
    ksic_section = models.CharField(_("대상 산업(KSIC 대분류)"), max_length=1, blank=True)
    ksic_division = models.CharField(_("대상 산업(KSIC 중분류)"), max_length=2, blank=True)
    ksic_revision = models.CharField(_("KSIC 차수"), max_length=10, blank=True, default="11")
    regional_policies = models.JSONField(_("연계 지역정책"), default=list, blank=True)
    tags = models.JSONField(_("태그"), default=list, blank=True)
    # Workflow facts.
    submitted_at = models.DateTimeField(_("최초 제출 시각"), null=True, blank=True)
    last_submitted_at = models.DateTimeField(_("최근 제출 시각"), null=True, blank=True)
    revision_due_at = models.DateTimeField(_("보완 제출 기한"), null=True, blank=True)
    # Optimistic concurrency: every save through the services increments it; a save from an older
    # copy is refused.
    lock_version = models.PositiveIntegerField(_("편집 버전"), default=1)
    updated_by = models.ForeignKey(
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
            return queryset if action in ("view", "export") else queryset.none()
        own = Q(pk__in=[])
        if actor.has_role(Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER):
            own = Q(lead_region__code__in=actor.region_codes)
        staff_orgs = actor.organizations_with_role(Role.INSTITUTION_STAFF)
        if staff_orgs:
            # Institution staff invited to the consortium work on the proposal with the province.
            own |= Q(
                pk__in=ConsortiumMember.objects.filter(organization_id__in=staff_orgs).values("proposal_id")
            )
        if action == "view":
            return queryset.filter(own | Q(is_published=True))
        return queryset.filter(own)

    @classmethod
    def read_scopes(cls, actor, action) -> list[str] | None:
        """The page-cache scopes (legend50.core.pagecache.SCOPED_TABLES) holding every row `scope()`
        lets this actor read, or None when they are not narrower than the whole table. Mirrors
        `scope()`: a province's officers and its SME office read their provinces' and published rows;
        anyone with more (ministry, auditors, institution staff, an app's extension) gets None."""
        from legend50.core.scoping import extension_q

        if actor.is_ministry or actor.is_auditor or actor.organizations_with_role(Role.INSTITUTION_STAFF):
            return None
        if extension_q(cls, actor, action) is not None:
            return None
        scopes = []
        if actor.has_role(Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER):
            scopes = [f"proposals-of-region:{code}" for code in sorted(actor.region_codes)]
        if action == "view":
            scopes.append("proposals-published")
        return scopes

    @classmethod
    def surely_in_scope(cls, actor, action, proposal) -> bool:
        """True when `scope()` (widened by extensions, which only add rows) certainly lets the actor
        act on this already-loaded proposal, decided without a query; False means "ask the database".
        Mirrors the rules above: ministry reads all, auditors view/export all, a province's officers and
        its SME office act on proposals led by their provinces, anyone views published ones."""
        if actor.is_ministry:
            return True
        if actor.is_auditor:
            return action in ("view", "export")
        if action == "view" and proposal.is_published:
            return True
        lead_region = proposal._state.fields_cache.get("lead_region")
        return (
            lead_region is not None
            and actor.has_role(Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER)
            and lead_region.code in actor.region_codes
        )

    @property
    def is_editable(self) -> bool:
        return self.status in (ProposalStatus.DRAFT, ProposalStatus.REVISION_REQUESTED)

    @property
    def ksic_label(self) -> str:
        from .choices import KSIC_SECTION_LABELS, division_label

        if not self.ksic_section:
            return ""
        text = f"{self.ksic_section} {KSIC_SECTION_LABELS.get(self.ksic_section, '')}"
        if self.ksic_division:
            text += f" › {self.ksic_division} {division_label(self.ksic_division)}"
        return text

    @property
    def policy_labels(self) -> list[str]:
        from .choices import RegionalPolicy

        labels = dict(RegionalPolicy.choices)
        return [str(labels.get(p, p)) for p in self.regional_policies]


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
    responsibility = models.CharField(_("담당 업무"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "organization"], name="consortium_unique_member")
        ]
        ordering = ["proposal", "order", "pk"]
        verbose_name = _("컨소시엄 참여기관")
        verbose_name_plural = _("컨소시엄 참여기관")

    def __str__(self):
        return f"{self.organization} ({self.get_role_display()})"


class ProposalFirm(models.Model):
    """A firm registered as a participant in a proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="participating_firms")
    firm = models.ForeignKey("firms.Firm", on_delete=models.PROTECT, related_name="proposal_links")
    note = models.CharField(_("참여 내용"), max_length=300, blank=True)
    added_at = models.DateTimeField(_("등록 시각"), auto_now_add=True, null=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "firm"], name="proposal_firm_unique")]
        verbose_name = _("참여기업")
        verbose_name_plural = _("참여기업")


class ProposalKpi(models.Model):
    """A KPI of the proposal: baseline and a target for each year of the call's period."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="kpis")
    key = models.CharField(_("지표"), max_length=30, choices=KpiKey.choices)
    label = models.CharField(_("지표명"), max_length=200)
    unit = models.CharField(_("단위"), max_length=20, blank=True)
    baseline = models.DecimalField(_("기준값"), max_digits=16, decimal_places=2)
    baseline_year = models.PositiveSmallIntegerField(_("기준 연도"))
    targets = models.JSONField(_("연도별 목표"), default=dict)  # {"2024": "120", ...}
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "order", "pk"]
        verbose_name = _("성과지표")
        verbose_name_plural = _("성과지표")

    def __str__(self):
        return self.label

    def target_for(self, year: int):
        from decimal import Decimal

        value = self.targets.get(str(year))
        return Decimal(str(value)) if value not in (None, "") else None


class BudgetLine(models.Model):
    """One line of the budget plan: year × funding source × category, integer won."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("연도"))
    source = models.CharField(_("재원"), max_length=20, choices=FundingSource.choices)
    category = models.CharField(_("비목"), max_length=30, choices=BudgetCategory.choices)
    description = models.CharField(_("내용"), max_length=300, blank=True)
    amount_krw = models.BigIntegerField(_("금액(원)"))
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "year", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="budget_line_amount_positive"),
        ]
        verbose_name = _("예산 항목")
        verbose_name_plural = _("예산 항목")

    def __str__(self):
        return f"{self.year} {self.get_source_display()} {self.get_category_display()} {self.amount_krw}"


def attachment_upload_to(instance, filename):
    # The storage name is generated; the uploaded name is kept only as data.
    return f"proposals/{instance.proposal_id}/{filename}"


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("파일"), upload_to=attachment_upload_to, max_length=300)
    original_name = models.CharField(_("파일명"), max_length=255)
    kind = models.CharField(_("형식"), max_length=10, choices=AttachmentKind.choices)
    size = models.BigIntegerField(_("크기(바이트)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("설명"), max_length=300, blank=True)
    # In blind evaluations experts receive only the versions the province marked as anonymised.
    is_blind_version = models.BooleanField(_("블라인드용(익명 처리본)"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("등록 시각"), auto_now_add=True)
    # Removed from the current draft; the file is kept because frozen versions refer to it.
    removed_at = models.DateTimeField(_("삭제 시각"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "uploaded_at", "pk"]
        verbose_name = _("첨부파일")
        verbose_name_plural = _("첨부파일")

    def __str__(self):
        return self.original_name


class ImmutableVersionError(Exception):
    pass


class ProposalVersion(models.Model):
    """A frozen, immutable snapshot of the proposal taken at each submission."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("버전"))
    reason = models.CharField(_("사유"), max_length=30)  # submitted / resubmitted
    snapshot = models.JSONField(_("스냅숏"))
    sha256 = models.CharField(_("스냅숏 SHA-256"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("제출 시각"), auto_now_add=True)
    is_sample = models.BooleanField(default=False)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_unique")]
        verbose_name = _("제출 버전")
        verbose_name_plural = _("제출 버전")

    def __str__(self):
        return f"{self.proposal_id} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise ImmutableVersionError("a proposal version cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableVersionError("a proposal version cannot be deleted")


class ProposalTransition(models.Model):
    """The workflow log: who moved the proposal from which state to which, when, and why."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("처리"), max_length=40)
    from_status = models.CharField(_("이전 상태"), max_length=30, choices=ProposalStatus.choices)
    to_status = models.CharField(_("이후 상태"), max_length=30, choices=ProposalStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("일시"), auto_now_add=True)
    note = models.TextField(_("메모"), blank=True)
    version = models.ForeignKey(
        ProposalVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["proposal", "at", "pk"]
        verbose_name = _("상태 변경 기록")
        verbose_name_plural = _("상태 변경 기록")

    @property
    def action_label(self) -> str:
        from .workflow import BY_ACTION

        transition = BY_ACTION.get(self.action)
        return str(transition.label) if transition else self.action


class ConsultingAssignment(models.Model):
    """A consultant expert assigned by the ministry to a proposal (sees it, leaves feedback)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="consulting_assignments")
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consulting_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(_("배정 시각"), auto_now_add=True)
    is_active = models.BooleanField(_("활성"), default=True)
    is_sample = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "expert"], name="consulting_assignment_unique")
        ]
        verbose_name = _("컨설팅 배정")
        verbose_name_plural = _("컨설팅 배정")

    def __str__(self):
        return f"{self.proposal_id} · {self.expert}"


class ConsultingRound(models.Model):
    """One consulting round: opened on a submitted version, may end in a revision request."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="consulting_rounds")
    number = models.PositiveSmallIntegerField(_("차수"))
    version = models.ForeignKey(
        ProposalVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("상태"), max_length=30, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    opened_at = models.DateTimeField(_("시작"), auto_now_add=True)
    revision_message = models.TextField(_("보완 요청 내용"), blank=True)
    revision_due_at = models.DateTimeField(_("보완 제출 기한"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("보완 요청 시각"), null=True, blank=True)
    closed_at = models.DateTimeField(_("종료"), null=True, blank=True)
    resubmitted_version = models.ForeignKey(
        ProposalVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_sample = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="consulting_round_unique")]
        verbose_name = _("컨설팅 차수")
        verbose_name_plural = _("컨설팅 차수")


class ConsultingFeedback(models.Model):
    round = models.ForeignKey(ConsultingRound, on_delete=models.CASCADE, related_name="feedback")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    section = models.CharField(_("항목"), max_length=20, choices=FeedbackSection.choices)
    comment = models.TextField(_("의견"))
    created_at = models.DateTimeField(_("작성 시각"), auto_now_add=True)
    is_sample = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "created_at", "pk"]
        verbose_name = _("컨설팅 의견")
        verbose_name_plural = _("컨설팅 의견")
