"""Notifications over the API: each user reads and marks only their own."""

import pytest
from django.contrib.auth import get_user_model

from legend50.activity.models import Notification

from .matrix import Access, api_matrix, bearer, fresh_throttles, ids  # noqa: F401 (fresh_throttles: autouse)

pytestmark = pytest.mark.django_db


def test_notifications_are_personal(world, client):
    users = get_user_model().objects
    mine = Notification.objects.create(
        recipient=users.get(username="province-27"), kind="x.y", subject="내 알림"
    )
    theirs = Notification.objects.create(
        recipient=users.get(username="province-11"), kind="x.y", subject="남의 알림"
    )
    assert ids(client, "/api/notifications", "province_own") == [mine.pk]
    assert ids(client, "/api/notifications", "province_other") == [theirs.pk]
    for role in ("ministry", "admin", "auditor", "anonymous"):
        assert ids(client, "/api/notifications", role) == [], role
    api_matrix(
        client,
        [
            Access(
                f"/api/notifications/{mine.pk}/read",
                method="post",
                expect={"province_other": 404, "ministry": 404, "anonymous": 403},
            )
        ],
    )
    assert Notification.objects.get(pk=mine.pk).read_at is None
    response = client.post(f"/api/notifications/{mine.pk}/read", headers=bearer("province_own"))
    assert response.status_code == 200 and response.json() == {"marked": 1}
    assert ids(client, "/api/notifications?unread=true", "province_own") == []
    assert client.post("/api/notifications/read", headers=bearer("province_other")).json() == {"marked": 1}
    assert client.post("/api/notifications/abc/read", headers=bearer("province_own")).status_code == 422
