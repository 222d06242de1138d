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
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("공모")
        verbose_name_plural = _("공모")

    def __str__(self):
        return self.title

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @classmethod
    def scope(cls, queryset, actor, action):
        if action == "view":
            return queryset if actor.reads_everything else queryset.filter(is_public=True)
        return queryset if actor.is_ministry else queryset.none()
