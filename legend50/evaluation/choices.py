from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    INDUSTRY = "industry", _("산(산업계)")
    ACADEMIA = "academia", _("학(학계)")
    RESEARCH = "research", _("연(연구기관)")
    OTHER = "other", _("기타")


# Accepted spellings on import (산/학/연/기타 and the English keys).
SECTOR_ALIASES = {
    "산": Sector.INDUSTRY,
    "산업": Sector.INDUSTRY,
    "산업계": Sector.INDUSTRY,
    "학": Sector.ACADEMIA,
    "학계": Sector.ACADEMIA,
    "연": Sector.RESEARCH,
    "연구": Sector.RESEARCH,
    "연구기관": Sector.RESEARCH,
    "기타": Sector.OTHER,
    **{s.value: s for s in Sector},
}


class ConflictSource(models.TextChoices):
    AUTO_ORGANIZATION = "auto_organization", _("자동: 소속기관이 컨소시엄·참여기업")
    AUTO_REGION = "auto_region", _("자동: 주관 시·도와 같은 지역")
    DECLARED = "declared", _("전문가 신고")
    OFFICER = "officer", _("담당자 지정")


class RunStatus(models.TextChoices):
    PENDING = "pending", _("대기")
    RUNNING = "running", _("계산 중")
    DONE = "done", _("완료")
    FAILED = "failed", _("실패")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("작성 중")
    SUBMITTED = "submitted", _("제출")


class BidLevel(models.IntegerChoices):
    NOT_WILLING = -1, _("평가 희망하지 않음")
    NEUTRAL = 0, _("보통")
    WILLING = 1, _("평가 희망")
    EAGER = 2, _("적극 희망")
