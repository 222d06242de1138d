"""The one notification mechanism: `notify()` for every lifecycle event, `recipients_for()` to address
people by role and province, inbox reads, channel preferences, and deadline reminders.

Inbox rows are written inside the caller's transaction (a rolled-back action notifies nobody);
e-mail leaves only after the transaction commits.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from legend50.core import pagecache

from .kinds import KINDS
from .models import Event, Notification, NotificationPreference

log = logging.getLogger("legend50.activity")

User = get_user_model()


def _absolute(url: str) -> str:
    base = getattr(settings, "LEGEND50_BASE_URL", "").rstrip("/")
    if url and base and url.startswith("/"):
        return base + url
    return url


def channels_for(user, kind: str) -> tuple[bool, bool]:
    """(inbox, email) for a user and kind; both on unless the user chose otherwise."""
    pref = NotificationPreference.objects.filter(user=user, kind=kind).first()
    if pref is None:
        return True, True
    return pref.inbox, pref.email


def notify(
    *, kind: str, recipients, subject: str, body: str = "", url: str = "", related=None, actor=None
) -> None:
    """Notify each recipient (iterable of User) of an event of `kind`, through the channels they chose.

    Writes one inbox Notification per user (inactive and duplicate users skipped) and one Event row,
    then sends e-mail on transaction commit.
    """
    if not kind or not subject:
        raise ValueError("notify() needs a kind and a subject")
    seen: set[int] = set()
    users = []
    for user in recipients or ():
        if user is None or not getattr(user, "pk", None) or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        users.append(user)
    related_type = related_id = None
    if related is not None and getattr(related, "pk", None) is not None:
        related_type = ContentType.objects.get_for_model(related)
        related_id = str(related.pk)
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=seen, kind=kind)}
    subject = str(subject)[:300]
    to_email: list[tuple[int, str]] = []
    for user in users:
        pref = prefs.get(user.pk)
        inbox = pref.inbox if pref else True
        email = (pref.email if pref else True) and bool(user.email)
        if not inbox and not email:
            continue
        notification = Notification.objects.create(
            recipient=user,
            kind=kind,
            subject=subject,
            body=str(body),
            url=url or "",
            related_type=related_type,
            related_id=related_id or "",
            in_inbox=inbox,
        )
        if email:
            to_email.append((notification.pk, user.email))
    Event.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        subject=subject,
        url=url or "",
        related_type=related_type,
        related_id=related_id or "",
        recipient_count=len(users),
    )
    if to_email:
        transaction.on_commit(lambda: _send_emails(to_email, subject, str(body), url))


def _send_emails(to_email: list[tuple[int, str]], subject: str, body: str, url: str) -> None:
    link = _absolute(url)
    text = body + (f"\n\n{link}" if link else "") + "\n\n— 레전드 50⁺ 사업관리시스템"
    for notification_id, address in to_email:
        try:
            send_mail(f"[레전드 50⁺] {subject}", text, None, [address], fail_silently=False)
        except Exception:  # noqa: BLE001 - one bad address must not stop the others
            log.exception("notification e-mail to %s failed", address)
            continue
        Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())


def recipients_for(*, roles, region_code: str | None = None, organization=None) -> list:
    """Active users holding any of `roles` (Role values) through an active membership, optionally
    in the province `region_code` (their organization is in it, or is a regional SME office covering
    it) or in `organization`."""
    from legend50.accounts.models import Membership

    roles = [str(r) for r in ([roles] if isinstance(roles, str) else roles)]
    memberships = Membership.objects.filter(is_active=True, user__is_active=True, role__in=roles)
    if region_code:
        memberships = memberships.filter(
            Q(organization__region__code=region_code) | Q(organization__covered_regions__code=region_code)
        )
    if organization is not None:
        memberships = memberships.filter(organization=organization)
    user_ids = memberships.values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


# --- inbox ---------------------------------------------------------------------------------


def inbox_for(user):
    if getattr(user, "is_authenticated", False):
        # Notification.scope: only the recipient's own rows, whoever asks.
        pagecache.reads_within("activity_notification", f"inbox:{user.pk}")
    return Notification.objects.visible_to(user).select_related("related_type")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox_for(user).filter(read_at__isnull=True).count()


def notification_mark_read(*, notification_id: int | None = None, by) -> int:
    """Mark one (or, with None, every) notification of `by` as read; returns how many changed."""
    rows = inbox_for(by).filter(read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=timezone.now())


def preferences_for(user) -> list[dict]:
    """Every known kind with the user's channels, for the preferences page."""
    saved = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    kinds = dict(KINDS)
    for kind in saved:
        kinds.setdefault(kind, kind)
    rows = []
    for kind, label in kinds.items():
        pref = saved.get(kind)
        rows.append(
            {
                "kind": kind,
                "label": str(label),
                "inbox": pref.inbox if pref else True,
                "email": pref.email if pref else True,
            }
        )
    return rows


@transaction.atomic
def preferences_save(*, choices: dict[str, tuple[bool, bool]], by) -> None:
    """Save (inbox, email) per kind for `by`; unknown kinds are ignored."""
    for kind, (inbox, email) in choices.items():
        if kind not in KINDS:
            continue
        NotificationPreference.objects.update_or_create(
            user=by, kind=kind, defaults={"inbox": bool(inbox), "email": bool(email)}
        )
