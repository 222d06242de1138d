from django.db import models
from django.utils.translation import gettext_lazy as _


class InstrumentScope(models.TextChoices):
    CENTRAL = "central", _("중앙(중기부)")
    LOCAL = "local", _("지역(시·도·기관)")


class InstrumentKind(models.TextChoices):
    LOAN = "loan", _("융자")
    GRANT = "grant", _("보조금")
    VOUCHER = "voucher", _("바우처")


class Purpose(models.TextChoices):
    """Purpose tags: a central and a local instrument sharing one in the same year is a
    possible duplicate support (중복지원)."""

    WORKING_CAPITAL = "working_capital", _("운전자금")
    FACILITY = "facility", _("시설투자")
    SMART_FACTORY = "smart_factory", _("스마트공장·공정 자동화")
    CONSULTING = "consulting", _("컨설팅")
    TECHNOLOGY = "technology", _("기술지원·시제품")
    MARKETING = "marketing", _("마케팅·판로")
    EXPORT = "export", _("수출 지원")
    WORKFORCE = "workforce", _("인력 양성·채용")
    INFRASTRUCTURE = "infrastructure", _("기반 구축·장비")
    RND = "rnd", _("연구개발")


class ParticipationStatus(models.TextChoices):
    APPLIED = "applied", _("신청")
    ADMITTED = "admitted", _("참여 확정")
    REJECTED = "rejected", _("반려")
    WITHDRAWN = "withdrawn", _("철회")


class ShareRounding(models.TextChoices):
    FLOOR_WON = "floor_won", _("원 미만 절사")
    FLOOR_THOUSAND = "floor_thousand", _("천원 미만 절사")


class AwardStatus(models.TextChoices):
    RECORDED = "recorded", _("지원 확정")
    CANCELLED = "cancelled", _("취소")
