"""Run a real, separate Legend50 instance (production server on its own database) for robustness tests.

Used by the crash-safety test and the load benchmark. The database is a fresh SQLite file in a temp
folder, or a fresh PostgreSQL database next to the one in DATABASE_URL.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Instance:
    def __init__(self, var_dir: Path, database_url: str | None = None):
        self.var_dir = Path(var_dir)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings.demo",
            LEGEND50_VAR_DIR=str(self.var_dir),
            LEGEND50_API_RATE_LIMITS="off",
            PYTHONUNBUFFERED="1",
        )
        self.pg_admin_url = None
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.server: subprocess.Popen | None = None

    @classmethod
    def fresh(cls, var_dir: Path, postgres_url: str | None):
        """`postgres_url` names a server (any database on it); a new database is created there."""
        if not postgres_url:
            return cls(var_dir)
        import psycopg

        name = f"legend50_robust_{uuid.uuid4().hex[:10]}"
        base = postgres_url.rsplit("/", 1)[0]
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        instance = cls(var_dir, f"{base}/{name}")
        instance.pg_admin_url = postgres_url
        instance.pg_name = name
        return instance

    def manage(self, *args, timeout=600) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "legend50", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            raise RuntimeError(f"legend50 {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def python(self, code: str, timeout=600) -> dict:
        """Run Django code in the instance's environment; the code prints one JSON line last."""
        wrapped = "import django, json\ndjango.setup()\n" + code
        result = subprocess.run(
            [sys.executable, "-c", wrapped],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            raise RuntimeError(f"instance code failed:\n{result.stdout}\n{result.stderr}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def start(self, workers: int = 2, threads: int = 4):
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread",
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(
            "server did not start: " + (self.server.stderr.read(2000).decode() if self.server.stderr else "")
        )

    def kill(self):
        """SIGKILL the whole server process group: no graceful shutdown, no flush."""
        if self.server is not None:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait(timeout=30)
            self.server = None

    def stop(self):
        if self.server is not None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
            self.server = None

    def drop(self):
        self.stop()
        if self.pg_admin_url:
            import psycopg

            with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


PREPARE = """
from django.contrib.auth import get_user_model
from legend50.registry import demo as registry_demo
from legend50.programs import demo as programs_demo
from legend50.accounts import demo as accounts_demo
from legend50.programs.models import Call
from legend50.proposals.demo import make_ready_draft
from legend50.api.models import ApiToken
registry_demo.load_facts(); programs_demo.load_facts(); accounts_demo.load_demo(); programs_demo.load_demo()
call = Call.objects.get(code="legend50plus-2027-sample")
call.max_proposals_per_province = 30000
call.save()
users = get_user_model().objects
out = {"tokens": {}, "drafts": []}
codes = ["11","26","27","28","29","30","31","36","41","43","44","46","47","48","50","51","52"]
for i in range(N):
    code = codes[i % len(codes)]
    user = users.get(username=f"province-{code}")
    if code not in out["tokens"]:
        out["tokens"][code] = ApiToken.issue(user=user, name="robustness")[1]
    draft = make_ready_draft(call=call, by=user, title=f"견고성 시험 과제 {i:04d}")
    out["drafts"].append({"id": draft.pk, "region": code, "lock_version": draft.lock_version})
print(json.dumps(out))
"""


def prepare(instance: Instance, n: int) -> dict:
    instance.manage("migrate", "--no-input")
    return instance.python(f"N = {n}\n" + PREPARE)
