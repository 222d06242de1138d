"""Reminders before deadlines and due dates, sent once per deadline and user.

Apps register sources in `AppConfig.ready()`:

    register_reminder_source(fn)   # fn(now, horizon) -> iterable of Deadline falling in [now, now + horizon]

`send_reminders()` (the `legend50 send_reminders` command and the `send_reminders_task` task) asks
every source, and notifies each recipient once per Deadline.key (recorded in ReminderSent).
A deadline that moves gets a new key (the key includes the due time), so it is reminded again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from legend50.core.formatting import format_kst

from .models import ReminderSent

_sources: list[Callable] = []


@dataclass
class Deadline:
    key: str  # stable identity of the deadline, e.g. "call:3:closes"
    due_at: datetime
    recipients: list = field(default_factory=list)
    subject: str = ""
    body: str = ""
    url: str = ""
    related: object = None
    kind: str = "reminder.deadline"

    @property
    def full_key(self) -> str:
        return f"{self.key}@{self.due_at.astimezone(UTC):%Y%m%dT%H%M}"[:200]


def register_reminder_source(source: Callable) -> None:
    if source not in _sources:
        _sources.append(source)


def reminder_lead_time() -> timedelta:
    return timedelta(hours=getattr(settings, "LEGEND50_REMINDER_HOURS", 72))


def send_reminders(now: datetime | None = None, horizon: timedelta | None = None) -> int:
    """Send every due reminder not yet sent; returns the number of (deadline, user) reminders sent."""
    from .services import notify

    now = now or timezone.now()
    horizon = horizon or reminder_lead_time()
    sent = 0
    for source in list(_sources):
        for deadline in source(now, horizon) or ():
            if not (now <= deadline.due_at <= now + horizon):
                continue
            key = deadline.full_key
            already = set(ReminderSent.objects.filter(key=key).values_list("user_id", flat=True))
            fresh = [u for u in deadline.recipients if u.pk not in already and u.is_active]
            if not fresh:
                continue
            with transaction.atomic():
                targets = []
                for user in {u.pk: u for u in fresh}.values():
                    try:
                        with transaction.atomic():
                            ReminderSent.objects.create(key=key, user=user)
                    except IntegrityError:
                        continue  # a concurrent run got there first
                    targets.append(user)
                if targets:
                    body = deadline.body or f"마감 일시: {format_kst(deadline.due_at)} (KST)"
                    notify(
                        kind=deadline.kind,
                        recipients=targets,
                        subject=deadline.subject,
                        body=body,
                        url=deadline.url,
                        related=deadline.related,
                    )
                    sent += len(targets)
    return sent


def iter_sources() -> Iterable[Callable]:
    return tuple(_sources)
