"""Base models shared by every bounded context."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        abstract = True


class SampleMarkedModel(models.Model):
    """Records made by the sample-data generator carry this flag, and the UI labels them as sample."""

    is_sample = models.BooleanField(_("표본 데이터"), default=False, db_index=True)

    class Meta:
        abstract = True


class DomainModel(TimeStampedModel, SampleMarkedModel):
    """Base for domain records: timestamps, the sample flag, and scoped reads via `.visible_to()`."""

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class AuthorizationFailure(models.Model):
    """A denied or out-of-scope access, kept for security review (also written to the security log)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    path = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=10, blank=True)
    model = models.CharField(max_length=100, blank=True)
    object_ref = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("권한 거부 기록")
        verbose_name_plural = _("권한 거부 기록")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.model} {self.object_ref}"


class PersonalDataAccess(models.Model):
    """Every view, download or export of personal data (개인정보 보호법: access records kept ≥ 1 year)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    subject = models.CharField(_("정보주체"), max_length=200)
    action = models.CharField(_("행위"), max_length=20)  # view / download / export
    path = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("개인정보 접근 기록")
        verbose_name_plural = _("개인정보 접근 기록")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.subject}"


class ConsentRecord(models.Model):
    """Consent where consent is the legal basis for processing (e.g. the expert pool, nominations)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="consents"
    )
    subject = models.CharField(_("정보주체"), max_length=200)
    purpose = models.CharField(_("수집·이용 목적"), max_length=60)
    items = models.CharField(_("수집 항목"), max_length=300)
    retention_days = models.PositiveIntegerField(_("보유 기간(일)"))
    version = models.CharField(_("동의서 버전"), max_length=20, default="2026-1")
    given_at = models.DateTimeField(_("동의 시각"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("철회 시각"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("개인정보 수집·이용 동의")
        verbose_name_plural = _("개인정보 수집·이용 동의")

    def __str__(self):
        return f"{self.subject} · {self.purpose}"
