"""The caller's own notifications (the in-app inbox): never anyone else's, not even for the ministry."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from legend50.activity import services
from legend50.core.errors import NotFoundError, PermissionDeniedError

from ..pagination import Pagination
from ..schemas import responses

router = Router(tags=["activity"])


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class MarkedOut(Schema):
    marked: int


def _require_user(request):
    if not request.user.is_authenticated:
        raise PermissionDeniedError(_("로그인(토큰)이 필요합니다."), code="unauthenticated")


@router.get("/notifications", response=responses(list[NotificationOut]), summary="내 알림")
@paginate(Pagination)
def list_notifications(request, unread: bool | None = None, kind: str = ""):
    rows = services.inbox_for(request.user).order_by("-created_at", "-pk")
    if unread is not None:
        rows = rows.filter(read_at__isnull=unread)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


@router.post("/notifications/read", response=responses(MarkedOut), summary="내 알림 모두 읽음 처리")
def mark_all_read(request):
    _require_user(request)
    return {"marked": services.notification_mark_read(by=request.user)}


@router.post("/notifications/{notification_id}/read", response=responses(MarkedOut), summary="알림 읽음 처리")
def mark_read(request, notification_id: int):
    _require_user(request)
    if not services.inbox_for(request.user).filter(pk=notification_id).exists():
        raise NotFoundError(_("알림을 찾을 수 없습니다."))
    return {"marked": services.notification_mark_read(notification_id=notification_id, by=request.user)}
