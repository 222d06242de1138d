from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security.base import AuthBase

from .models import ApiToken, hash_token


class BearerOrAnonymous(AuthBase):
    """`Authorization: Bearer <token>` authenticates as the token's user; no header means anonymous
    (public data only, through the same scoping as the UI); a bad token is 401, never anonymous."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            request.user = AnonymousUser()
            return request.user
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise AuthenticationError(message="Authorization 헤더는 'Bearer <토큰>' 형식이어야 합니다.")
        token = (
            ApiToken.objects.active().select_related("user").filter(key_hash=hash_token(raw.strip())).first()
        )
        if token is None or not token.user.is_active:
            raise AuthenticationError(message="유효하지 않거나 폐기된 토큰입니다. (invalid or revoked token)")
        if token.last_used_at is None or (timezone.now() - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        request.user = token.user
        return token.user
