from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.actors import Role
from legend50.core.models import DomainModel

from .choices import (
    AwardStatus,
    InstrumentKind,
    InstrumentScope,
    ParticipationStatus,
    Purpose,
    ShareRounding,
)

REGION_ROLES = (Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER, Role.INSTITUTION_STAFF)


class Instrument(DomainModel):
    """A support instrument (지원사업): central (the ministry's four core instruments) or local
    (registered by a province or an institution). Its rules are data with their source and year."""

    code = models.SlugField(_("코드"), max_length=60, unique=True)
    name = models.CharField(_("지원사업명"), max_length=200)
    name_en = models.CharField(_("영문 명칭"), max_length=200, blank=True)
    level = models.CharField(_("구분"), max_length=10, choices=InstrumentScope.choices)
    kind = models.CharField(_("지원 방식"), max_length=10, choices=InstrumentKind.choices)
    operator = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("운영기관"),
        on_delete=models.PROTECT,
        related_name="operated_instruments",
    )
    provider = models.CharField(_("주관·운영 설명"), max_length=200, blank=True)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("시·도(지역 사업)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instruments",
    )
    purposes = models.JSONField(_("지원 목적"), default=list, blank=True)
    description = models.TextField(_("설명"), blank=True)
    # eligibility
    eligible_size_classes = models.JSONField(_("대상 기업 규모"), default=list, blank=True)
    eligible_region_codes = models.JSONField(_("대상 시·도"), default=list, blank=True)
    manufacturers_only = models.BooleanField(_("제조업(KSIC C)만"), default=False)
    max_average_sales_krw = models.BigIntegerField(_("3개년 평균매출액 상한(원)"), null=True, blank=True)
    # money
    per_firm_cap_krw = models.BigIntegerField(_("기업당 연간 지원 한도(원)"), null=True, blank=True)
    # [{"up_to_krw": 300000000, "percent": 90}, …, {"up_to_krw": null, "percent": 50}] by 3-year average sales
    share_bands = models.JSONField(_("매출 구간별 정부지원 비율"), default=list, blank=True)
    share_rounding = models.CharField(
        _("정부지원금 끝수 처리"),
        max_length=20,
        choices=ShareRounding.choices,
        default=ShareRounding.FLOOR_WON,
    )
    # preferences for participating firms of selected projects
    preferences = models.JSONField(_("참여기업 우대 사항"), default=list, blank=True)
    standard_documents = models.PositiveSmallIntegerField(_("제출서류 수(일반)"), null=True, blank=True)
    participant_documents = models.PositiveSmallIntegerField(
        _("제출서류 수(참여기업)"), null=True, blank=True
    )
    source = models.CharField(_("출처"), max_length=300, blank=True)
    source_year = models.PositiveSmallIntegerField(_("기준 연도"), null=True, blank=True)
    is_active = models.BooleanField(_("운영 중"), default=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["level", "region__code", "name"]
        verbose_name = _("지원사업")
        verbose_name_plural = _("지원사업")

    def __str__(self):
        return self.name

    @property
    def purpose_labels(self) -> list[str]:
        labels = dict(Purpose.choices)
        return [str(labels.get(p, p)) for p in self.purposes or ()]

    @property
    def has_preferences(self) -> bool:
        return bool(self.preferences) or (
            self.participant_documents is not None and self.standard_documents is not None
        )

    @classmethod
    def scope(cls, queryset, actor, action):
        # The catalog is public; only its operator (or the ministry) changes an instrument.
        if action == "view":
            return queryset
        if actor.is_ministry:
            return queryset
        if not actor.is_authenticated:
            return queryset.none()
        own = Q(operator_id__in=actor.organization_ids)
        if action == "change" and actor.has_role(Role.PROVINCE_OFFICER):
            own |= Q(level=InstrumentScope.LOCAL, region__code__in=actor.region_codes)
        return queryset.filter(own)


class InstrumentBudget(DomainModel):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("연도"))
    amount_krw = models.BigIntegerField(_("예산(원)"))
    note = models.CharField(_("비고"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument", "year"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "year"], name="instrument_budget_unique_year")
        ]
        verbose_name = _("지원사업 연도별 예산")
        verbose_name_plural = _("지원사업 연도별 예산")

    @classmethod
    def scope(cls, queryset, actor, action):
        return queryset.filter(instrument__in=Instrument.scope(Instrument.objects.all(), actor, action))


def _firm_scope_q(actor, prefix="firm__"):
    """Rows about firms the actor may read: own firm (firm users), firms of their provinces."""
    q = Q(**{f"{prefix}organization_id__in": actor.organizations_with_role(Role.FIRM_USER)})
    if actor.has_role(*REGION_ROLES):
        q |= Q(**{f"{prefix}region__code__in": actor.region_codes})
    return q


class ProjectParticipation(DomainModel):
    """A firm's application to join a selected project and the lead institution's decision."""

    project = models.ForeignKey("funding.Project", on_delete=models.PROTECT, related_name="participations")
    firm = models.ForeignKey("firms.Firm", on_delete=models.PROTECT, related_name="participations")
    status = models.CharField(
        _("상태"),
        max_length=12,
        choices=ParticipationStatus.choices,
        default=ParticipationStatus.APPLIED,
        db_index=True,
    )
    motivation = models.TextField(_("참여 계획"), blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screened_at = models.DateTimeField(_("심사 일시"), null=True, blank=True)
    decision_note = models.TextField(_("심사 의견"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "firm__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "firm"], name="participation_unique_project_firm")
        ]
        verbose_name = _("프로젝트 참여기업")
        verbose_name_plural = _("프로젝트 참여기업")

    def __str__(self):
        return f"{self.firm} · {self.project}"

    @classmethod
    def scope(cls, queryset, actor, action):
        if actor.is_ministry:
            return queryset
        if actor.is_auditor:
            return queryset if action == "view" else queryset.none()
        if not actor.is_authenticated:
            return queryset.none()
        lead = (
            Q(project__lead_region__code__in=actor.region_codes)
            if actor.has_role(*REGION_ROLES)
            else Q(pk__in=[])
        )
        if action == "screen":
            if actor.has_role(Role.PROVINCE_OFFICER, Role.INSTITUTION_STAFF):
                return queryset.filter(Q(project__lead_region__code__in=actor.region_codes))
            return queryset.none()
        if action == "view":
            q = lead | _firm_scope_q(actor)
            if actor.has_role(Role.OPERATOR):
                # operators concentrate their instruments on admitted participants
                q |= Q(status=ParticipationStatus.ADMITTED)
            return queryset.filter(q)
        if action == "withdraw":
            return queryset.filter(firm__organization_id__in=actor.organizations_with_role(Role.FIRM_USER))
        return queryset.filter(lead)


class SupportAward(DomainModel):
    """Support a firm received: firm × instrument × (project) × amount × date, recorded by the
    instrument's operator after the eligibility and duplicate-support checks."""

    firm = models.ForeignKey("firms.Firm", on_delete=models.PROTECT, related_name="support_awards")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="awards")
    project = models.ForeignKey(
        "funding.Project",
        verbose_name=_("연계 프로젝트"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_awards",
    )
    year = models.PositiveSmallIntegerField(_("연도"), db_index=True)
    awarded_on = models.DateField(_("지원 결정일"))
    total_cost_krw = models.BigIntegerField(_("총사업비(원)"), null=True, blank=True)
    share_percent = models.PositiveSmallIntegerField(_("정부지원 비율(%)"), null=True, blank=True)
    amount_krw = models.BigIntegerField(_("지원금액(원)"))
    average_sales_krw = models.BigIntegerField(_("판정에 쓴 3개년 평균매출액(원)"), null=True, blank=True)
    was_participant = models.BooleanField(_("참여기업 여부(결정 당시)"), default=False)
    note = models.CharField(_("지원 내용"), max_length=300, blank=True)
    status = models.CharField(
        _("상태"), max_length=12, choices=AwardStatus.choices, default=AwardStatus.RECORDED
    )
    # [{"code": "central_local_same_purpose", "message": "…"}] — possible duplicate support, recorded
    # with the operator's acknowledgement
    flags = models.JSONField(_("중복지원 점검"), default=list, blank=True)
    flag_acknowledgement = models.TextField(_("중복 확인 사유"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-awarded_on", "-pk"]
        indexes = [models.Index(fields=["firm", "year"]), models.Index(fields=["instrument", "year"])]
        verbose_name = _("지원 실적")
        verbose_name_plural = _("지원 실적")

    def __str__(self):
        return f"{self.firm} · {self.instrument} ({self.year})"

    @property
    def is_flagged(self) -> bool:
        return bool(self.flags)

    @classmethod
    def scope(cls, queryset, actor, action):
        if actor.is_ministry:
            return queryset
        if actor.is_auditor:
            return queryset if action in ("view", "export") else queryset.none()
        if not actor.is_authenticated:
            return queryset.none()
        operated = Q(instrument__operator_id__in=actor.organization_ids)
        if action in ("change", "record"):
            return queryset.filter(operated)
        if action in ("view", "export"):
            return queryset.filter(operated | _firm_scope_q(actor))
        return queryset.none()
