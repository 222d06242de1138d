"""Rendered pages served again while nothing they read has changed — never stale by construction.

Every table the application writes carries a database trigger that bumps that table's version in the
same transaction as the write (see `install_version_triggers`), so no write path can forget it:
services, `QuerySet.update()`, bulk imports, raw SQL, another process or another server. A GET page is
stored with the versions, read *before* the view ran, of every table its queries touched; it is served
again only while all of those versions are unchanged. A write that commits during rendering therefore
makes the stored copy miss next time instead of serving old data.

What a page shows beyond the database is in the key: the user, the session's content,
the language, the full path, and a one-minute time bucket for what depends on the clock (a call closing),
staggered page by page so that stored pages do not all expire at once.
The CSRF token is replaced by a fresh one on every serving, and pages with flash messages, htmx
fragments, non-HTML answers or extra headers are never stored.

PostgreSQL: one row holds every table's version (jsonb), bumped by a deferred trigger once per table per
transaction at commit (tests, which never commit, make it immediate). One row instead of one per table, because per-table row locks taken at commit in
different orders by concurrent transactions could deadlock; one row only serialises the commit itself.
SQLite allows one writer at a time anyway, so a row per table is bumped directly.

The versions are read once per request (`request_versions`; on PostgreSQL together with the session)
and also validate what each process keeps of the signed-in user's row and roles
(accounts.backends.VersionedModelBackend, core.actors.actor_for).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import threading
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token

from .middleware import ABSOLUTE_KEY, SEEN_KEY

VERSION_TABLE = "legend50_data_version"
SCOPE_TABLE = "legend50_scope_version"
# The tables written on every draft and score save would otherwise invalidate every page that reads
# them. Their rows also belong to narrower scopes, each with its own version, bumped by the same kind of
# trigger: table -> SQL expressions over the written row `{r}` (old and new) naming its scopes (NULL:
# none). A page that declares with `reads_within` that it reads a table only inside some scopes depends on
# those scopes' versions instead of the table's.
_REVIEWER_AND_PROPOSAL = (
    "(SELECT 'review:' || e.user_id || ':' || a.proposal_id FROM evaluation_assignment a "
    "JOIN evaluation_expertprofile e ON e.id = a.expert_id WHERE a.id = {r}.assignment_id)"
)
SCOPED_TABLES = {
    "proposals_proposal": (
        "'proposal:' || {r}.id",
        "'proposals-of-region:' || (SELECT code FROM registry_region WHERE id = {r}.lead_region_id)",
        "CASE WHEN {r}.is_published THEN 'proposals-published' END",
    ),
    "proposals_historicalproposal": ("'proposal:' || {r}.id",),
    "proposals_proposaltransition": ("'proposal:' || {r}.proposal_id",),
    "proposals_proposalversion": ("'proposal:' || {r}.proposal_id",),
    "activity_notification": ("'inbox:' || {r}.recipient_id",),
    "evaluation_review": (_REVIEWER_AND_PROPOSAL,),
    "evaluation_historicalreview": (_REVIEWER_AND_PROPOSAL,),
}
PROPOSAL_TABLES = (
    "proposals_proposal",
    "proposals_historicalproposal",
    "proposals_proposaltransition",
    "proposals_proposalversion",
)
REVIEW_TABLES = ("evaluation_review", "evaluation_historicalreview")


# Written while serving reads (sessions, access and lockout logs) or never shown on a page: no trigger,
# so reads do not invalidate pages. A page that queries one of them is never stored.
UNTRACKED = frozenset(
    {
        VERSION_TABLE,
        SCOPE_TABLE,
        "django_session",
        "django_migrations",
        "core_personaldataaccess",
        "core_authorizationfailure",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
    }
)
# Read by the middleware before the view runs, so never seen by the query capture, yet shown on every page.
ALWAYS = ("auth_user", "accounts_membership")
TIME_BUCKET_SECONDS = 60  # a page shows a call as open at most a minute after it closed (the service refuses)
CSRF_PLACEHOLDER = "\x00legend50-csrf\x00"
_TOKEN = re.compile(r"[A-Za-z0-9]{64}")
# Session bookkeeping of SessionTimeoutMiddleware, not content: two sessions of one user whose other
# session data is equal see the same page.
_SLIDING_SESSION_KEYS = frozenset({SEEN_KEY, ABSOLUTE_KEY, "_session_expiry"})
SKIP_PREFIXES = ("/static/", "/api/", "/admin/", "/healthz", "/accounts/")


# --- versions --------------------------------------------------------------------------------------


def app_tables() -> list[str]:
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed}
    return sorted(tables - UNTRACKED)


def current_versions() -> dict[str, int]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT versions FROM {VERSION_TABLE} WHERE id = 1")  # noqa: S608
            row = cursor.fetchone()
            value = row[0] if row else {}
            return json.loads(value) if isinstance(value, str) else dict(value)
        cursor.execute(f"SELECT name, version FROM {VERSION_TABLE}")  # noqa: S608
        return dict(cursor.fetchall())


_request = threading.local()


def request_started(**kwargs) -> None:
    _request.active, _request.versions, _request.confined = True, None, None


def request_finished(**kwargs) -> None:
    _request.active, _request.versions, _request.confined = False, None, None


def in_request() -> bool:
    return getattr(_request, "active", False)


def remember_versions(value) -> None:
    """Versions read along with something else at the start of this request (legend50.core.sessions)."""
    if in_request() and _request.versions is None:
        _request.versions = json.loads(value) if isinstance(value, str) else dict(value)


def request_versions() -> dict[str, int]:
    """The table versions as of the first time this request asked: one read per request shared by the
    user lookup, the Actor cache and the page cache. Outside a request (commands, tests calling code
    directly) every call reads afresh."""
    if not getattr(_request, "active", False):
        return current_versions()
    if _request.versions is None:
        _request.versions = current_versions()
    return _request.versions


def scope_versions(scopes) -> dict[str, int]:
    scopes = sorted(scopes)
    if not scopes:
        return {}
    marks = ", ".join(["%s"] * len(scopes))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT scope, version FROM {SCOPE_TABLE} WHERE scope IN ({marks})", scopes)  # noqa: S608
        found = dict(cursor.fetchall())
    return {scope: found.get(scope, 0) for scope in scopes}


def storing() -> bool:
    """True while the page cache renders a page it may store (declarations matter only then)."""
    return getattr(_request, "confined", None) is not None


def reads_within(table: str, *scopes: str) -> None:
    """Declare that this request reads rows of `table` (one of SCOPED_TABLES) only inside `scopes` —
    every row it reads and every row it would read if one were added. Call it before the rows are read:
    the scopes' versions are taken now, so a write committed meanwhile makes the stored page miss. A
    declaration that is too narrow serves stale pages: declare only what the query's own filter
    guarantees, and test it (a write inside the scope shows, one outside leaves the page stored)."""
    if not storing():
        return
    confined = _request.confined
    assert table in SCOPED_TABLES, f"{table} has no scope triggers"
    new = set(scopes) - set(confined["versions"])
    confined["versions"].update(scope_versions(new))
    confined["tables"].setdefault(table, set()).update(scopes)


def advance_versions() -> None:
    """After a restore the versions would go back to the backup's, and a running process could then
    match a cached page or Actor of the newer data: move every version past anything seen before (a
    clock in microseconds, far above any count of commits)."""
    floor = int(time.time() * 1_000_000)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            versions = {table: floor + version for table, version in current_versions().items()}
            for table in app_tables():
                versions.setdefault(table, floor)
            # The scopes' epoch: a scope missing before and after the restore reads 0 both times, so
            # pages that depend on scopes depend on this too.
            versions.setdefault(SCOPE_TABLE, floor)
            update = f"UPDATE {VERSION_TABLE} SET versions = %s::jsonb WHERE id = 1"  # noqa: S608
            cursor.execute(update, [json.dumps(versions)])
        else:
            cursor.execute(f"UPDATE {VERSION_TABLE} SET version = version + %s", [floor])  # noqa: S608


def _pg_function(deferred: bool) -> str:
    # Every name interpolated in this module's SQL is a constant or a model's db_table, never input.
    bump = f"""
    UPDATE {VERSION_TABLE}
       SET versions = jsonb_set(versions, ARRAY[TG_TABLE_NAME],
                                to_jsonb(COALESCE((versions->>TG_TABLE_NAME)::bigint, 0) + 1))
     WHERE id = 1;"""  # noqa: S608
    if deferred:
        # At commit, one bump per table is enough: the flag is transaction-local (set_config(..., true)).
        bump = f"""
  IF current_setting('legend50_touched.' || TG_TABLE_NAME, true) IS DISTINCT FROM 'y' THEN
    PERFORM set_config('legend50_touched.' || TG_TABLE_NAME, 'y', true);{bump}
  END IF;"""
    return f"""
