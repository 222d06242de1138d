from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionKind(models.TextChoices):
    CEREMONY = "ceremony", _("기념식")
    SEMINAR = "seminar", _("세미나")
    TOUR = "tour", _("전시관 투어")
    EXHIBITION = "exhibition", _("전시·홍보관")
    OTHER = "other", _("기타")


class NomineeKind(models.TextChoices):
    PERSON = "person", _("개인")
    ORGANIZATION = "organization", _("단체")


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("추천 접수")
    UNDER_REVIEW = "under_review", _("공적 심사 중")
    SCREENED_OUT = "screened_out", _("요건 미충족")
    AWARDED = "awarded", _("수상 확정")
    NOT_AWARDED = "not_awarded", _("미선정")
    WITHDRAWN = "withdrawn", _("철회")


OPEN_NOMINATION_STATUSES = (NominationStatus.SUBMITTED, NominationStatus.UNDER_REVIEW)


class AffiliationKind(models.TextChoices):
    FIRM = "firm", _("기업")
    LOCAL_GOVERNMENT = "local_government", _("지방자치단체")
    INNOVATION_INSTITUTION = "innovation_institution", _("지역혁신기관")
    SUPPORT_AGENCY = "support_agency", _("지원기관")
    OTHER = "other", _("기타")


class ExhibitorStatus(models.TextChoices):
    SUBMITTED = "submitted", _("신청")
    ACCEPTED = "accepted", _("선정")
    REJECTED = "rejected", _("미선정")
    WITHDRAWN = "withdrawn", _("철회")
