"""Expert evaluation: the expert pool, pledges, conflicts of interest, assignment runs, reviews,
consensus and the panel that finalizes a call's ranking.

Access rules live in each model's `scope`; experts reach proposals only through the scope extension
registered in apps.py (assigned, pledge signed, no conflict — checked on every request).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.actors import Role
from legend50.core.models import DomainModel

from .choices import BidLevel, ConflictSource, ReviewStatus, RunStatus, Sector


def _staff_scope(queryset, actor, action, own: Q | None = None):
    """Ministry acts on everything, auditors read; `own` widens reading (and acting) for the expert."""
    if actor.is_ministry:
        return queryset
    if actor.is_auditor and action == "view":
        return queryset
    if own is not None and actor.has_role(Role.EXPERT):
        return queryset.filter(own)
    return queryset.none()


class ExpertProfile(DomainModel):
    """An external expert (산·학·연 전문가) of the evaluation pool, linked to a user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_profile"
    )
    name = models.CharField(_("성명"), max_length=100)
    affiliation = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("소속기관"),
        on_delete=models.PROTECT,
        related_name="experts",
    )
    position = models.CharField(_("직위"), max_length=100, blank=True)
    sector = models.CharField(_("구분(산·학·연)"), max_length=20, choices=Sector.choices)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("활동 시·도"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experts",
    )
    ksic_divisions = models.JSONField(_("전문분야 KSIC 중분류"), default=list, blank=True)
    keywords = models.JSONField(_("전문 키워드"), default=list, blank=True)
    max_load = models.PositiveSmallIntegerField(_("최대 평가 건수"), default=5)
    is_available = models.BooleanField(_("평가 가능"), default=True)
    availability_note = models.CharField(_("가능 여부 메모"), max_length=300, blank=True)
    declarations = models.TextField(
        _("이해관계 신고 사항"),
        blank=True,
        help_text=_("최근 3년 내 재직·자문·용역·지분 관계 등 평가의 공정성에 영향을 줄 수 있는 사항"),
    )
    declarations_updated_at = models.DateTimeField(_("신고 사항 갱신 시각"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("평가위원")
        verbose_name_plural = _("평가위원")

    def __str__(self):
        return self.name

    @classmethod
    def scope(cls, queryset, actor, action):
        return _staff_scope(queryset, actor, action, own=Q(user_id=actor.user_id))

    @property
    def keyword_list(self) -> list[str]:
        return [k for k in self.keywords if k]


class EvaluationPanel(DomainModel):
    """The evaluation committee of one call: its chair, the aggregation settings fixed when scoring
    opened, and the finalized ranking."""

    call = models.OneToOneField("programs.Call", on_delete=models.PROTECT, related_name="evaluation_panel")
    name = models.CharField(_("평가위원회 명칭"), max_length=200)
    chair = models.ForeignKey(
        ExpertProfile,
        verbose_name=_("위원장"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_panels",
    )
    # Fixed the moment the first review is saved: later changes to the call do not move the goalposts.
    settings_snapshot = models.JSONField(_("집계 설정(고정)"), default=dict, blank=True)
    settings_fixed_at = models.DateTimeField(_("집계 설정 고정 시각"), null=True, blank=True)
    finalized_at = models.DateTimeField(_("순위 확정 시각"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    final_result = models.JSONField(_("확정 결과"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("평가위원회")
        verbose_name_plural = _("평가위원회")

    def __str__(self):
        return self.name

    @classmethod
    def scope(cls, queryset, actor, action):
        return _staff_scope(queryset, actor, action, own=Q(chair__user_id=actor.user_id))


class Pledge(DomainModel):
    """A signed confidentiality and impartiality pledge (보안 및 공정성 서약) for one call."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="pledges")
    call = models.ForeignKey("programs.Call", on_delete=models.PROTECT, related_name="pledges")
    signed_at = models.DateTimeField(_("서약 시각"))
    text_version = models.CharField(_("서약서 판"), max_length=40)
    signed_name = models.CharField(_("서명(성명)"), max_length=100)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["expert", "call"], name="pledge_unique_expert_call")]
        ordering = ["-signed_at"]
        verbose_name = _("보안·공정성 서약")
        verbose_name_plural = _("보안·공정성 서약")

    @classmethod
    def scope(cls, queryset, actor, action):
        return _staff_scope(queryset, actor, action, own=Q(expert__user_id=actor.user_id))


class SessionFee(DomainModel):
    """An evaluation session attended by an expert and the fee payable for it (integer won)."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="fees")
    call = models.ForeignKey("programs.Call", on_delete=models.PROTECT, related_name="evaluation_fees")
    session_date = models.DateField(_("평가 일자"))
    session_name = models.CharField(_("평가 회의"), max_length=200)
    amount_krw = models.BigIntegerField(_("평가 수당(원)"))
    paid_on = models.DateField(_("지급일"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["session_date", "expert__name"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gte=0), name="session_fee_nonnegative"),
            models.UniqueConstraint(
                fields=["expert", "call", "session_date", "session_name"], name="session_fee_unique"
            ),
        ]
        verbose_name = _("평가 수당")
        verbose_name_plural = _("평가 수당")

    @classmethod
    def scope(cls, queryset, actor, action):
        own = Q(expert__user_id=actor.user_id) if action == "view" else None
        return _staff_scope(queryset, actor, action, own=own)


class Conflict(DomainModel):
    """A conflict of interest between an expert and a proposal. Always hard: an active conflict
    removes the pair from assignment and revokes the expert's access at the next request."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="conflicts")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="conflicts")
    source = models.CharField(_("발생 경위"), max_length=30, choices=ConflictSource.choices)
    reason = models.TextField(_("사유"))
    is_active = models.BooleanField(_("유효"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal_id", "expert__name"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "proposal", "source"], name="conflict_unique_source")
        ]
        verbose_name = _("이해충돌")
        verbose_name_plural = _("이해충돌")

    def __str__(self):
        return f"{self.expert} × {self.proposal_id} ({self.get_source_display()})"

    @classmethod
    def scope(cls, queryset, actor, action):
        own = Q(expert__user_id=actor.user_id, source=ConflictSource.DECLARED) if action == "view" else None
        return _staff_scope(queryset, actor, action, own=own)


class Bid(DomainModel):
    """An expert's stated willingness to review a proposal; feeds the affinity."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="bids")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="bids")
    level = models.SmallIntegerField(_("희망 정도"), choices=BidLevel.choices, default=BidLevel.NEUTRAL)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["expert", "proposal"], name="bid_unique")]
        verbose_name = _("평가 희망")
        verbose_name_plural = _("평가 희망")

    @classmethod
    def scope(cls, queryset, actor, action):
        return _staff_scope(queryset, actor, action, own=Q(expert__user_id=actor.user_id))


class AssignmentRun(DomainModel):
    """One run of the assignment optimizer for a call, kept with its inputs, parameters and result
    so that it can be reproduced (`services.assignment_rerun_check`) and explained."""

    call = models.ForeignKey("programs.Call", on_delete=models.PROTECT, related_name="assignment_runs")
    status = models.CharField(_("상태"), max_length=20, choices=RunStatus.choices, default=RunStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("진행률(%)"), default=0)
    message = models.CharField(_("진행 상황"), max_length=300, blank=True)
    parameters = models.JSONField(_("매개변수"), default=dict)
    inputs = models.JSONField(_("입력"), default=dict)
    result = models.JSONField(_("결과"), default=dict)
    applied_at = models.DateTimeField(_("배정 적용 시각"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("배정 실행")
        verbose_name_plural = _("배정 실행")

    def __str__(self):
        return f"#{self.pk} {self.call} ({self.get_status_display()})"

    @classmethod
    def scope(cls, queryset, actor, action):
        return _staff_scope(queryset, actor, action)

    @property
    def shortfall(self) -> dict:
        return self.result.get("shortfall", {}) if self.result else {}


class Assignment(DomainModel):
    """An expert assigned to review a proposal."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="assignments")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="assignments")
    run = models.ForeignKey(
        AssignmentRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments"
    )
    affinity = models.FloatField(_("적합도"), default=0.0)
    is_active = models.BooleanField(_("유효"), default=True)
    note = models.CharField(_("비고"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal_id", "expert__name"]
        constraints = [models.UniqueConstraint(fields=["expert", "proposal"], name="assignment_unique_pair")]
        verbose_name = _("평가 배정")
        verbose_name_plural = _("평가 배정")

    def __str__(self):
        return f"{self.expert} → {self.proposal_id}"

    @classmethod
    def scope(cls, queryset, actor, action):
        return _staff_scope(queryset, actor, action, own=Q(expert__user_id=actor.user_id))


class Review(DomainModel):
    """One expert's score sheet for one proposal: points per rubric criterion, comments, status.
    A submitted review is locked; only the panel chair reopens it, with a reason kept in history."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="review")
    status = models.CharField(
        _("상태"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, db_index=True
    )
    scores = models.JSONField(_("항목별 점수"), default=dict, blank=True)
    criterion_comments = models.JSONField(_("항목별 의견"), default=dict, blank=True)
    comment = models.TextField(_("종합 의견"), blank=True)
    total = models.DecimalField(_("총점"), max_digits=7, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(_("제출 시각"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("재개 횟수"), default=0)
    last_reopen_reason = models.TextField(_("최근 재개 사유"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["assignment__proposal_id", "assignment__expert__name"]
        verbose_name = _("평가표")
        verbose_name_plural = _("평가표")

    @property
    def is_locked(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED

    @classmethod
    def scope(cls, queryset, actor, action):
        return _staff_scope(queryset, actor, action, own=Q(assignment__expert__user_id=actor.user_id))


class Consensus(DomainModel):
    """The chair's consensus score for a proposal (replaces the computed score), with the
    majority and minority views of the panel."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.CASCADE, related_name="consensus")
    score = models.DecimalField(_("합의 점수"), max_digits=7, decimal_places=2)
    comment = models.TextField(_("합의 의견"))
    majority_view = models.TextField(_("다수 의견"), blank=True)
    minority_view = models.TextField(_("소수 의견"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("합의 점수")
        verbose_name_plural = _("합의 점수")

    @classmethod
    def scope(cls, queryset, actor, action):
        return _staff_scope(
            queryset, actor, action, own=Q(proposal__call__evaluation_panel__chair__user_id=actor.user_id)
        )


PLEDGE_VERSION = "2023-09"
