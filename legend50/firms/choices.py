from django.db import models
from django.utils.translation import gettext_lazy as _


class SizeClass(models.TextChoices):
    SMALL = "small", _("소기업")
    MEDIUM = "medium", _("중기업")
    NON_SME = "non_sme", _("중소기업 아님")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("오류가 하나라도 있으면 저장하지 않음")
    VALID_ONLY = "valid_only", _("정상 행만 저장")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("대기")
    RUNNING = "running", _("처리 중")
    DONE = "done", _("완료")
    REJECTED = "rejected", _("오류로 저장 안 함")
    FAILED = "failed", _("실패")
