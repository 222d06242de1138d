"""Database sessions that bring the table versions along in the same round trip.

A request's first database access is loading its session; on PostgreSQL the same statement also reads
the table versions (legend50.core.pagecache), so a page served from the page cache costs one query for
session and versions together instead of two. The versions are still read before any row they validate.
"""

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

from . import pagecache


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if connection.vendor != "postgresql" or not pagecache.in_request() or not self.session_key:
            return super()._get_session_from_db()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.session_data, s.expire_date, v.versions FROM {pagecache.VERSION_TABLE} v "  # noqa: S608
                "LEFT JOIN django_session s ON s.session_key = %s AND s.expire_date > %s WHERE v.id = 1",
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:  # no version row (a database not migrated yet): Django's own query
            return super()._get_session_from_db()
        pagecache.remember_versions(row[2])
        if row[0] is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0], expire_date=row[1])
