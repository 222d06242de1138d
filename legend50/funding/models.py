"""Projects and their money: agreements (협약), yearly allocations by source, disbursements (tranches),
spending reports with evidence, plan changes, year-end settlements (정산), KPI actuals and annual reviews.

Money is integer won everywhere. An allocation row keeps a running `disbursed_krw` that the
disbursement service moves with a conditional UPDATE under a row lock, and a check constraint makes
over-disbursement impossible even if a service were bypassed.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.actors import Role
from legend50.core.models import DomainModel
from legend50.programs.models import FundingSource

PROVINCE_ROLES = (Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER, Role.INSTITUTION_STAFF)


def _project_money_scope(queryset, actor, action, prefix):
    """Money records: ministry all; auditors read; a province's officers read their own projects'
    money (their writes go through the project: reports, plan changes, settlements); nobody else,
    including the public."""
    if actor.is_ministry:
        return queryset
    if action not in ("view", "export"):
        return queryset.none()
    if actor.is_auditor:
        return queryset
    if actor.has_role(*PROVINCE_ROLES):
        return queryset.filter(**{f"{prefix}lead_region__code__in": actor.region_codes})
    return queryset.none()


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("수행 중")
    REDUCED = "reduced", _("감액 지속")
    STOPPED = "stopped", _("중단")
    COMPLETED = "completed", _("종료")


class Project(DomainModel):
    """A selected proposal, funded under an agreement (협약) for the call's period."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.PROTECT, related_name="project")
    title = models.CharField(_("과제명"), max_length=300)
    lead_region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="projects")
    start_year = models.PositiveSmallIntegerField(_("시작 연도"))
    end_year = models.PositiveSmallIntegerField(_("종료 연도"))
    is_published = models.BooleanField(_("공개"), default=True)
    status = models.CharField(
        _("상태"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE, db_index=True
    )
    decision = models.ForeignKey(
        "selection.Decision",
        verbose_name=_("선정 결정"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["lead_region__code", "title"]
        verbose_name = _("선정 과제")
        verbose_name_plural = _("선정 과제")

    def __str__(self):
        return self.title

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @classmethod
    def scope(cls, queryset, actor, action):
        if actor.is_ministry:
            return queryset
        if actor.is_auditor:
            return queryset if action in ("view", "view_money", "export") else queryset.none()
        own = Q(pk__in=[])
        if actor.has_role(*PROVINCE_ROLES):
            own = Q(lead_region__code__in=actor.region_codes)
        if action == "view":
            return queryset.filter(own | Q(is_published=True))
        return queryset.filter(own)


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("협약 준비")
    SIGNED = "signed", _("협약 체결")


class Agreement(DomainModel):
    """The 협약 of a project: period and signing; its money lives in the allocations."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="agreement")
    number = models.CharField(_("협약 번호"), max_length=40, unique=True)
    status = models.CharField(
        _("상태"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    period_start = models.DateField(_("협약 시작일"))
    period_end = models.DateField(_("협약 종료일"))
    signed_on = models.DateField(_("체결일"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("비고"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("협약")
        verbose_name_plural = _("협약")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="agreement_period_order"
            )
        ]

    def __str__(self):
        return self.number

    @classmethod
    def scope(cls, queryset, actor, action):
        return _project_money_scope(queryset, actor, action, "project__")


class Allocation(DomainModel):
    """A project's money for one year and one source: requested, allocated (adjusted with a reason),
    carried in from last year's settlement, and disbursed so far."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="allocations")
    year = models.PositiveSmallIntegerField(_("연도"))
    source = models.CharField(_("재원"), max_length=20, choices=FundingSource.choices)
    requested_krw = models.BigIntegerField(_("신청액(원)"), default=0)
    amount_krw = models.BigIntegerField(_("배정액(원)"), default=0)
    carried_in_krw = models.BigIntegerField(_("이월액(원)"), default=0)
    disbursed_krw = models.BigIntegerField(_("집행(교부)액(원)"), default=0)
    adjustment_reason = models.CharField(_("조정 사유"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "year", "source"]
        verbose_name = _("연도별 배정")
        verbose_name_plural = _("연도별 배정")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "source"], name="allocation_unique"),
            models.CheckConstraint(
                condition=Q(requested_krw__gte=0)
                & Q(amount_krw__gte=0)
                & Q(carried_in_krw__gte=0)
                & Q(disbursed_krw__gte=0),
                name="allocation_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(disbursed_krw__lte=F("amount_krw") + F("carried_in_krw")),
                name="allocation_not_overdisbursed",
            ),
        ]

    def __str__(self):
        return f"{self.project} {self.year} {self.get_source_display()}"

    @property
    def available_krw(self) -> int:
        return self.amount_krw + self.carried_in_krw

    @property
    def remaining_krw(self) -> int:
        return self.available_krw - self.disbursed_krw

    @classmethod
    def scope(cls, queryset, actor, action):
        return _project_money_scope(queryset, actor, action, "project__")


class Disbursement(DomainModel):
    """One tranche paid against an allocation."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="disbursements")
    tranche = models.PositiveSmallIntegerField(_("차수"))
    amount_krw = models.BigIntegerField(_("금액(원)"))
    paid_on = models.DateField(_("교부일"))
    memo = models.CharField(_("메모"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["allocation", "tranche"]
        verbose_name = _("교부")
        verbose_name_plural = _("교부")
        constraints = [
            models.UniqueConstraint(fields=["allocation", "tranche"], name="disbursement_unique_tranche"),
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="disbursement_positive"),
        ]

    @classmethod
    def scope(cls, queryset, actor, action):
        return _project_money_scope(queryset, actor, action, "allocation__project__")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("제출")
    ACCEPTED = "accepted", _("확인")
    RETURNED = "returned", _("보완 요청")


class SpendingReport(DomainModel):
    """What a project spent in a year from one source, with evidence files."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="spending_reports")
    year = models.PositiveSmallIntegerField(_("연도"))
    source = models.CharField(_("재원"), max_length=20, choices=FundingSource.choices)
    amount_krw = models.BigIntegerField(_("집행액(원)"))
    description = models.TextField(_("집행 내용"))
    status = models.CharField(
        _("상태"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    review_note = models.CharField(_("검토 의견"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "year", "source", "created_at"]
        verbose_name = _("집행 실적 보고")
        verbose_name_plural = _("집행 실적 보고")
        constraints = [models.CheckConstraint(condition=Q(amount_krw__gt=0), name="spending_positive")]

    @classmethod
    def scope(cls, queryset, actor, action):
        return _project_money_scope(queryset, actor, action, "project__")


def evidence_path(instance, filename):
    return f"funding/evidence/{instance.report.project_id}/{instance.sha256[:2]}/{instance.sha256}"


class SpendingEvidence(DomainModel):
    report = models.ForeignKey(SpendingReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("증빙 파일"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("파일명"), max_length=255)
    size = models.PositiveIntegerField(_("크기(바이트)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "original_name"]
        verbose_name = _("증빙 파일")
        verbose_name_plural = _("증빙 파일")

    @classmethod
    def scope(cls, queryset, actor, action):
        return _project_money_scope(queryset, actor, action, "report__project__")


class ChangeStatus(models.TextChoices):
    REQUESTED = "requested", _("요청")
    APPROVED = "approved", _("승인")
    REJECTED = "rejected", _("반려")


class PlanChange(DomainModel):
    """A province's request to change its project's yearly allocations; the ministry decides.
    `changes` is a list of {"year": int, "source": str, "amount_krw": int} (new allocated amounts)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plan_changes")
    reason = models.TextField(_("변경 사유"))
    changes = models.JSONField(_("변경 내용"), default=list)
    status = models.CharField(
        _("상태"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("결정 시각"), null=True, blank=True)
    decision_note = models.CharField(_("결정 의견"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("계획 변경")
        verbose_name_plural = _("계획 변경")

    @classmethod
    def scope(cls, queryset, actor, action):
        return _project_money_scope(queryset, actor, action, "project__")


class SettlementStatus(models.TextChoices):
    SUBMITTED = "submitted", _("정산 제출")
    CLOSED = "closed", _("정산 완료")


class Settlement(DomainModel):
    """Year-end settlement (정산) of one allocation: what was disbursed but not spent is returned, or
    carried over to next year's allocation of the same source only when the ministry approves."""

    allocation = models.OneToOneField(Allocation, on_delete=models.PROTECT, related_name="settlement")
    disbursed_krw = models.BigIntegerField(_("교부액(원)"))
    spent_krw = models.BigIntegerField(_("집행액(원)"))
    unspent_krw = models.BigIntegerField(_("잔액(원)"))
    carry_over_requested_krw = models.BigIntegerField(_("이월 요청액(원)"), default=0)
    carried_over_krw = models.BigIntegerField(_("이월액(원)"), default=0)
    returned_krw = models.BigIntegerField(_("반납액(원)"), default=0)
    lapsed_krw = models.BigIntegerField(_("미교부 소멸액(원)"), default=0)
    status = models.CharField(
        _("상태"), max_length=20, choices=SettlementStatus.choices, default=SettlementStatus.SUBMITTED
    )
    note = models.CharField(_("비고"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("정산 완료 시각"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["allocation__project", "allocation__year", "allocation__source"]
        verbose_name = _("정산")
        verbose_name_plural = _("정산")
        constraints = [
            models.CheckConstraint(
                condition=Q(unspent_krw=F("disbursed_krw") - F("spent_krw")) & Q(unspent_krw__gte=0),
                name="settlement_unspent_exact",
            ),
            models.CheckConstraint(
                condition=Q(carried_over_krw__gte=0) & Q(returned_krw__gte=0) & Q(lapsed_krw__gte=0),
                name="settlement_nonnegative",
            ),
        ]

    @classmethod
    def scope(cls, queryset, actor, action):
        return _project_money_scope(queryset, actor, action, "allocation__project__")


class KpiActual(DomainModel):
    """A project's measured value of one of its proposal's KPIs in a year (the monitoring app rolls
    these up). `kpi_key` matches the proposal's KPI target key; label and unit are copied so the row
    reads on its own; `target_value` is the proposal's target for that year at the time of entry."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="kpi_actuals")
    year = models.PositiveSmallIntegerField(_("연도"))
    kpi_key = models.CharField(_("성과지표 키"), max_length=60)
    label = models.CharField(_("성과지표"), max_length=200, blank=True)
    unit = models.CharField(_("단위"), max_length=20, blank=True)
    target_value = models.DecimalField(_("목표"), max_digits=18, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(_("실적"), max_digits=18, decimal_places=2)
    note = models.CharField(_("비고"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "year", "kpi_key"]
        verbose_name = _("성과지표 실적")
        verbose_name_plural = _("성과지표 실적")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "kpi_key"], name="kpi_actual_unique")
        ]

    @property
    def achievement(self):
        if self.target_value in (None, 0):
            return None
        return self.value / self.target_value

    @classmethod
    def scope(cls, queryset, actor, action):
        return _project_money_scope(queryset, actor, action, "project__")


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", _("계속 지원")
    REDUCE = "reduce", _("감액 지원")
    STOP = "stop", _("지원 중단")


class AnnualReview(DomainModel):
    """The ministry's yearly performance review of a project; next year's allocation follows it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="annual_reviews")
    year = models.PositiveSmallIntegerField(_("평가 연도"))
    score = models.DecimalField(_("성과 점수"), max_digits=5, decimal_places=2)
    decision = models.CharField(_("결정"), max_length=20, choices=ReviewDecision.choices)
    reduce_percent = models.PositiveSmallIntegerField(_("감액 비율(%)"), default=0)
    comment = models.TextField(_("평가 의견"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_on = models.DateField(_("평가일"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("연차 평가")
        verbose_name_plural = _("연차 평가")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="annual_review_unique"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="annual_review_score_range"
            ),
            models.CheckConstraint(
                condition=(Q(decision="reduce") & Q(reduce_percent__gte=1) & Q(reduce_percent__lte=99))
                | (~Q(decision="reduce") & Q(reduce_percent=0)),
                name="annual_review_reduce_percent",
            ),
        ]

    @classmethod
    def scope(cls, queryset, actor, action):
        return _project_money_scope(queryset, actor, action, "project__")
