import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "l50_"  # noqa: S105 - a public prefix, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the secret is shown once at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("이름"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(_("앞자리"), max_length=12)
    created_at = models.DateTimeField(_("발급 시각"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("최근 사용"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("폐기 시각"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API 토큰")
        verbose_name_plural = _("API 토큰")

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def issue(cls, *, user, name: str) -> tuple["ApiToken", str]:
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name or "token", key_hash=hash_token(raw), key_prefix=raw[:10]
        )
        return token, raw

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
