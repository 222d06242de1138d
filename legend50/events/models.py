"""The Regional Innovation Expo (지역혁신대전): the event, its programme, merit awards (nomination →
screening → review → decision → recipients), the innovation-company pavilion and the MOUs signed there."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.actors import Role
from legend50.core.models import DomainModel

from .choices import (
    AffiliationKind,
    ExhibitorStatus,
    NominationStatus,
    NomineeKind,
    SessionKind,
)

# The merit-review sheet used when an event defines none (points per criterion, 100 in all).
DEFAULT_AWARD_RUBRIC = [
    {"key": "merit", "label": "공적의 탁월성", "max_score": 40},
    {"key": "economy", "label": "지역경제 기여도", "max_score": 30},
    {"key": "jobs", "label": "일자리 창출", "max_score": 20},
    {"key": "spread", "label": "파급효과", "max_score": 10},
]


def _public_or_staff(queryset, actor, action, published=None):
    published = Q(is_published=True) if published is None else published
    if actor.is_ministry:
        return queryset
    if actor.is_auditor:
        return queryset if action == "view" else queryset.none()
    return queryset.filter(published) if action == "view" else queryset.none()


class Event(DomainModel):
    slug = models.SlugField(_("식별자"), max_length=40, unique=True)
    name = models.CharField(_("행사명"), max_length=200)
    edition = models.PositiveIntegerField(_("회차"))
    theme = models.CharField(_("주제"), max_length=200, blank=True)
    starts_on = models.DateField(_("시작일"))
    ends_on = models.DateField(_("종료일"))
    venue = models.CharField(_("장소"), max_length=200)
    halls = models.JSONField(_("전시관"), default=list, blank=True)
    host = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("주최"),
        on_delete=models.PROTECT,
        related_name="hosted_events",
    )
    organizers = models.ManyToManyField(
        "registry.Organization", verbose_name=_("주관"), blank=True, related_name="organized_events"
    )
    organizers_label = models.CharField(_("주관(표기)"), max_length=200, blank=True)
    expected_visitors = models.PositiveIntegerField(_("예상 참석자 수"), null=True, blank=True)
    expected_visitors_label = models.CharField(_("참석 규모(표기)"), max_length=100, blank=True)
    attendees_description = models.TextField(_("참석 대상"), blank=True)
    ceremony_attendees = models.PositiveIntegerField(_("기념식 참석자 수"), null=True, blank=True)
    main_contents = models.JSONField(_("주요내용"), default=list, blank=True)
    summary = models.TextField(_("개요"), blank=True)
    nominations_close_at = models.DateTimeField(_("유공자 추천 마감"), null=True, blank=True)
    exhibitor_applications_close_at = models.DateTimeField(
        _("혁신기업관 참가 신청 마감"), null=True, blank=True
    )
    award_rubric = models.JSONField(_("공적 심사 기준"), default=list, blank=True)
    award_reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("공적심사위원"), blank=True, related_name="expo_reviews"
    )
    is_published = models.BooleanField(_("공개"), default=False)
    recipients_published_at = models.DateTimeField(_("수상자 명단 공개 시각"), null=True, blank=True)
    source_reference = models.CharField(_("출처"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("행사")
        verbose_name_plural = _("행사")

    def __str__(self):
        return self.name

    @classmethod
    def scope(cls, queryset, actor, action):
        if action == "view" and actor.is_authenticated and not actor.reads_everything:
            # Staff of provinces, institutions and firms see the events they take part in even
            # before publication (nominations and applications open early).
            return queryset
        return _public_or_staff(queryset, actor, action)

    @property
    def recipients_published(self) -> bool:
        return self.recipients_published_at is not None

    @property
    def rubric_items(self) -> list[dict]:
        return self.award_rubric or DEFAULT_AWARD_RUBRIC

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class Session(DomainModel):
    """One line of the programme. Ceremony rows keep the source table's shape: a segment
    (주요내용), a title and a presenter (비고); rows without their own time belong to the timed row
    above them (the group photo after the MOU signing)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(_("구분"), max_length=20, choices=SessionKind.choices)
    order = models.PositiveIntegerField(_("순서"))
    segment = models.CharField(_("주요내용"), max_length=100, blank=True)
    title = models.CharField(_("세부내용"), max_length=200)
    presenter = models.CharField(_("비고(진행·발표)"), max_length=200, blank=True)
    note = models.CharField(_("메모"), max_length=300, blank=True)
    location = models.CharField(_("장소"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("시작 시각"), null=True, blank=True)
    ends_at = models.DateTimeField(_("종료 시각"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "order"]
        constraints = [models.UniqueConstraint(fields=["event", "order"], name="session_unique_order")]
        verbose_name = _("세부 일정")
        verbose_name_plural = _("세부 일정")

    def __str__(self):
        return self.title

    @classmethod
    def scope(cls, queryset, actor, action):
        return _public_or_staff(queryset, actor, action, Q(event__is_published=True))

    @property
    def is_timed(self) -> bool:
        return self.starts_at is not None and self.ends_at is not None

    @property
    def minutes(self) -> int | None:
        if not self.is_timed:
            return None
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class AwardCategory(DomainModel):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="award_categories")
    name = models.CharField(_("포상 종류"), max_length=50)
    rank = models.PositiveIntegerField(_("서열"))
    quota = models.PositiveIntegerField(_("정원(점)"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="award_category_unique_name"),
            models.UniqueConstraint(fields=["event", "rank"], name="award_category_unique_rank"),
        ]
        verbose_name = _("포상 종류")
        verbose_name_plural = _("포상 종류")

    def __str__(self):
        return self.name

    @classmethod
    def scope(cls, queryset, actor, action):
        if action == "view" and actor.is_authenticated:
            return queryset
        return _public_or_staff(queryset, actor, action, Q(event__is_published=True))


class Nomination(DomainModel):
    """A nomination for a merit award, and — once decided — the award itself."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="nominations")
    category = models.ForeignKey(
        AwardCategory, verbose_name=_("추천 포상"), on_delete=models.PROTECT, related_name="nominations"
    )
    nominee_kind = models.CharField(_("추천 대상 구분"), max_length=20, choices=NomineeKind.choices)
    nominee_name = models.CharField(_("성명"), max_length=100, blank=True)
    affiliation = models.CharField(_("소속"), max_length=200)
    affiliation_kind = models.CharField(
        _("소속 기관 유형"), max_length=30, choices=AffiliationKind.choices, default=AffiliationKind.FIRM
    )
    affiliation_organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("소속 기관"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expo_nominations",
    )
    affiliation_firm = models.ForeignKey(
        "firms.Firm",
        verbose_name=_("소속 기업"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expo_nominations",
    )
    position = models.CharField(_("직급(직위)"), max_length=100, blank=True)
    merit_statement = models.TextField(_("공적 요지"), blank=True)
    nominating_organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("추천 기관"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expo_nominations_made",
    )
    nominating_region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("추천 시·도"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expo_nominations",
    )
    status = models.CharField(
        _("상태"),
        max_length=20,
        choices=NominationStatus.choices,
        default=NominationStatus.SUBMITTED,
        db_index=True,
    )
    screening_note = models.TextField(_("요건 검토 의견"), blank=True)
    review_score = models.DecimalField(_("심사 점수"), max_digits=6, decimal_places=2, null=True, blank=True)
    review_count = models.PositiveIntegerField(_("심사 위원 수"), default=0)
    awarded_category = models.ForeignKey(
        AwardCategory,
        verbose_name=_("수상 포상"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
    )
    award_order = models.PositiveIntegerField(_("명단 순번"), null=True, blank=True)
    decision_note = models.TextField(_("결정 사유"), blank=True)
    decided_at = models.DateTimeField(_("결정 시각"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("추천 시각"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "category__rank", "award_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["awarded_category", "award_order"],
                condition=Q(awarded_category__isnull=False, award_order__isnull=False),
                name="nomination_unique_award_order",
            )
        ]
        verbose_name = _("유공자 추천")
        verbose_name_plural = _("유공자 추천")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.nominee_name or self.affiliation

    @classmethod
    def scope(cls, queryset, actor, action):
        """`recipient`: the published recipients list, for everyone (ministry also sees decided,
        unpublished awards). Any other action is the full nomination: ministry (auditors read
        only), the nominating organization, the province officers and regional office of the
        nominating province (read only for the office); assigned reviewers are added by
        `register_scope_extension` in apps.py."""
        if action == "recipient":
            awarded = queryset.filter(status=NominationStatus.AWARDED)
            if actor.reads_everything:
                return awarded
            return awarded.filter(event__recipients_published_at__isnull=False)
        if actor.is_ministry:
            return queryset
        if actor.is_auditor:
            return queryset if action == "view" else queryset.none()
        if not actor.is_authenticated:
            return queryset.none()
        own = Q(
            nominating_organization_id__in=actor.organizations_with_role(
                Role.PROVINCE_OFFICER, Role.INSTITUTION_STAFF
            )
        )
        if action == "view" and actor.has_role(Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER):
            own |= Q(nominating_region__code__in=actor.region_codes)
        return queryset.filter(own)


def attachment_path(instance, filename):
    return f"events/nominations/{instance.nomination_id}/{instance.sha256[:16]}-{filename}"


class NominationAttachment(DomainModel):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("파일"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("파일명"), max_length=200)
    size = models.PositiveIntegerField(_("크기(바이트)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("설명"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["nomination", "pk"]
        verbose_name = _("증빙 서류")
        verbose_name_plural = _("증빙 서류")

    def __str__(self):
        return self.original_name

    @classmethod
    def scope(cls, queryset, actor, action):
        from legend50.core.scoping import extension_q

        nominations = Nomination.scope(Nomination.objects.all(), actor, "view")
        extra = extension_q(Nomination, actor, "view")
        if extra is not None:
            nominations = nominations | Nomination.objects.filter(extra)
        return queryset.filter(nomination__in=nominations.values("pk"))


class NominationReview(DomainModel):
    """One reviewer's scores for one nomination, on the event's rubric."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField(_("항목별 점수"), default=dict)
    total = models.DecimalField(_("합계"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("심사 의견"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["nomination", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "reviewer"], name="nomination_review_unique")
        ]
        verbose_name = _("공적 심사")
        verbose_name_plural = _("공적 심사")

    def __str__(self):
        return f"{self.nomination} · {self.reviewer}"

    @classmethod
    def scope(cls, queryset, actor, action):
        if actor.reads_everything:
            return queryset if action == "view" or actor.is_ministry else queryset.none()
        return queryset.filter(reviewer_id=actor.user_id) if actor.is_authenticated else queryset.none()


class ExhibitTheme(DomainModel):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("테마분야"), max_length=50)
    order = models.PositiveIntegerField(_("순서"))
    hall = models.CharField(_("배정 전시관"), max_length=50, blank=True)
    capacity = models.PositiveIntegerField(_("부스 수"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "order"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="exhibit_theme_unique_name")]
        verbose_name = _("테마분야")
        verbose_name_plural = _("테마분야")

    def __str__(self):
        return self.name

    @classmethod
    def scope(cls, queryset, actor, action):
        if action == "view" and actor.is_authenticated:
            return queryset
        return _public_or_staff(queryset, actor, action, Q(event__is_published=True))


class Exhibitor(DomainModel):
    """An application to exhibit in the innovation-company pavilion; once accepted, an exhibitor."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="exhibitors")
    theme = models.ForeignKey(
        ExhibitTheme, verbose_name=_("테마분야"), on_delete=models.PROTECT, related_name="exhibitors"
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("지역"), on_delete=models.PROTECT, related_name="expo_exhibitors"
    )
    company_name = models.CharField(_("기업명"), max_length=200)
    firm = models.ForeignKey(
        "firms.Firm",
        verbose_name=_("기업"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expo_exhibits",
    )
    product = models.CharField(_("제품명"), max_length=200)
    description = models.TextField(_("제품 소개"), blank=True)
    contact_name = models.CharField(_("담당자"), max_length=100, blank=True)
    contact_email = models.EmailField(_("담당자 이메일"), blank=True)
    status = models.CharField(
        _("상태"), max_length=20, choices=ExhibitorStatus.choices, default=ExhibitorStatus.SUBMITTED
    )
    review_note = models.TextField(_("검토 의견"), blank=True)
    hall = models.CharField(_("전시관"), max_length=50, blank=True)
    booth = models.CharField(_("부스 번호"), max_length=20, blank=True)
    order = models.PositiveIntegerField(_("번호"), null=True, blank=True)
    is_published = models.BooleanField(_("공개"), default=False)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "theme__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "hall", "booth"], condition=~Q(booth=""), name="exhibitor_unique_booth"
            ),
            models.UniqueConstraint(
                fields=["event", "order"], condition=Q(order__isnull=False), name="exhibitor_unique_order"
            ),
        ]
        verbose_name = _("혁신기업관 참여기업")
        verbose_name_plural = _("혁신기업관 참여기업")

    def __str__(self):
        return f"{self.company_name} ({self.product})"

    @classmethod
    def scope(cls, queryset, actor, action):
        """`directory`: accepted, published exhibitors, for everyone. Other actions: ministry
        (auditors read only); the applying firm's users; a province's officers read their
        province's applications."""
        public = Q(status=ExhibitorStatus.ACCEPTED, is_published=True, event__is_published=True)
        if action == "directory":
            return queryset if actor.reads_everything else queryset.filter(public)
        if actor.is_ministry:
            return queryset
        if actor.is_auditor:
            return queryset if action == "view" else queryset.none()
        if not actor.is_authenticated:
            return queryset.none()
        own = Q(firm__organization_id__in=actor.organizations_with_role(Role.FIRM_USER))
        if action == "view" and actor.has_role(Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER):
            own |= Q(region__code__in=actor.region_codes)
        return queryset.filter(own)


def agreement_path(instance, filename):
    return f"events/agreements/{instance.pk or 'new'}/{filename}"


class Agreement(DomainModel):
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="agreements"
    )
    title = models.CharField(_("협약명"), max_length=200)
    signed_on = models.DateField(_("체결일"))
    purpose = models.TextField(_("협약 내용"), blank=True)
    document = models.FileField(_("협약서"), upload_to=agreement_path, blank=True, max_length=300)
    document_name = models.CharField(_("협약서 파일명"), max_length=200, blank=True)
    is_published = models.BooleanField(_("공개"), default=False)
    source_reference = models.CharField(_("출처"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_on", "title"]
        verbose_name = _("업무협약")
        verbose_name_plural = _("업무협약")

    def __str__(self):
        return self.title

    @classmethod
    def scope(cls, queryset, actor, action):
        return _public_or_staff(queryset, actor, action)


class AgreementParty(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    organization = models.ForeignKey(
        "registry.Organization", verbose_name=_("기관"), on_delete=models.PROTECT, related_name="agreements"
    )
    order = models.PositiveIntegerField(_("순서"))
    signatory = models.CharField(_("서명자"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "order"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organization"], name="agreement_party_unique")
        ]
        verbose_name = _("협약 기관")
        verbose_name_plural = _("협약 기관")

    def __str__(self):
        return str(self.organization)
