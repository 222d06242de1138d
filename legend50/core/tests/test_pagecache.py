"""The page cache serves a stored page only while nothing it read has changed, whoever changed it."""

import pytest
from django.db import connection, transaction
from django.middleware.csrf import _unmask_cipher_token

from legend50.core import pagecache
from legend50.core.testing import login_as
from legend50.registry.models import Organization

HIT = "X-Legend50-Page-Cache"
URL = "/registry/organizations/?q=%EB%8C%80%EA%B5%AC"  # 대구: a short list


def organization_table():
    return Organization._meta.db_table


@pytest.mark.django_db
def test_every_kind_of_write_bumps_the_table_version(world):
    table = organization_table()
    org = Organization.objects.filter(name__contains="대구").first()

    def version():
        return pagecache.current_versions().get(table, 0)

    start = version()
    org.name_en = "Daegu (saved)"
    org.save()
    assert version() == start + 1
    Organization.objects.filter(pk=org.pk).update(name_en="Daegu (update)")  # no signals, no auto_now
    assert version() == start + 2
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET name_en = %s WHERE id = %s', ["raw", org.pk])  # noqa: S608
    assert version() == start + 3
    with transaction.atomic():  # many rows in one transaction
        Organization.objects.filter(name__contains="대구").update(name_en="x")
        org.save()
    assert version() > start + 3


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_the_version_alone(world):
    table = organization_table()
    start = pagecache.current_versions().get(table, 0)
    with pytest.raises(RuntimeError), transaction.atomic():
        Organization.objects.update(name_en="never")
        raise RuntimeError
    assert pagecache.current_versions().get(table, 0) == start


@pytest.mark.django_db
def test_a_stored_page_is_served_until_a_table_it_read_changes(client, world):
    login_as(client, "province_own")
    first = client.get(URL)
    assert first.status_code == 200 and HIT not in first
    second = client.get(URL)
    assert second[HIT] == "hit"
    assert second.content.decode().count("대구") == first.content.decode().count("대구")

    # Changed behind the application's back: no signal, no service, no auto_now.
    org = Organization.objects.filter(name__contains="대구").first()
    Organization.objects.filter(pk=org.pk).update(name=org.name + " 새이름")
    third = client.get(URL)
    assert HIT not in third
    assert "새이름" in third.content.decode()


@pytest.mark.django_db
def test_users_languages_and_paths_never_share_a_page(client, world):
    login_as(client, "province_own")
    client.get(URL)
    assert client.get(URL)[HIT] == "hit"
    assert HIT not in client.get(URL + "&page=1")
    login_as(client, "province_other")
    other = client.get(URL)
    assert HIT not in other
    assert "서울" in other.content.decode()  # the header names the signed-in user's role and region
    login_as(client, "province_own")  # signing in again writes last_login: rendered anew once
    assert HIT not in client.get(URL)
    assert client.get(URL)[HIT] == "hit"
    client.cookies["django_language"] = "en"
    assert HIT not in client.get(URL)


@pytest.mark.django_db
def test_a_served_page_carries_a_token_for_this_browser(client, world):
    login_as(client, "province_own")
    client.get(URL)
    hit = client.get(URL)
    assert hit[HIT] == "hit"
    secret = client.cookies["csrftoken"].value
    tokens = [t for t in pagecache._TOKEN.findall(hit.content.decode()) if _unmask_cipher_token(t) == secret]
    assert tokens, "the cached page must carry a CSRF token valid for this browser"
    assert pagecache.CSRF_PLACEHOLDER not in hit.content.decode()


@pytest.mark.django_db
def test_the_clock_bounds_how_long_a_page_is_reused(client, world, monkeypatch):
    login_as(client, "province_own")
    now = 1_800_000_000.0
    monkeypatch.setattr(pagecache, "bucket_clock", lambda: now)
    client.get(URL)
    assert client.get(URL)[HIT] == "hit"
    now += pagecache.TIME_BUCKET_SECONDS
    assert HIT not in client.get(URL)


