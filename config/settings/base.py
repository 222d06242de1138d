"""Settings shared by every environment. Environment-specific modules import * from here."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("LEGEND50_VAR_DIR", BASE_DIR / "var"))

DEBUG = False
# Demo accounts and the seeded demo story exist only where this is True (never in production).
DEMO_MODE = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "legend50.core",
    "legend50.registry",
    "legend50.accounts",
    "legend50.activity",
    "legend50.programs",
    "legend50.firms",
    "legend50.proposals",
    "legend50.evaluation",
    "legend50.selection",
    "legend50.funding",
    "legend50.support",
    "legend50.monitoring",
    "legend50.events",
    "legend50.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "legend50.core.middleware.KoreanFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "legend50.accounts.middleware.TwoFactorRequiredMiddleware",
    "legend50.core.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "legend50.core.middleware.SecurityHeadersMiddleware",
    "legend50.core.privacy.PersonalDataAccessMiddleware",
    "legend50.core.pagecache.PageCacheMiddleware",
    # AxesMiddleware must be last: it turns lockouts raised by the auth backend into responses.
    "axes.middleware.AxesMiddleware",
]

# Rendered GET pages kept while no table (or declared scope) they read has changed
# (legend50/core/pagecache.py). The versions live in the database, so the cache is never stale: per
# process in memory by default; with LEGEND50_PAGE_CACHE_URL (redis://…) one copy is shared by every
# worker process and server, so a page rendered once is served by all of them.
LEGEND50_PAGE_CACHE = os.environ.get("LEGEND50_PAGE_CACHE", "on") != "off"
LEGEND50_PAGE_CACHE_ALIAS = "pages"
LEGEND50_VERSION_TRIGGER_TIMING = "DEFERRED"  # PostgreSQL: bump at commit, so writers never wait on it


def page_cache_from_env() -> dict:
    url = os.environ.get("LEGEND50_PAGE_CACHE_URL", "").strip()
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "legend50-pages",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"LEGEND50_PAGE_CACHE_URL must be a Redis URL (redis://host:port/db, rediss://… or unix://…), not {url!r}."
        )
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "legend50",
    }


CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": page_cache_from_env(),
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "legend50" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "legend50.core.context_processors.shell",
            ],
            "builtins": ["legend50.core.templatetags.legend50"],
        },
    },
]


def database_from_env(default_sqlite_path: Path) -> dict:
    """DATABASE_URL when set (PostgreSQL in production), else the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite_path)}
    else:
        try:
            config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        except Exception as exc:  # dj-database-url raises several types for malformed URLs
            raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL ({exc}).") from None
        engine = config.get("ENGINE", "")
        if engine not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
            raise ImproperlyConfigured(
                f"DATABASE_URL names an unsupported database ({engine or url.split(':', 1)[0]}); "
                "use postgres://… or sqlite:///…"
            )
        if engine == "django.db.backends.postgresql" and not config.get("NAME"):
            raise ImproperlyConfigured("DATABASE_URL has no database name (postgres://user@host:5432/NAME).")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers proceed during a write; synchronous=FULL so an acknowledged commit survives a
        # crash; IMMEDIATE transactions take the write lock up front instead of failing on upgrade.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
        config.pop("CONN_HEALTH_CHECKS", None)
        config["CONN_MAX_AGE"] = 0
    return config


DATABASES = {"default": database_from_env(VAR_DIR / "legend50.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "legend50.accounts.backends.VersionedModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Login throttling (django-axes): five failures are answered, the 6th is blocked, counted per account and, separately, per IP.
AXES_FAILURE_LIMIT = 6
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions: idle timeout (sliding) and an absolute lifetime enforced by SessionTimeoutMiddleware.
SESSION_ENGINE = "legend50.core.sessions"  # database sessions; reads the table versions in the same query
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False  # SessionTimeoutMiddleware slides the expiry once a minute
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_TIMEOUT_SECONDS = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("한국어")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "legend50" / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "legend50" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"  # never served directly: downloads go through permission-checked views
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "legend50@localhost")

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "legend50.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Each app contributes demo data through `<app>.demo.load(stdout)`; `legend50 seed` runs them in
# this order, skipping apps that have none yet. Each loader must be idempotent.
LEGEND50_DEMO_LOADERS = [
    "legend50.registry.demo",
    "legend50.accounts.demo",
    "legend50.programs.demo",
    "legend50.firms.demo",
    "legend50.proposals.demo",
    "legend50.evaluation.demo",
    "legend50.selection.demo",
    "legend50.funding.demo",
    "legend50.support.demo",
    "legend50.monitoring.demo",
    "legend50.events.demo",
]
# Each app contributes navigation entries through `<app>.nav.items(user)`.
LEGEND50_NAV_MODULES = [
    "legend50.programs.nav",
    "legend50.proposals.nav",
    "legend50.evaluation.nav",
    "legend50.selection.nav",
    "legend50.funding.nav",
    "legend50.firms.nav",
    "legend50.support.nav",
    "legend50.monitoring.nav",
    "legend50.events.nav",
    "legend50.activity.nav",
    "legend50.registry.nav",
    "legend50.opendata.nav",
]

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
# API rate limits (per token and per anonymous IP); the load benchmark switches them off.
LEGEND50_API_RATE_LIMITS = os.environ.get("LEGEND50_API_RATE_LIMITS", "on") != "off"

# TOTP two-factor authentication is required for ministry staff and experts; the demo accounts are
# exempt only in demo mode.
OTP_TOTP_ISSUER = "Legend50"
LEGEND50_DEMO_ACCOUNTS_SKIP_2FA = True
