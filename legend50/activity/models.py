"""Notifications (the in-app inbox), per-user channel preferences, reminders sent, and the event log."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from legend50.core.scoping import ScopedQuerySet


class Notification(models.Model):
    """One inbox entry for one user. Never shared: each user reads only their own."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("수신자"),
    )
    kind = models.CharField(_("알림 종류"), max_length=60, db_index=True)
    subject = models.CharField(_("제목"), max_length=300)
    body = models.TextField(_("내용"), blank=True)
    url = models.CharField(_("연결 주소"), max_length=500, blank=True)
    related_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    related_id = models.CharField(max_length=64, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("읽은 시각"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("메일 발송 시각"), null=True, blank=True)
    in_inbox = models.BooleanField(_("받은편지함 표시"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("알림")
        verbose_name_plural = _("알림")

    def __str__(self):
        return f"{self.recipient} · {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @classmethod
    def scope(cls, queryset, actor, action):
        # Personal data: only the recipient, for every action (not even the ministry reads others').
        if not actor.is_authenticated:
            return queryset.none()
        return queryset.filter(recipient_id=actor.user_id, in_inbox=True)


class NotificationPreference(models.Model):
    """A user's choice of channels for one kind of notification (absent row: inbox on, e-mail on)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("알림 종류"), max_length=60)
    inbox = models.BooleanField(_("받은편지함"), default=True)
    email = models.BooleanField(_("전자우편"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="activity_pref_unique")]
        verbose_name = _("알림 수신 설정")
        verbose_name_plural = _("알림 수신 설정")

    def __str__(self):
        return f"{self.user} · {self.kind}"


class ReminderSent(models.Model):
    """A reminder already sent for one deadline to one user: the unique key makes reminders idempotent."""

    key = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "user"], name="activity_reminder_unique")]

    def __str__(self):
        return f"{self.key} → {self.user_id}"


class Event(models.Model):
    """The activity log: one row per notified event (who did what to which record)."""

    kind = models.CharField(_("사건 종류"), max_length=60, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("제목"), max_length=300)
    url = models.CharField(max_length=500, blank=True)
    related_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    related_id = models.CharField(max_length=64, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("활동 기록")
        verbose_name_plural = _("활동 기록")

    def __str__(self):
        return f"{self.kind} · {self.subject}"

    @classmethod
    def scope(cls, queryset, actor, action):
        return queryset if actor.reads_everything and action == "view" else queryset.none()
