from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from ninja.errors import AuthenticationError, ValidationError
from ninja.security.base import AuthBase

from .models import ApiToken, hash_token


def _refuse_nul_characters(request):
    """NUL cannot be stored in PostgreSQL text and is never meaningful input: refuse it up front, as
    Django's forms do, instead of failing deep in the database."""
    query = request.META.get("QUERY_STRING", "")
    body = request.body if request.method in ("POST", "PUT", "PATCH") else b""
    if "%00" in query or "\x00" in request.path or b"\\u0000" in body.lower() or b"\x00" in body:
        raise ValidationError([{"loc": ("request",), "msg": "NUL 문자(\\u0000)는 입력할 수 없습니다."}])


class BearerOrAnonymous(AuthBase):
    """`Authorization: Bearer <token>` authenticates as the token's user; no header means anonymous
    (public data only, through the same scoping as the UI); a bad token is 401, never anonymous."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request):
        _refuse_nul_characters(request)
        header = request.headers.get("Authorization", "")
        if not header:
            request.user = AnonymousUser()
            return request.user
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise AuthenticationError(message="Authorization 헤더는 'Bearer <토큰>' 형식이어야 합니다.")
        # key_hash is unique: at most one row, so no ORDER BY (first() would sort by -created_at).
        found = ApiToken.objects.active().select_related("user").filter(key_hash=hash_token(raw.strip()))
        token = next(iter(found.order_by()[:1]), None)
        if token is None or not token.user.is_active:
            raise AuthenticationError(message="유효하지 않거나 폐기된 토큰입니다. (invalid or revoked token)")
        if token.last_used_at is None or (timezone.now() - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        request.user = token.user
        return token.user