@pytest.mark.django_db
def test_pages_with_messages_htmx_or_untracked_tables_are_not_stored(client, world):
    login_as(client, "province_own")
    client.get(URL, HTTP_HX_REQUEST="true")
    assert HIT not in client.get(URL, HTTP_HX_REQUEST="true")
    assert pagecache.tables_read(['SELECT 1 FROM "core_personaldataaccess"']) is None
    statement = f'SELECT 1 FROM "{organization_table()}"'  # noqa: S608 - a model's table name
    assert pagecache.tables_read([statement]) == {organization_table()}


@pytest.mark.django_db
def test_switched_off_by_setting(client, world, settings):
    settings.LEGEND50_PAGE_CACHE = False
    login_as(client, "province_own")
    client.get(URL)
    assert HIT not in client.get(URL)


@pytest.mark.django_db
def test_every_application_table_has_its_trigger(world):
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'legend50_version'")
            covered = {name.strip('"') for (name,) in cursor.fetchall()}
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'legend50_version_%'"
            )
            covered = {name for (name,) in cursor.fetchall()}
    missing = [t for t in pagecache.app_tables() if t in tables and t not in covered]
    assert not missing


@pytest.mark.django_db
def test_a_page_read_with_flash_messages_pending_is_not_stored(client, world):
    login_as(client, "province_own")
    client.cookies["messages"] = "pending"
    client.get(URL)
    assert HIT not in client.get(URL)


@pytest.mark.django_db(transaction=True)
def test_postgresql_writers_never_wait_for_each_other_on_the_version_row(world):
    if connection.vendor != "postgresql":
        pytest.skip("the deferred trigger is PostgreSQL's; SQLite has one writer at a time")
    import psycopg

    from legend50.registry.models import Region

    table = organization_table()
    start = pagecache.current_versions().get(table, 0)
    db = connection.settings_dict
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS legend50_version DEFERRED")  # production's timing
        Organization.objects.update(name_en="pending")
        # Another writer commits while this transaction is open: it must not queue behind it.
        with psycopg.connect(
            host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"], dbname=db["NAME"]
        ) as other:
            other.execute("SET lock_timeout = '2s'")
            other.execute(f'UPDATE "{Region._meta.db_table}" SET name_en = name_en')  # noqa: S608
            other.commit()
        assert pagecache.current_versions().get(table, 0) == start  # not yet: bumped at commit
    assert pagecache.current_versions().get(table, 0) > start


@pytest.mark.django_db
def test_the_per_process_actor_follows_a_role_revoked_anywhere(world):
    from django.contrib.auth import get_user_model

    from legend50.accounts.models import Membership
    from legend50.core.actors import Role, actor_for

    users = get_user_model().objects
    assert actor_for(users.get(username="province-27")).has_role(Role.PROVINCE_OFFICER)
    assert actor_for(users.get(username="province-27")).has_role(Role.PROVINCE_OFFICER)  # from the cache
    Membership.objects.filter(user__username="province-27").update(is_active=False)  # no signal
    assert not actor_for(users.get(username="province-27")).roles


@pytest.mark.django_db
def test_a_restore_moves_every_version_past_what_was_seen(world):
    before = pagecache.current_versions()
    pagecache.advance_versions()
    after = pagecache.current_versions()
    assert all(after[table] > version for table, version in before.items())
    assert set(pagecache.app_tables()) <= set(after)


@pytest.mark.django_db
def test_a_user_deactivated_or_renamed_anywhere_is_seen_at_the_next_request(client, world):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    login_as(client, "province_own")
    assert client.get("/proposals/").status_code == 200
    assert client.get("/proposals/").status_code == 200  # the user row reused from this process
    users.filter(username="province-27").update(first_name="새이름")  # no signal, no save()
    assert "새이름" in client.get("/proposals/").content.decode()
    users.filter(username="province-27").update(is_active=False)
    assert client.get("/proposals/").status_code == 302  # signed out: to the login page