CREATE OR REPLACE FUNCTION legend50_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{bump}
  RETURN NULL;
END $$;
"""


def _scope_expressions(table: str, row: str) -> list[str]:
    return [expression.format(r=row) for expression in SCOPED_TABLES[table]]


def _pg_scope_function(table: str) -> str:
    """At commit, after legend50_version (triggers fire in name order), which has locked the one version
    row: scope rows are therefore only ever locked by one committing transaction at a time, whatever
    order its rows come in, and cannot deadlock."""
    new, old = _scope_expressions(table, "NEW"), _scope_expressions(table, "OLD")
    return f"""
CREATE OR REPLACE FUNCTION legend50_scopes_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  names text[] := ARRAY[]::text[];
BEGIN
  IF TG_OP <> 'DELETE' THEN names := names || ARRAY[{", ".join(new)}]; END IF;
  IF TG_OP <> 'INSERT' THEN names := names || ARRAY[{", ".join(old)}]; END IF;
  INSERT INTO {SCOPE_TABLE} AS v (scope, version)
  SELECT DISTINCT name, 1 FROM unnest(names) AS name WHERE name IS NOT NULL ORDER BY name
  ON CONFLICT (scope) DO UPDATE SET version = v.version + 1;
  RETURN NULL;
END $$;
"""  # noqa: S608


def _install_scope_triggers(cursor, vendor: str, tables: set[str]) -> None:
    if vendor == "postgresql":
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {SCOPE_TABLE} (scope text PRIMARY KEY, version bigint NOT NULL)"
        )
        cursor.execute(
            f"UPDATE {VERSION_TABLE} SET versions = versions || jsonb_build_object(%s::text, 0) "  # noqa: S608
            "WHERE id = 1 AND NOT versions ? %s::text",
            [SCOPE_TABLE, SCOPE_TABLE],
        )
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'legend50_version_scopes'"
        )
        have = {name.strip('"') for (name,) in cursor.fetchall()}
        for table in SCOPED_TABLES:
            if table not in tables:
                continue
            cursor.execute(_pg_scope_function(table))
            if table not in have:
                cursor.execute(
                    f'CREATE CONSTRAINT TRIGGER legend50_version_scopes AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                    f"DEFERRABLE INITIALLY {settings.LEGEND50_VERSION_TRIGGER_TIMING} "
                    f"FOR EACH ROW EXECUTE FUNCTION legend50_scopes_{table}()"
                )
        return
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {SCOPE_TABLE} (scope text PRIMARY KEY, version integer NOT NULL)"
    )
    cursor.execute(f"INSERT OR IGNORE INTO {VERSION_TABLE} VALUES (%s, 0)", [SCOPE_TABLE])  # noqa: S608
    for table in SCOPED_TABLES:
        if table not in tables:
            continue
        for operation, rows in (("INSERT", ["NEW"]), ("UPDATE", ["NEW", "OLD"]), ("DELETE", ["OLD"])):
            names = [e for row in rows for e in _scope_expressions(table, row)]
            listed = " UNION ".join(f"SELECT {e} AS name" for e in names)
            insert = (
                f"INSERT OR IGNORE INTO {SCOPE_TABLE} SELECT name, 0 FROM ({listed}) WHERE name IS NOT NULL;"  # noqa: S608
            )
            bump = f"UPDATE {SCOPE_TABLE} SET version = version + 1 WHERE scope IN ({', '.join(names)});"  # noqa: S608
            body = f"{insert} {bump}"
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "legend50_scopes_{table}_{operation.lower()}" '
                f'AFTER {operation} ON "{table}" BEGIN {body} END'
            )


def install_version_triggers(using="default", **kwargs) -> None:
    """Create the version table and a trigger on every application table that lacks one (idempotent;
    run after every migrate, so tables added later are covered too)."""
    from django.db import connections

    conn = connections[using]
    tables = set(conn.introspection.table_names())
    wanted = [t for t in app_tables() if t in tables]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (id integer PRIMARY KEY, versions jsonb NOT NULL)"
            )
            cursor.execute(f"INSERT INTO {VERSION_TABLE} VALUES (1, '{{}}') ON CONFLICT (id) DO NOTHING")  # noqa: S608
            cursor.execute(_pg_function(settings.LEGEND50_VERSION_TRIGGER_TIMING == "DEFERRED"))
            cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'legend50_version'")
            have = {name.strip('"') for (name,) in cursor.fetchall()}
            for table in wanted:
                if table in have:
                    continue
                cursor.execute(
                    f'CREATE CONSTRAINT TRIGGER legend50_version AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                    f"DEFERRABLE INITIALLY {settings.LEGEND50_VERSION_TRIGGER_TIMING} "
                    "FOR EACH ROW EXECUTE FUNCTION legend50_bump_version()"
                )
                cursor.execute(
                    f'CREATE TRIGGER legend50_version_truncate AFTER TRUNCATE ON "{table}" '
                    "FOR EACH STATEMENT EXECUTE FUNCTION legend50_bump_version()"
                )
        elif conn.vendor == "sqlite":
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (name text PRIMARY KEY, version integer NOT NULL)"
            )
            for table in wanted:
                cursor.execute(f"INSERT OR IGNORE INTO {VERSION_TABLE} VALUES (%s, 0)", [table])  # noqa: S608
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    bump = f"UPDATE {VERSION_TABLE} SET version = version + 1 WHERE name = '{table}';"  # noqa: S608
                    cursor.execute(
                        f'CREATE TRIGGER IF NOT EXISTS "legend50_version_{table}_{operation.lower()}" '
                        f'AFTER {operation} ON "{table}" BEGIN {bump} END'
                    )
        _install_scope_triggers(cursor, conn.vendor, tables)


# --- the cache -------------------------------------------------------------------------------------


def _cacheable_request(request) -> bool:
    if request.method != "GET" or request.path.startswith(SKIP_PREFIXES) or not settings.LEGEND50_PAGE_CACHE:
        return False
    if request.headers.get("HX-Request") or "messages" in request.COOKIES:
        return False
    return "_messages" not in request.session


def _key(request) -> str:
    session = request.session
    content = {k: v for k, v in session.items() if k not in _SLIDING_SESSION_KEYS}
    parts = [
        str(getattr(request.user, "pk", None)),
        json.dumps(content, sort_keys=True, default=str),
        request.LANGUAGE_CODE,
        request.get_full_path(),
    ]
    page = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    # Each page's buckets start at its own offset: were they aligned, every stored page would expire in
    # the same second and the next requests would all render at once.
    offset = int(page[:8], 16) % TIME_BUCKET_SECONDS
    bucket = int((bucket_clock() + offset) // TIME_BUCKET_SECONDS)
    return f"page:{page}:{bucket}"


def bucket_clock() -> float:
    """The clock the buckets follow (tests pin it, so two requests a moment apart share a bucket)."""
    return time.time()


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or getattr(request, "no_store", False):
        return False
    if set(response.headers) - {"Content-Type"} or not response["Content-Type"].startswith("text/html"):
        return False
    storage = getattr(request, "_messages", None)
    return storage is None or not (storage.used or storage._queued_messages)


_QUOTED_NAME = re.compile(r'"([A-Za-z0-9_]+)"')


def tables_read(statements: list[str]) -> set[str] | None:
    """The tables the statements read, or None when one of them is untracked. Django quotes every
    table name it writes into SQL, on PostgreSQL and on SQLite alike."""
    names = {name for sql in statements for name in _QUOTED_NAME.findall(sql)}
    if names & UNTRACKED:
        return None
    return names & _known_tables()


@contextlib.contextmanager
def capturing_statements():
    """Collects the SQL of every statement run inside the block (for `tables_read`)."""
    statements: list[str] = []

    def capture(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        yield statements


def unchanged(stamped: dict[str, int], versions: dict[str, int]) -> bool:
    """True when every table (or scope) in `stamped` still has the version it had."""
    return all(versions.get(name, 0) == version for name, version in stamped.items())


@functools.cache
def _known_tables() -> frozenset[str]:
    return frozenset(app_tables())


def _without_csrf(request, html: str) -> str:
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return html
    return _TOKEN.sub(
        lambda m: CSRF_PLACEHOLDER if _unmask_cipher_token(m.group()) == secret else m.group(), html
    )


class PageCacheMiddleware:
    """Serves a stored page while it is current. With a shared cache (Redis) each process also keeps
    the pages it served in memory in front of it: an entry is only ever used after its versions are
    checked, so a copy in either place is as safe as the other."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        shared = caches[settings.LEGEND50_PAGE_CACHE_ALIAS]
        stores = [shared] if isinstance(shared, LocMemCache) else [_front, shared]
        key = _key(request)
        versions = request_versions()
        for cache in stores:
            entry = cache.get(key)
            if entry is not None and _current(entry, versions):
                if cache is not stores[0]:
                    stores[0].set(key, entry, TIME_BUCKET_SECONDS * 2)
                html = entry["html"].replace(CSRF_PLACEHOLDER, get_token(request))
                response = HttpResponse(html, content_type=entry["content_type"])
                response["X-Legend50-Page-Cache"] = "hit"
                return response

        confined = _request.confined = {"tables": {}, "versions": {}}
        try:
            with capturing_statements() as statements:
                response = self.get_response(request)
        finally:
            _request.confined = None
        if _storable(request, response):
            entry = _entry(request, response, statements, confined, versions)
            if entry is not None:
                for cache in stores:
                    cache.set(key, entry, TIME_BUCKET_SECONDS * 2)
        return response


_front = LocMemCache("legend50-pages-front", {"OPTIONS": {"MAX_ENTRIES": 2000}})


def _entry(request, response, statements, confined, versions) -> dict | None:
    tables = tables_read(statements)
    if tables is None:
        return None
    tables = tables.union(ALWAYS)
    scoped = tables & set(confined["tables"])
    depends = {t: versions.get(t, 0) for t in tables - scoped}
    if scoped:
        depends[SCOPE_TABLE] = versions.get(SCOPE_TABLE, 0)
    return {
        "depends": depends,
        # A scoped table whose own version has not moved since the request began had no write at all:
        # its scopes need no look-up (the usual case for the inbox, and for everything between surges).
        "scoped_tables": {t: versions.get(t, 0) for t in scoped},
        "scopes": {s: confined["versions"][s] for t in scoped for s in confined["tables"][t]},
        "html": _without_csrf(request, response.content.decode(response.charset)),
        "content_type": response["Content-Type"],
    }


def _current(entry, versions) -> bool:
    if not unchanged(entry["depends"], versions):
        return False
    return unchanged(entry["scoped_tables"], versions) or unchanged(
        entry["scopes"], scope_versions(entry["scopes"])
    )
