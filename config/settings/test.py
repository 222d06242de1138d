"""Settings for the test suite (SQLite by default, PostgreSQL when DATABASE_URL is set)."""

import tempfile

from .base import *  # noqa: F403
from .base import DATABASES, LOGGING

DEMO_MODE = True
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
MEDIA_ROOT = tempfile.mkdtemp(prefix="legend50-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {
    **LOGGING,
    "loggers": {
        **LOGGING["loggers"],
        "legend50.security": {"level": "CRITICAL"},
        "axes": {"level": "CRITICAL"},
        "django.request": {"level": "CRITICAL"},
    },
}
# Browser tests run against the live server without collectstatic: serve from the app folders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests run inside transactions that never commit: the data-version trigger fires at each statement.
LEGEND50_VERSION_TRIGGER_TIMING = "IMMEDIATE"
# Every test starts with an empty page cache (conftest clears it): never a shared server's.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "legend50-pages"},
}

# Test databases are built from the models, not by replaying every migration: Django re-renders every
# model related to the user model for each new one, ~40 s of CPU per database (one per xdist worker).
# The migrations are still tested: `makemigrations --check` keeps them in step with the models, and the
# crash-safety test migrates a real instance from zero on each database.
DATABASES["default"]["TEST"] = {**DATABASES["default"].get("TEST", {}), "MIGRATE": False}
