"""The REST API: one NinjaAPI, one router module per app, one error shape with stable codes.

Every endpoint reads through the same `visible_to(user)` scoping as the web UI; the caller is the
token's user (or anonymous, who sees published data only).
"""

from django.conf import settings
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from legend50.core.errors import ApplicationError

from .auth import BearerOrAnonymous


class _Switchable:
    """Rate limits that settings.LEGEND50_API_RATE_LIMITS turns off at run time (load benchmark, fuzzing)."""

    def allow_request(self, request):
        if not getattr(settings, "LEGEND50_API_RATE_LIMITS", True):
            return True
        return super().allow_request(request)


class AnonLimit(_Switchable, AnonRateThrottle):
    """Anonymous callers, per IP address."""

    def get_cache_key(self, request):
        if request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": "anon", "ident": self.get_ident(request)}


class TokenLimit(_Switchable, AuthRateThrottle):
    """Token holders, per user (all of a user's tokens share one budget)."""

    def get_cache_key(self, request):
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": "user", "ident": request.user.pk}


def _throttles():
    return [AnonLimit("120/min"), TokenLimit("600/min")]


api = NinjaAPI(
    title="Legend50 API",
    version="1",
    description=(
        "레전드 50⁺ 플랫폼 API. `Authorization: Bearer <token>` (토큰은 화면의 'API 토큰' 또는 "
        "`legend50 token create USERNAME`으로 발급). 오류는 항상 `{code, message, …}` 형식입니다."
    ),
    auth=BearerOrAnonymous(),
    throttle=_throttles(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def error_body(code: str, message: str, **extra) -> dict:
    return {"code": code, "message": message, **{k: v for k, v in extra.items() if v}}


@api.exception_handler(ApplicationError)
def on_application_error(request, exc: ApplicationError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("not_found", "찾을 수 없습니다. (not found)"), status=404)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors = {}
    for error in exc.errors:
        location = ".".join(
            str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")
        )
        errors.setdefault(location or "request", []).append(error.get("msg", "invalid"))
    return api.create_response(
        request, error_body("validation_failed", "입력값이 올바르지 않습니다.", errors=errors), status=422
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(request, error_body("unauthenticated", str(exc) or "Unauthorized"), status=401)


@api.exception_handler(Throttled)
def on_throttled(request, exc: Throttled):
    response = api.create_response(
        request, error_body("rate_limited", "요청이 너무 많습니다. 잠시 후 다시 시도하세요."), status=429
    )
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait) + 1)
    return response


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    codes = {
        400: "bad_request",
        403: "permission_denied",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
    }
    return api.create_response(
        request, error_body(codes.get(exc.status_code, "error"), str(exc)), status=exc.status_code
    )


def _register_routers():
    from importlib import import_module

    for name, prefix in [
        ("registry", "/"),
        ("programs", "/"),
        ("proposals", "/"),
        ("evaluation", "/"),
        ("monitoring", "/"),
        ("events", "/"),
        ("firms", "/"),
        ("support", "/"),
        ("selection", "/"),
        ("funding", "/"),
        ("activity", "/"),
    ]:
        module = import_module(f"legend50.api.routers.{name}")
        api.add_router(prefix, module.router)


_register_routers()
