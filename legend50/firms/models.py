from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.actors import Role
from legend50.core.models import DomainModel

from .choices import ImportMode, ImportStatus, SizeClass


class Firm(DomainModel):
    """A company in the registry. The 사업자등록번호 is optional: companies named in the source
    document carry none, and none is ever invented."""

    name = models.CharField(_("기업명"), max_length=200)
    aliases = models.JSONField(_("다른 표기"), default=list, blank=True)
    # Normalised name (legal-form markers, brackets and spaces removed) used to match the same
    # company spelled two ways; maintained by services.
    name_key = models.CharField(
        _("기업명 검색 키"), max_length=200, blank=True, db_index=True, editable=False
    )
    brn = models.CharField(_("사업자등록번호"), max_length=10, null=True, blank=True, unique=True)
    corporate_number = models.CharField(_("법인등록번호"), max_length=13, blank=True)
    ksic_code = models.CharField(_("업종코드(KSIC)"), max_length=6, blank=True)
    ksic_revision = models.CharField(_("KSIC 차수"), max_length=10, blank=True, default="11")
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("본사 소재지"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="firms",
    )
    founded_on = models.DateField(_("설립일"), null=True, blank=True)
    organization = models.OneToOneField(
        "registry.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="firm"
    )
    # Facts the SME rules need besides the financials (중소기업기본법 시행령 제3조).
    in_disclosed_group = models.BooleanField(_("공시대상기업집단 소속"), default=False)
    owned_by_large_firm = models.BooleanField(
        _("자산 5천억원 이상 법인이 30% 이상 소유한 최다출자자"), default=False
    )
    related_average_sales_krw = models.BigIntegerField(_("관계기업 평균매출액 합산분(원)"), default=0)
    seat_product = models.BooleanField(_("주생산품이 의자(좌석)"), default=False)
    within_grace_period = models.BooleanField(_("규모 기준 초과 후 유예기간(3년) 중"), default=False)
    # Computed by services.firm_refresh_size from the financials — never typed in.
    size_class = models.CharField(
        _("기업 규모(산정)"),
        max_length=10,
        choices=SizeClass.choices,
        blank=True,
        editable=False,
        db_index=True,
    )
    size_reason = models.TextField(_("규모 산정 근거"), blank=True, editable=False)
    size_basis = models.CharField(_("산정 기준 연도"), max_length=60, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("기업")
        verbose_name_plural = _("기업")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from .importing import name_key

        self.name_key = name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    @property
    def brn_display(self) -> str:
        if not self.brn:
            return ""
        return f"{self.brn[:3]}-{self.brn[3:5]}-{self.brn[5:]}"

    @property
    def corporate_number_display(self) -> str:
        if not self.corporate_number:
            return ""
        return f"{self.corporate_number[:6]}-{self.corporate_number[6:]}"

    @classmethod
    def scope(cls, queryset, actor, action):
        if actor.reads_everything:
            return queryset if action == "view" or actor.is_ministry else queryset.none()
        if not actor.is_authenticated:
            return queryset.none()
        own_firm = Q(organization_id__in=actor.organizations_with_role(Role.FIRM_USER))
        if actor.has_role(Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER, Role.INSTITUTION_STAFF):
            in_region = Q(region__code__in=actor.region_codes)
            return queryset.filter(own_firm | in_region) if action == "view" else queryset.filter(in_region)
        if action in ("view", "change"):
            # A firm's own users keep its financials and certificate up to date.
            return queryset.filter(own_firm)
        return queryset.none()


def _firm_scoped(queryset, actor, action, prefix="firm"):
    firms = Firm.scope(Firm.objects.all(), actor, action)
    from legend50.core.scoping import extension_q

    extra = extension_q(Firm, actor, action)
    if extra is not None:
        firms = firms | Firm.objects.filter(extra)
    return queryset.filter(**{f"{prefix}__in": firms.values("pk")})


class FirmFinancial(DomainModel):
    """One fiscal year of a firm's figures (integer won; employees are regular employees)."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="financials")
    year = models.PositiveSmallIntegerField(_("연도"))
    sales_krw = models.BigIntegerField(_("매출액(원)"))
    total_assets_krw = models.BigIntegerField(_("자산총액(원)"), null=True, blank=True)
    direct_exports_krw = models.BigIntegerField(_("직접수출액(원)"), null=True, blank=True)
    indirect_exports_krw = models.BigIntegerField(_("간접수출액(원)"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("상시근로자 수"), null=True, blank=True)
    rnd_krw = models.BigIntegerField(_("연구개발비(원)"), null=True, blank=True)
    import_job = models.ForeignKey(
        "firms.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["firm", "year"]
        constraints = [models.UniqueConstraint(fields=["firm", "year"], name="firm_financial_unique_year")]
        verbose_name = _("기업 재무 실적")
        verbose_name_plural = _("기업 재무 실적")

    def __str__(self):
        return f"{self.firm} {self.year}"

    @property
    def exports_krw(self) -> int | None:
        if self.direct_exports_krw is None and self.indirect_exports_krw is None:
            return None
        return (self.direct_exports_krw or 0) + (self.indirect_exports_krw or 0)

    @classmethod
    def scope(cls, queryset, actor, action):
        return _firm_scoped(queryset, actor, action)


def certificate_path(instance, filename):
    return f"firms/certificates/{instance.firm_id}/{instance.sha256[:16]}.pdf"


class SmeCertificate(DomainModel):
    """The firm's official 중소기업확인서 (issued by 중소벤처기업부), shown beside the computed class."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="certificates")
    size_class = models.CharField(_("확인서상 규모"), max_length=10, choices=SizeClass.choices)
    certificate_number = models.CharField(_("발급번호"), max_length=40, blank=True)
    valid_from = models.DateField(_("유효기간 시작"))
    valid_until = models.DateField(_("유효기간 종료"))
    file = models.FileField(_("확인서 파일(PDF)"), upload_to=certificate_path)
    original_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["firm", "-valid_until"]
        verbose_name = _("중소기업확인서")
        verbose_name_plural = _("중소기업확인서")

    def __str__(self):
        return f"{self.firm} {self.get_size_class_display()} ({self.valid_from}~{self.valid_until})"

    @classmethod
    def scope(cls, queryset, actor, action):
        return _firm_scoped(queryset, actor, action)


class ImportJob(DomainModel):
    """One upload of firms and financials: the file, its validation report and its outcome."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(_("파일"), upload_to="firms/imports/")
    original_name = models.CharField(_("파일명"), max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    mode = models.CharField(
        _("가져오기 방식"), max_length=20, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING
    )
    status = models.CharField(
        _("상태"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    phase = models.CharField(_("단계"), max_length=40, blank=True)
    total_rows = models.PositiveIntegerField(_("전체 행"), default=0)
    processed_rows = models.PositiveIntegerField(_("처리한 행"), default=0)
    valid_rows = models.PositiveIntegerField(_("정상 행"), default=0)
    error_rows = models.PositiveIntegerField(_("오류 행"), default=0)
    firms_created = models.PositiveIntegerField(_("신규 기업"), default=0)
    firms_updated = models.PositiveIntegerField(_("갱신 기업"), default=0)
    financials_written = models.PositiveIntegerField(_("저장한 재무 실적"), default=0)
    # [{"row": 5, "column": "사업자등록번호", "value": "...", "message": "..."}], capped for display;
    # the full list is in `report`.
    errors = models.JSONField(default=list, blank=True)
    report = models.FileField(upload_to="firms/import-reports/", blank=True)
    message = models.TextField(_("결과"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("기업 일괄 등록")
        verbose_name_plural = _("기업 일괄 등록")

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if self.status in (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED):
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED)

    @classmethod
    def scope(cls, queryset, actor, action):
        if actor.is_ministry:
            return queryset
        if actor.is_auditor:
            return queryset if action == "view" else queryset.none()
        if not actor.is_authenticated:
            return queryset.none()
        return queryset.filter(created_by_id=actor.user_id)
