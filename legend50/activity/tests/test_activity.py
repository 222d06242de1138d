from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from legend50.activity import reminders
from legend50.activity.models import Event, Notification, NotificationPreference, ReminderSent
from legend50.activity.services import notification_mark_read, notify, recipients_for
from legend50.core.actors import Role
from legend50.core.testing import Access, check_matrix, login_as

pytestmark = pytest.mark.django_db

User = get_user_model()


def u(name):
    return User.objects.get(username=name)


def test_notify_writes_inbox_and_email_on_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            kind="proposal.submitted",
            recipients=[u("ministry"), u("ministry"), u("province-27")],
            subject="대구 사업계획서 제출",
            body="본문",
            url="/proposals/1/",
        )
        assert len(mail.outbox) == 0  # not before commit
    assert Notification.objects.filter(kind="proposal.submitted").count() == 2
    assert len(mail.outbox) == 2
    assert "[레전드 50⁺] 대구 사업계획서 제출" in mail.outbox[0].subject
    assert Event.objects.filter(kind="proposal.submitted", recipient_count=2).exists()
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


def test_notify_respects_channel_preferences(world, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(
        user=u("ministry"), kind="consulting.feedback", inbox=True, email=False
    )
    NotificationPreference.objects.create(
        user=u("auditor"), kind="consulting.feedback", inbox=False, email=True
    )
    NotificationPreference.objects.create(
        user=u("province-27"), kind="consulting.feedback", inbox=False, email=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            kind="consulting.feedback",
            recipients=[u("ministry"), u("auditor"), u("province-27")],
            subject="의견",
        )
    assert [m.to for m in mail.outbox] == [[u("auditor").email]]
    assert Notification.objects.visible_to(u("ministry")).count() == 1
    # e-mail only: recorded, but not shown in the inbox
    assert Notification.objects.visible_to(u("auditor")).count() == 0
    assert not Notification.objects.filter(recipient=u("province-27")).exists()


def test_notify_rolled_back_sends_nothing(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(kind="proposal.submitted", recipients=[u("ministry")], subject="x")
                raise RuntimeError
        except RuntimeError:
            pass
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_recipients_for_roles_region_and_organization(world):
    ministry = {x.username for x in recipients_for(roles=[Role.MINISTRY_OFFICER, Role.MINISTRY_ADMIN])}
    assert {"ministry", "admin"} <= ministry
    daegu = {
        x.username
        for x in recipients_for(roles=[Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER], region_code="27")
    }
    assert daegu == {"province-27", "office-27"}
    # the 대구·경북 office covers 경북 (47) as well
    gyeongbuk = {x.username for x in recipients_for(roles=[Role.OFFICE_OFFICER], region_code="47")}
    assert gyeongbuk == {"office-27"}
    seoul = recipients_for(roles=[Role.PROVINCE_OFFICER], region_code="11")
    assert [x.username for x in seoul] == ["province-11"]
    org = u("province-27").memberships.first().organization
    assert [x.username for x in recipients_for(roles=[Role.PROVINCE_OFFICER], organization=org)] == [
        "province-27"
    ]
    user = u("province-11")
    user.is_active = False
    user.save()
    assert recipients_for(roles=[Role.PROVINCE_OFFICER], region_code="11") == []


def test_inbox_is_personal(world, client):
    notify(kind="proposal.submitted", recipients=[u("ministry")], subject="제출 알림")
    n = Notification.objects.get()
    assert notification_mark_read(notification_id=n.pk, by=u("auditor")) == 0
    n.refresh_from_db()
    assert n.read_at is None
    check_matrix(
        client,
        [
            Access(
                "/activity/", expect={"anonymous": 302, "ministry": 200, "auditor": 200, "province_own": 200}
            ),
            Access("/activity/preferences/", expect={"anonymous": 302, "firm": 200}),
            Access(f"/activity/{n.pk}/read/", method="post", expect={"anonymous": 302, "auditor": 302}),
        ],
    )
    n.refresh_from_db()
    assert n.read_at is None  # the auditor's post changed nothing
    login_as(client, "auditor")
    assert "제출 알림" not in client.get("/activity/").content.decode()
    login_as(client, "ministry")
    assert "제출 알림" in client.get("/activity/").content.decode()
    client.post(f"/activity/{n.pk}/read/")
    n.refresh_from_db()
    assert n.read_at is not None


def test_preferences_page_saves_per_kind_and_channel(world, client):
    login_as(client, "province-27")
    response = client.get("/activity/preferences/")
    assert "사업계획서 제출" in response.content.decode()
    data = {"inbox:proposal.submitted": "on", "email:consulting.feedback": "on", "inbox:bogus.kind": "on"}
    client.post("/activity/preferences/", data)
    prefs = {p.kind: (p.inbox, p.email) for p in NotificationPreference.objects.filter(user=u("province-27"))}
    assert prefs["proposal.submitted"] == (True, False)
    assert prefs["consulting.feedback"] == (False, True)
    assert "bogus.kind" not in prefs


def test_reminders_are_sent_once_per_deadline_and_user(world, django_capture_on_commit_callbacks):
    due = timezone.now() + timedelta(hours=20)

    def source(now, horizon):
        yield reminders.Deadline(
            key="test:1", due_at=due, recipients=[u("province-27"), u("province-11")], subject="마감 임박"
        )
        yield reminders.Deadline(
            key="test:far",
            due_at=timezone.now() + timedelta(days=30),
            recipients=[u("ministry")],
            subject="먼 마감",
        )

    reminders.register_reminder_source(source)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders.send_reminders() == 2
            assert reminders.send_reminders() == 0
            call_command("send_reminders")
        assert ReminderSent.objects.count() == 2
        assert Notification.objects.filter(kind="reminder.deadline").count() == 2
        assert "KST" in Notification.objects.first().body
        assert len(mail.outbox) == 2
    finally:
        reminders._sources.remove(source)


def test_reminder_task_runs(world):
    from legend50.activity.tasks import send_reminders_task

    result = send_reminders_task.enqueue()
    assert result.return_value == 0
