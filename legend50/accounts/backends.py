from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS

from legend50.core.pagecache import request_versions

# user id -> (auth_user version when read, field names, values); per process, bounded
_rows: dict[str, tuple[int, list[str], list]] = {}
_MAX_ROWS = 10_000


class VersionedModelBackend(ModelBackend):
    """Django's ModelBackend, except that a signed-in user's row is read from the database only when the
    users table has changed since this process last read it (its version is kept by a trigger, see
    legend50.core.pagecache): a password change, deactivation or rename applies at the next request."""

    def get_user(self, user_id):
        stamp = request_versions().get("auth_user", 0)  # read before the row: a later write never hides
        known = _rows.get(str(user_id))
        if known is not None and known[0] == stamp:
            user = get_user_model().from_db(DEFAULT_DB_ALIAS, known[1], known[2])
            return user if self.user_can_authenticate(user) else None
        user = super().get_user(user_id)
        if user is not None:
            names = [field.attname for field in user._meta.concrete_fields]
            if len(_rows) >= _MAX_ROWS:
                _rows.clear()
            _rows[str(user_id)] = (stamp, names, [getattr(user, name) for name in names])
        return user
