from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionGroup(models.TextChoices):
    CAPITAL = "capital", _("수도권")
    CHUNGCHEONG = "chungcheong", _("충청권")
    HONAM = "honam", _("호남권")
    YEONGNAM = "yeongnam", _("영남권")
    GANGWON_JEJU = "gangwon_jeju", _("강원·제주")


class OrganizationKind(models.TextChoices):
    MINISTRY = "ministry", _("중앙부처")
    LOCAL_GOVERNMENT = "local_government", _("지방자치단체")
    REGIONAL_SME_OFFICE = "regional_sme_office", _("지방중소벤처기업청")
    INNOVATION_INSTITUTION = "innovation_institution", _("지역혁신기관")
    SUPPORT_AGENCY = "support_agency", _("지원기관")
    FIRM = "firm", _("기업")
    OTHER = "other", _("기타")


class InstitutionType(models.TextChoices):
    NONE = "", _("해당 없음")
    TECHNOPARK = "technopark", _("테크노파크")
    SPECIALIZATION_CENTER = "specialization_center", _("지역특화센터")
    UNIVERSITY = "university", _("대학")
    RESEARCH_INSTITUTE = "research_institute", _("연구기관")
