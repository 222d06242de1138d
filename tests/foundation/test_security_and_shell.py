import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from legend50.core.formatting import format_eok, format_krw

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def _login(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_wrong_password_is_counted_with_a_clear_message(world, client):
    response = _login(client, "province-27", "wrong-password")
    assert response.status_code == 200
    body = response.content.decode()
    assert "비밀번호가 올바르지 않습니다" in body and "5회" in body


def test_sixth_failure_within_a_minute_is_blocked_per_account(world, client):
    for _ in range(5):
        assert _login(client, "province-27", "nope", ip="10.0.0.2").status_code == 200
    assert _login(client, "province-27", "nope", ip="10.0.0.2").status_code == 429
    # Even the right password is refused now, from any address.
    response = _login(client, "province-27", "legend50-demo", ip="10.9.9.9")
    assert response.status_code == 429
    assert "로그인이 일시적으로 제한" in response.content.decode()


def test_sixth_failure_is_blocked_per_ip(world, client):
    for index in range(5):
        assert _login(client, f"nobody-{index}", "nope", ip="10.0.0.3").status_code == 200
    assert _login(client, "nobody-6", "nope", ip="10.0.0.3").status_code == 429
    assert _login(client, "province-11", "legend50-demo", ip="10.0.0.3").status_code == 429
    assert _login(client, "province-11", "legend50-demo", ip="10.0.0.4").status_code == 302


def test_session_rotates_at_login_and_expires_absolutely(world, client, settings):
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    assert _login(client, "province-27", "legend50-demo").status_code == 302
    assert client.session.session_key != before
    assert client.get("/").status_code == 200
    session = client.session
    session["legend50_login_at"] = int(time.time()) - settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS - 10
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_idle_timeout_slides_with_activity_but_not_on_every_request(world, client, settings):
    from django.contrib.sessions.models import Session

    from legend50.core.middleware import SEEN_KEY

    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert _login(client, "province-27", "legend50-demo").status_code == 302
    client.get("/")
    key = client.session.session_key
    first = Session.objects.get(session_key=key).expire_date
    client.get("/")  # within the minute: no session write
    assert Session.objects.get(session_key=key).expire_date == first
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 120
    session.save()
    saved = Session.objects.get(session_key=key).expire_date
    time.sleep(1.1)
    client.get("/")  # a minute later: the idle window moves forward
    assert Session.objects.get(session_key=key).expire_date > saved


def test_passwords_hash_with_argon2():
    from django.contrib.auth.hashers import make_password

    assert make_password("legend50-demo", hasher="argon2").startswith("argon2")
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_security_headers_and_csrf(world, client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    csrf_client = type(client)(enforce_csrf_checks=True)
    assert csrf_client.post("/accounts/login/", {"username": "a", "password": "b"}).status_code == 403


def test_program_page_shows_the_source_facts(world, client):
    body = client.get("/programs/legend50plus/").content.decode()
    for text in [
        "2024–2026",
        "4,000억원",
        "35 → 21",
        "지역혁신기관의 자원을 연계",
        "비수도권 기업 매출 비중 50% 이상",
        "2,790억원",
        "800억원",
    ]:
        assert text in body, text


def test_province_dashboard_names_the_province(world, client):
    from legend50.core.testing import login_as

    login_as(client, "province_own")
    body = client.get("/").content.decode()
    assert "대구광역시 대시보드" in body


def test_english_switch(world, client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert 'lang="en"' in body and "Sign in" in body
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert "로그인" in client.get("/").content.decode()


@pytest.mark.parametrize(
    "amount, text",
    [
        (400_000_000_000, "4,000억원"),
        (250_000_000, "2억 5,000만원"),
        (50_000_000, "5,000만원"),
        (1234, "1,234원"),
        (0, "0원"),
        (-30_000, "-3만원"),
        (301_700_000_000_000_0, "3,017조원"),
        (None, "-"),
    ],
)
def test_korean_money_units(amount, text):
    assert format_krw(amount) == text


def test_eok_format():
    assert format_eok(279_000_000_000) == "2,790.0억원"


def _run(args, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "legend50", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_under_production_settings(tmp_path):
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x" * 20 + "-production-secret-key-for-the-check-" + "y" * 20,
        ALLOWED_HOSTS="legend50.example.kr",
        LEGEND50_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_demo_mail_is_kept_as_files_not_printed(tmp_path):
    # The demo story sends hundreds of notifications while it seeds; printed, they would bury the
    # accounts list that `bootstrap.py serve` shows.
    send = "from django.core.mail import send_mail; send_mail('평가위원 위촉', '서약서에 서명해 주세요.', 'a@x.kr', ['b@x.kr'])"
    result = _run(
        ["shell", "-c", send],
        DJANGO_SETTINGS_MODULE="config.settings.demo",
        LEGEND50_VAR_DIR=str(tmp_path),
        EMAIL_BACKEND="",
    )
    assert result.returncode == 0, result.stderr
    assert "서약서" not in result.stdout and "Content-Type" not in result.stdout
    kept = list((tmp_path / "outbox").iterdir())
    assert len(kept) == 1 and "서약서에 서명해 주세요." in kept[0].read_text(encoding="utf-8")


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = _run(
        ["check"], DJANGO_SETTINGS_MODULE="config.settings.production", LEGEND50_VAR_DIR=str(tmp_path)
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "SECRET_KEY" in lines[0]


@pytest.mark.parametrize("url", ["mysql://root@localhost/x", "not a url", "postgres://"])
def test_bad_database_url_stops_startup_with_one_line(url, tmp_path):
    result = _run(["check"], DATABASE_URL=url, LEGEND50_VAR_DIR=str(tmp_path))
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "DATABASE_URL" in lines[0], result.stderr


def test_signed_in_pages_are_never_cached(world, client):
    from legend50.core.testing import login_as

    assert "no-store" not in client.get("/programs/").get("Cache-Control", "")
    login_as(client, "expert")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_korean_first_whatever_the_browser_says(world, client):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="ko"' in body and "로그인" in body
