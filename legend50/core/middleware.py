import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

ABSOLUTE_KEY = "legend50_login_at"
SEEN_KEY = "legend50_seen_at"
# The idle timeout slides forward at most once a minute, so a page view costs no session write.
SLIDE_EVERY_SECONDS = 60

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # KRDS and ECharts set style attributes; no inline script is ever allowed.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SessionTimeoutMiddleware:
    """Idle timeout: SESSION_COOKIE_AGE after the last activity (slid forward at most once a minute,
    instead of writing the session on every request). Absolute timeout: after
    SESSION_ABSOLUTE_TIMEOUT_SECONDS the user must sign in again however active."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(ABSOLUTE_KEY)
            now = int(time.time())
            if started is None:
                request.session[ABSOLUTE_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
                logout(request)
                return redirect(f"{settings.LOGIN_URL}?next={request.path}&expired=1")
            if now - request.session.get(SEEN_KEY, 0) >= SLIDE_EVERY_SECONDS:
                request.session[SEEN_KEY] = now  # marks the session modified: saved with a fresh expiry
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        user = getattr(request, "user", None)
        if getattr(request, "no_store", False) or (
            user is not None and user.is_authenticated and not request.path.startswith("/static/")
        ):
            # Pages seen signed in (review sheets, personal data, scores) must never sit in a shared or
            # browser cache.
            response.headers["Cache-Control"] = "no-store"
        return response


class KoreanFirstMiddleware:
    """Korean unless the user chose another language with the switch (the language cookie): a
    browser's Accept-Language alone does not turn a Korean public service into English."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META["HTTP_ACCEPT_LANGUAGE"] = settings.LANGUAGE_CODE
        return self.get_response(request)
