from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.models import DomainModel
from legend50.core.scoping import ScopedQuerySet

from .choices import InstitutionType, OrganizationKind, RegionGroup


class RegionQuerySet(ScopedQuerySet):
    def resolve(self, value):
        """A 시·도 from a code (current or former), full or short Korean name, or English name."""
        text = str(value or "").strip()
        if not text:
            return None
        if text.isdigit():
            code = text.zfill(2)
            region = self.filter(code=code).first()
            if region is None:
                alias = RegionCodeAlias.objects.filter(code=code).select_related("region").first()
                region = alias.region if alias else None
            return region
        region = self.filter(Q(name=text) | Q(short_name=text) | Q(name_en__iexact=text)).first()
        if region is None:
            alias = RegionCodeAlias.objects.filter(former_name=text).select_related("region").first()
            region = alias.region if alias else None
        return region


class Region(models.Model):
    """A 시·도 (province-level division), fixed reference data loaded by migration."""

    code = models.CharField(_("행정구역 코드"), max_length=2, unique=True)
    name = models.CharField(_("시·도"), max_length=20, unique=True)
    short_name = models.CharField(_("약칭"), max_length=10)
    name_en = models.CharField(_("영문 명칭"), max_length=40)
    group = models.CharField(_("권역"), max_length=20, choices=RegionGroup.choices)
    is_capital_area = models.BooleanField(_("수도권"), default=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("시·도")
        verbose_name_plural = _("시·도")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The Korean name, or the English one when the page is in English."""
        return self.name_en if (get_language() or "ko").startswith("en") else self.name

    @classmethod
    def scope(cls, queryset, actor, action):
        return queryset if action == "view" else queryset.none()


class RegionCodeAlias(models.Model):
    """A former code or name of a region, accepted on input (42 강원도 -> 51, 45 전라북도 -> 52)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="aliases")
    code = models.CharField(max_length=2, unique=True)
    former_name = models.CharField(max_length=20)
    valid_until = models.DateField(null=True, blank=True)

    def __str__(self):
        return f"{self.code} {self.former_name} → {self.region.code}"


class Organization(DomainModel):
    name = models.CharField(_("기관명"), max_length=200)
    name_en = models.CharField(_("영문 기관명"), max_length=200, blank=True)
    kind = models.CharField(_("기관 유형"), max_length=30, choices=OrganizationKind.choices)
    institution_type = models.CharField(
        _("혁신기관 구분"), max_length=30, choices=InstitutionType.choices, blank=True, default=""
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("소재 시·도"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    covered_regions = models.ManyToManyField(
        Region,
        verbose_name=_("관할 시·도"),
        blank=True,
        related_name="covering_offices",
        help_text=_("지방중소벤처기업청이 관할하는 시·도"),
    )
    website = models.URLField(_("홈페이지"), blank=True)
    note = models.TextField(_("비고"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "kind"], name="organization_unique_name_kind")]
        verbose_name = _("기관")
        verbose_name_plural = _("기관")

    def __str__(self):
        return self.name

    @classmethod
    def scope(cls, queryset, actor, action):
        # Organizations are public directory entries; only ministry staff change them.
        if action == "view":
            return queryset
        return queryset if actor.is_ministry else queryset.none()