@pytest.mark.django_db
def test_a_stored_page_costs_the_session_and_version_reads_only(client, world):
    from django.contrib.auth import get_user_model
    from django.test.utils import CaptureQueriesContext

    from legend50.activity.models import Notification

    login_as(client, "province_own")
    client.get(URL)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL)[HIT] == "hit"
    # PostgreSQL reads the session and the versions in one statement, SQLite in two.
    reads = 1 if connection.vendor == "postgresql" else 2
    assert len(queries) == reads, [q["sql"] for q in queries]
    # A write to a table the page reads only in part (the header's inbox count): the page's own scope
    # is looked up, unchanged, and the page is still served.
    other = get_user_model().objects.get(username="province-11")
    Notification.objects.create(recipient=other, kind="test", subject="남의 알림")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL)[HIT] == "hit"
    assert len(queries) == reads + 1 and pagecache.SCOPE_TABLE in queries[-1]["sql"]


@pytest.mark.django_db
def test_a_redis_page_cache_is_shared_by_every_process(client, world, settings):
    redis = pytest.importorskip("redis")
    server = redis.Redis(host="127.0.0.1", port=6379, db=15, socket_connect_timeout=0.5)
    try:
        server.ping()
    except redis.RedisError:
        pytest.skip("no Redis server on 127.0.0.1:6379 (production's optional shared page cache)")
    import uuid

    prefix = f"legend50-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": prefix,
        },
    }
    try:
        login_as(client, "province_own")
        client.get(URL)
        # Stored outside this process, where every other worker finds it.
        assert server.keys(f"{prefix}:*")
        assert client.get(URL)[HIT] == "hit"  # from this process's own copy
        pagecache._front.clear()  # as another worker process, which has none
        assert client.get(URL)[HIT] == "hit"
        org = Organization.objects.filter(name__contains="대구").first()
        Organization.objects.filter(pk=org.pk).update(name=org.name + " 공유")
        page = client.get(URL)
        assert HIT not in page and "공유" in page.content.decode()
    finally:
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)


def test_a_page_cache_url_that_is_not_redis_is_refused_by_name(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config.settings.base import page_cache_from_env

    monkeypatch.setenv("LEGEND50_PAGE_CACHE_URL", "memcached://127.0.0.1:11211")
    with pytest.raises(ImproperlyConfigured, match="LEGEND50_PAGE_CACHE_URL"):
        page_cache_from_env()
    monkeypatch.setenv("LEGEND50_PAGE_CACHE_URL", "redis://127.0.0.1:6379/2")
    assert page_cache_from_env()["BACKEND"].endswith("RedisCache")


def test_stored_pages_expire_at_staggered_times(monkeypatch):
    """Aligned buckets would expire every stored page in the same second (a burst of renders)."""
    from types import SimpleNamespace

    from django.test import RequestFactory

    def expiry_second(path):
        request = RequestFactory().get(path)
        request.user, request.session, request.LANGUAGE_CODE = SimpleNamespace(pk=1), {}, "ko"

        def key_at(second):
            monkeypatch.setattr(pagecache, "bucket_clock", lambda: 1_800_000_000.0 + second)
            return pagecache._key(request)

        first = key_at(0)
        return next(s for s in range(1, pagecache.TIME_BUCKET_SECONDS + 1) if key_at(s) != first)

    seconds = {expiry_second(f"/proposals/{pk}/") for pk in range(40)}
    assert len(seconds) > 10


@pytest.mark.django_db
def test_the_kept_navigation_follows_what_it_was_read_from(client, world, settings):
    from legend50.evaluation.models import ExpertProfile
    from legend50.evaluation.tests import factories

    settings.LEGEND50_PAGE_CACHE = False  # the navigation itself, not a stored page
    ExpertProfile.objects.filter(user__username="expert-1").delete()
    login_as(client, "expert")
    link = 'href="/evaluation/"'
    assert link not in client.get("/proposals/").content.decode()
    assert link not in client.get("/proposals/").content.decode()  # kept in this process
    factories.expert(1)  # a profile now: the evaluation menu appears at the next page
    assert link in client.get("/proposals/").content.decode()
