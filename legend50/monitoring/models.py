"""Monitoring: the K-SME 50+ indicators, their official and computed observations, firms' yearly
outcomes reported by projects, and the runs that recompute the indicators from firm-level data.

Official figures (the ministry's statistics) and computed figures (from microdata through the
indicators engine) live side by side in `Observation`, told apart by `is_official`; nothing ever
overwrites one with the other, and every chart and export labels which is which.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.actors import Role
from legend50.core.models import DomainModel

from .choices import OutcomeSource, RefreshStatus

PROVINCE_ROLES = (Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER, Role.INSTITUTION_STAFF)


class Indicator(DomainModel):
    """One K-SME 50+ target: a share, its definition, and the target value and year."""

    key = models.SlugField(_("지표 키"), max_length=60, unique=True)
    label = models.CharField(_("지표명"), max_length=200)
    short_label = models.CharField(_("약칭"), max_length=60, blank=True)
    definition = models.TextField(_("정의"), blank=True)
    target = models.DecimalField(_("목표(비율)"), max_digits=7, decimal_places=4, default=Decimal("0.5"))
    target_year = models.PositiveSmallIntegerField(_("목표 연도"), default=2027)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("성과 지표")
        verbose_name_plural = _("성과 지표")

    def __str__(self):
        return self.label

    @classmethod
    def scope(cls, queryset, actor, action):
        # National indicators and their definitions are public; only the ministry edits them.
        if action == "view":
            return queryset
        return queryset if actor.is_ministry else queryset.none()


class Observation(DomainModel):
    """A value of an indicator in a year: official (entered or imported, with its source) or
    computed (from a named dataset by the indicators engine). `region_code` is "" for national."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="observations")
    year = models.PositiveSmallIntegerField(_("연도"))
    region_code = models.CharField(_("시·도 코드"), max_length=2, blank=True, default="")
    value = models.DecimalField(_("값(비율)"), max_digits=9, decimal_places=6)
    is_official = models.BooleanField(_("공식 통계"), default=False)
    # "" for official figures; the computing dataset otherwise (e.g. "microdata").
    dataset = models.CharField(_("산출 자료"), max_length=40, blank=True, default="")
    source = models.TextField(_("출처"), blank=True)
    note = models.TextField(_("비고"), blank=True)
    n_firms = models.PositiveBigIntegerField(_("대상 기업 수"), null=True, blank=True)
    refresh_run = models.ForeignKey(
        "monitoring.RefreshRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator__order", "year", "-is_official"]
        verbose_name = _("지표 관측값")
        verbose_name_plural = _("지표 관측값")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "region_code", "is_official", "dataset"],
                name="observation_unique_series_year",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0) & Q(value__lte=1), name="observation_share_in_unit_interval"
            ),
            # An official figure names no dataset; a computed one always does.
            models.CheckConstraint(
                condition=(Q(is_official=True) & Q(dataset="")) | (Q(is_official=False) & ~Q(dataset="")),
                name="observation_official_xor_dataset",
            ),
        ]

    def __str__(self):
        kind = _("공식") if self.is_official else _("산출")
        return f"{self.indicator} {self.year} {kind} {self.value}"

    @classmethod
    def scope(cls, queryset, actor, action):
        if action == "view":
            return queryset
        return queryset if actor.is_ministry else queryset.none()


def _firm_region_q(actor, prefix: str = "") -> Q:
    return Q(**{f"{prefix}firm__region__code__in": actor.region_codes}) | Q(
        **{f"{prefix}project__lead_region__code__in": actor.region_codes}
    )


class FirmOutcome(DomainModel):
    """A firm's results for one year (integer won), reported by a project or imported from a file.
    One row per firm and year; `project` names the project that reported it, if any."""

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="outcomes")
    year = models.PositiveSmallIntegerField(_("연도"))
    project = models.ForeignKey(
        "funding.Project",
        verbose_name=_("보고 과제"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="firm_outcomes",
    )
    sales_krw = models.BigIntegerField(_("매출액(원)"))
    direct_exports_krw = models.BigIntegerField(_("직접수출액(원)"), default=0)
    indirect_exports_krw = models.BigIntegerField(_("간접수출액(원)"), default=0)
    employees = models.PositiveIntegerField(_("상시근로자 수"), null=True, blank=True)
    rnd_krw = models.BigIntegerField(_("연구개발비(원)"), null=True, blank=True)
    source = models.CharField(_("출처"), max_length=20, choices=OutcomeSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["firm__name", "year"]
        verbose_name = _("기업 성과")
        verbose_name_plural = _("기업 성과")
        constraints = [
            models.UniqueConstraint(fields=["firm", "year"], name="firm_outcome_unique_year"),
            models.CheckConstraint(
                condition=Q(sales_krw__gte=0)
                & Q(direct_exports_krw__gte=0)
                & Q(indirect_exports_krw__gte=0)
                & (Q(rnd_krw__isnull=True) | Q(rnd_krw__gte=0)),
                name="firm_outcome_nonnegative",
            ),
        ]

    def __str__(self):
        return f"{self.firm} {self.year}"

    @property
    def exports_krw(self) -> int:
        return self.direct_exports_krw + self.indirect_exports_krw

    @classmethod
    def scope(cls, queryset, actor, action):
        """Ministry all; auditors read; a province's officers see (and report) outcomes of firms in
        their province or of their province's projects; a firm's users read their own; the public
        sees no firm-level figure (only suppressed aggregates on the dashboard)."""
        if actor.is_ministry:
            return queryset
        if actor.is_auditor:
            return queryset if action in ("view", "export") else queryset.none()
        if not actor.is_authenticated:
            return queryset.none()
        allowed = Q(pk__in=[])
        if actor.has_role(*PROVINCE_ROLES):
            allowed |= _firm_region_q(actor)
        if action == "view":
            allowed |= Q(firm__organization_id__in=actor.organizations_with_role(Role.FIRM_USER))
        return queryset.filter(allowed)


class RefreshRun(DomainModel):
    """One recomputation of the indicators from the national microdata (a Parquet file): the
    parameters, progress for the page, and the per-province results for the tile map."""

    status = models.CharField(
        _("상태"), max_length=20, choices=RefreshStatus.choices, default=RefreshStatus.PENDING
    )
    phase = models.CharField(_("단계"), max_length=200, blank=True)
    progress = models.PositiveSmallIntegerField(_("진행률(%)"), default=0)
    n_firms = models.PositiveIntegerField(_("연도별 기업 수"))
    first_year = models.PositiveSmallIntegerField(_("시작 연도"))
    last_year = models.PositiveSmallIntegerField(_("종료 연도"))
    seed = models.PositiveIntegerField(_("시드"), default=0)
    parquet_path = models.CharField(_("마이크로데이터 파일"), max_length=500, blank=True)
    # {"2022": {"national": {...shares, sums}, "regions": {"27": {...}}}}
    results = models.JSONField(default=dict, blank=True)
    message = models.TextField(_("결과"), blank=True)
    seconds = models.FloatField(_("소요 시간(초)"), null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("지표 재산출")
        verbose_name_plural = _("지표 재산출")

    def __str__(self):
        return f"{self.first_year}–{self.last_year} {self.n_firms:,} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (RefreshStatus.DONE, RefreshStatus.FAILED)

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @classmethod
    def scope(cls, queryset, actor, action):
        if actor.is_ministry:
            return queryset
        if actor.is_auditor and action == "view":
            return queryset
        return queryset.none()
