from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.models import DomainModel


class FundingSource(models.TextChoices):
    NATIONAL = "national", _("국비")
    LOCAL = "local", _("지방비")
    PRIVATE = "private", _("민간")


class Program(DomainModel):
    """A ministry program such as 『레전드 50⁺』: period, envelope, directions and targets."""

    code = models.SlugField(_("사업 코드"), max_length=40, unique=True)
    name = models.CharField(_("사업명"), max_length=200)
    name_en = models.CharField(_("영문 사업명"), max_length=200, blank=True)
    start_year = models.PositiveSmallIntegerField(_("시작 연도"))
    end_year = models.PositiveSmallIntegerField(_("종료 연도"))
    announced_on = models.DateField(_("발표일"), null=True, blank=True)
    summary = models.TextField(_("개요"), blank=True)
    directions = models.JSONField(_("기본방향"), default=list, blank=True)
    proposed_count = models.PositiveIntegerField(_("제안 과제 수"), null=True, blank=True)
    selected_count = models.PositiveIntegerField(_("선정 과제 수"), null=True, blank=True)
    source_reference = models.CharField(_("출처"), max_length=300, blank=True)
    is_public = models.BooleanField(_("공개"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_year", "name"]
        verbose_name = _("사업")
        verbose_name_plural = _("사업")

    def __str__(self):
        return self.name

    @classmethod
    def scope(cls, queryset, actor, action):
        if action == "view":
            return queryset if actor.reads_everything else queryset.filter(is_public=True)
        return queryset if actor.is_ministry else queryset.none()


class EnvelopeKind(models.TextChoices):
    PLANNED = "planned", _("계획")
    COMMITTED = "committed", _("확정")


class ProgramEnvelope(models.Model):
    """Money for a program year by source; plan and actual commitment are kept side by side."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="envelopes")
    year = models.PositiveSmallIntegerField(_("연도"))
    source = models.CharField(_("재원"), max_length=20, choices=FundingSource.choices, blank=True)
    kind = models.CharField(_("구분"), max_length=20, choices=EnvelopeKind.choices)
    amount_krw = models.BigIntegerField(_("금액(원)"))
    note = models.CharField(_("비고"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "kind", "source"]
        constraints = [
            models.UniqueConstraint(fields=["program", "year", "source", "kind"], name="envelope_unique"),
            models.CheckConstraint(condition=models.Q(amount_krw__gte=0), name="envelope_amount_nonnegative"),
        ]
        verbose_name = _("재원 규모")
        verbose_name_plural = _("재원 규모")


class Target(models.Model):
    """A program's national target (K-SME 50+): an indicator key, a value and a year."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="targets")
    indicator_key = models.CharField(_("지표"), max_length=60)
    label = models.CharField(_("목표"), max_length=200)
    target_share = models.DecimalField(_("목표 비중"), max_digits=5, decimal_places=4)
    target_year = models.PositiveSmallIntegerField(_("목표 연도"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["program", "indicator_key"], name="target_unique")]


class Call(DomainModel):
    """A call for proposals under a program (the 2024 call ran in 2023 for 2024–2026)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="calls")
    code = models.SlugField(_("공모 코드"), max_length=40, unique=True)
    title = models.CharField(_("공모명"), max_length=200)
    round = models.PositiveSmallIntegerField(_("차수"), default=1)
    opens_at = models.DateTimeField(_("접수 시작"))
    closes_at = models.DateTimeField(_("접수 마감"))
    start_year = models.PositiveSmallIntegerField(_("사업 시작 연도"))
    end_year = models.PositiveSmallIntegerField(_("사업 종료 연도"))
    is_public = models.BooleanField(_("공개"), default=True)
    # Eligibility and evaluation settings (the proposals and evaluation apps read these).
    max_proposals_per_province = models.PositiveSmallIntegerField(_("시·도별 최대 제안 수"), default=3)
    min_local_share_bp = models.PositiveIntegerField(
        _("최소 지방비 매칭 비율(bp)"), default=3000, help_text=_("만분율: 3000 = 30%")
    )
    overall_threshold = models.DecimalField(
        _("총점 과락 기준"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    aggregation_method = models.CharField(
        _("점수 집계 방식"),
        max_length=20,
        default="auto",
        choices=[
            ("auto", _("5인 이상이면 최고·최저 제외 평균, 아니면 평균")),
            ("mean", _("평균")),
            ("trimmed", _("최고·최저 제외 평균")),
        ],
    )
    calibrate_scores = models.BooleanField(_("평가위원별 표준화(z-score) 보정"), default=False)
    tie_break = models.JSONField(_("동점 처리 순서(평가항목 키)"), default=list, blank=True)
    blind_review = models.BooleanField(_("블라인드 평가"), default=False)
    coi_same_region = models.BooleanField(_("주관 시·도와 같은 지역 전문가 배제"), default=True)
    reviewers_per_proposal = models.PositiveSmallIntegerField(_("과제당 평가위원 수"), default=5)
    objection_days = models.PositiveSmallIntegerField(_("이의신청 기간(일)"), default=7)
    # Eligibility of the consortium (checked when a proposal is submitted).
    description = models.TextField(_("공모 안내"), blank=True)
    require_local_government_lead = models.BooleanField(_("주관기관은 지방정부"), default=True)
    require_regional_office = models.BooleanField(_("관할 지방중소벤처기업청 참여 필수"), default=True)
    min_innovation_institutions = models.PositiveSmallIntegerField(_("최소 지역혁신기관 수"), default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("공모")
        verbose_name_plural = _("공모")

    def __str__(self):
        return self.title

    def is_open(self, at=None) -> bool:
        from django.utils import timezone

        at = at or timezone.now()
        return self.opens_at <= at <= self.closes_at

    @property
    def window_state(self) -> str:
        from django.utils import timezone

        now = timezone.now()
        if now < self.opens_at:
            return "upcoming"
        return "open" if now <= self.closes_at else "closed"

    @property
    def total_score(self):
        return sum((c.max_score for c in self.criteria.all()), 0)

    @property
    def min_local_share(self) -> float:
        return self.min_local_share_bp / 10_000

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @classmethod
    def scope(cls, queryset, actor, action):
        if action == "view":
            return queryset if actor.reads_everything else queryset.filter(is_public=True)
        return queryset if actor.is_ministry else queryset.none()


class RubricCriterion(models.Model):
    """One criterion of a call's evaluation rubric (e.g. 사업 타당성 30점)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(_("키"), max_length=40)
    label = models.CharField(_("평가항목"), max_length=200)
    description = models.TextField(_("설명"), blank=True)
    weight = models.DecimalField(_("가중치"), max_digits=6, decimal_places=3, default=1)
    max_score = models.DecimalField(_("배점"), max_digits=6, decimal_places=2)
    threshold = models.DecimalField(
        _("항목 과락 기준"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "order", "key"]
        constraints = [models.UniqueConstraint(fields=["call", "key"], name="criterion_unique_key")]
        verbose_name = _("평가항목")
        verbose_name_plural = _("평가항목")

    def __str__(self):
        return f"{self.label} ({self.max_score})"


class CallBudget(models.Model):
    """A call's budget envelope by year and funding source, in won."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("연도"))
    source = models.CharField(_("재원"), max_length=20, choices=FundingSource.choices)
    amount_krw = models.BigIntegerField(_("금액(원)"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "year", "source"]
        constraints = [
            models.UniqueConstraint(fields=["call", "year", "source"], name="call_budget_unique"),
            models.CheckConstraint(condition=models.Q(amount_krw__gte=0), name="call_budget_nonnegative"),
        ]
        verbose_name = _("공모 예산")
        verbose_name_plural = _("공모 예산")

    def __str__(self):
        return f"{self.year} {self.get_source_display()} {self.amount_krw}"
