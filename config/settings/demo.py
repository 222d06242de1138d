"""The embedded demo: production-grade serving on SQLite with seeded data and demo accounts."""

import os
import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR

DEMO_MODE = True
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]


def _demo_secret_key() -> str:
    """A per-installation key kept in var/, so no secret lives in the repository."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _demo_secret_key()


# The demo story notifies people as it goes (hundreds of messages while it seeds); printing them would
# bury the accounts list and the server's own output. Each message is kept as a file instead, where a
# visitor can still read what was sent.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "outbox"
