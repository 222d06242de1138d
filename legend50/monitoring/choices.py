from django.db import models
from django.utils.translation import gettext_lazy as _

# The four K-SME 50+ shares, in display order (keys match the indicators engine's result keys).
INDICATOR_KEYS = (
    "sme_export_share",
    "sme_sales_share",
    "noncapital_sales_share",
    "noncapital_sme_sales_share",
)

# Computed figures come from a dataset; official ones carry none.
DATASET_MICRODATA = "microdata"


class OutcomeSource(models.TextChoices):
    REPORTED = "reported", _("과제 보고")
    IMPORTED = "imported", _("파일 가져오기")


class RefreshStatus(models.TextChoices):
    PENDING = "pending", _("대기")
    RUNNING = "running", _("처리 중")
    DONE = "done", _("완료")
    FAILED = "failed", _("실패")
