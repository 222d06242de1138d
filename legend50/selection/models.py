"""Selection decisions and objections.

The round page is a what-if calculator and saves nothing; a Decision stores the parameters it was
computed with, the optimal and ranked-list results as they stood, and one item per candidate. It is
proposed by one ministry officer and approved by a different ministry admin (two-person rule).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.actors import Role
from legend50.core.models import DomainModel

PROVINCE_ROLES = (Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER)


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("결재 대기")
    APPROVED = "approved", _("승인")
    REJECTED = "rejected", _("반려")
    WITHDRAWN = "withdrawn", _("철회")


class Outcome(models.TextChoices):
    SELECTED = "selected", _("선정")
    RESERVE = "reserve", _("예비")
    NOT_SELECTED = "not_selected", _("미선정")


class Decision(DomainModel):
    call = models.ForeignKey("programs.Call", on_delete=models.PROTECT, related_name="selection_decisions")
    status = models.CharField(
        _("상태"),
        max_length=20,
        choices=DecisionStatus.choices,
        default=DecisionStatus.PROPOSED,
        db_index=True,
    )
    parameters = models.JSONField(_("선정 조건"), default=dict)
    summary = models.JSONField(_("계산 결과 요약"), default=dict)
    rationale = models.TextField(_("결정 사유"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(_("상신 시각"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("승인 시각"), null=True, blank=True)
    decided_on = models.DateField(_("결정일"), null=True, blank=True)
    review_note = models.TextField(_("결재 의견"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("선정 결정")
        verbose_name_plural = _("선정 결정")
        constraints = [
            models.UniqueConstraint(
                fields=["call"], condition=Q(status="approved"), name="one_approved_decision_per_call"
            ),
            models.UniqueConstraint(
                fields=["call"], condition=Q(status="proposed"), name="one_pending_decision_per_call"
            ),
        ]

    def __str__(self):
        return f"{self.call} — {self.get_status_display()}"

    @property
    def is_published(self) -> bool:
        return self.status == DecisionStatus.APPROVED

    @classmethod
    def scope(cls, queryset, actor, action):
        if actor.is_ministry:
            return queryset
        if actor.is_auditor:
            return queryset if action == "view" else queryset.none()
        return queryset.none()


class DecisionItem(DomainModel):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="items")
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="decision_items"
    )
    outcome = models.CharField(_("결과"), max_length=20, choices=Outcome.choices)
    rationale = models.TextField(_("사유"))
    score = models.DecimalField(_("최종 점수"), max_digits=7, decimal_places=3, null=True, blank=True)
    rank = models.PositiveIntegerField(_("순위"), null=True, blank=True)
    reserve_order = models.PositiveSmallIntegerField(_("예비 순번"), null=True, blank=True)
    requested_krw = models.BigIntegerField(_("신청 총액(원)"), default=0)
    in_optimal = models.BooleanField(_("최적 포트폴리오 포함"), default=False)
    in_greedy = models.BooleanField(_("순위순 포트폴리오 포함"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decision", "rank", "proposal__lead_region__code"]
        verbose_name = _("선정 결정 항목")
        verbose_name_plural = _("선정 결정 항목")
        constraints = [
            models.UniqueConstraint(fields=["decision", "proposal"], name="decision_item_unique"),
            models.CheckConstraint(condition=~Q(rationale=""), name="decision_item_rationale_required"),
        ]

    @classmethod
    def scope(cls, queryset, actor, action):
        """Ministry all; auditors read; a province sees its own proposals' items once the decision is
        approved; the public sees the selected items of approved decisions."""
        if actor.is_ministry:
            return queryset
        if actor.is_auditor:
            return queryset if action == "view" else queryset.none()
        approved = Q(decision__status=DecisionStatus.APPROVED)
        own = Q(pk__in=[])
        if actor.has_role(*PROVINCE_ROLES):
            own = approved & Q(proposal__lead_region__code__in=actor.region_codes)
        if action == "view":
            return queryset.filter(own | (approved & Q(outcome=Outcome.SELECTED)))
        return queryset.filter(own)


class ObjectionStatus(models.TextChoices):
    FILED = "filed", _("접수")
    ANSWERED = "answered", _("답변 완료")


class ObjectionResult(models.TextChoices):
    NONE = "", _("-")
    ACCEPTED = "accepted", _("인용")
    PARTLY = "partly", _("일부 인용")
    DISMISSED = "dismissed", _("기각")


class Objection(DomainModel):
    """이의신청: a province objects to its proposal's result within the call's objection period."""

    item = models.ForeignKey(DecisionItem, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField(_("이의신청 내용"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(_("접수 시각"))
    status = models.CharField(
        _("상태"), max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.FILED
    )
    result = models.CharField(
        _("처리 결과"), max_length=20, choices=ObjectionResult.choices, blank=True, default=""
    )
    answer = models.TextField(_("답변"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("답변 시각"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("이의신청")
        verbose_name_plural = _("이의신청")

    @classmethod
    def scope(cls, queryset, actor, action):
        if actor.is_ministry:
            return queryset
        if actor.is_auditor:
            return queryset if action == "view" else queryset.none()
        if actor.has_role(*PROVINCE_ROLES):
            return queryset.filter(item__proposal__lead_region__code__in=actor.region_codes)
        return queryset.none()
