from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from legend50.core.actors import Role
from legend50.core.models import DomainModel


class Firm(DomainModel):
    """A company in the registry. The 사업자등록번호 is optional: companies named in the source
    document carry none, and none is ever invented."""

    name = models.CharField(_("기업명"), max_length=200)
    aliases = models.JSONField(_("다른 표기"), default=list, blank=True)
    brn = models.CharField(_("사업자등록번호"), max_length=10, null=True, blank=True, unique=True)
    corporate_number = models.CharField(_("법인등록번호"), max_length=13, blank=True)
    ksic_code = models.CharField(_("업종코드(KSIC)"), max_length=6, blank=True)
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
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("기업")
        verbose_name_plural = _("기업")

    def __str__(self):
        return self.name

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
        return queryset.filter(own_firm)
