"""Backup and restore drill: back up a populated instance, restore into an empty one, compare."""

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from legend50.core.backup import create_backup, row_counts
from legend50.registry.models import Organization

ROOT = Path(__file__).resolve().parents[3]


def _run(args, **env):
    full = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "legend50", *args],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def populated(transactional_db, world, settings):
    Organization.objects.create(name="백업 검증 기관", kind="other")
    media = Path(settings.MEDIA_ROOT) / "attachments" / "drill"
    media.mkdir(parents=True, exist_ok=True)
    (media / "계획서.pdf").write_bytes(b"%PDF-1.4 drill " + os.urandom(2048))
    return media


def test_backup_restore_drill(populated, tmp_path):
    archive = create_backup(tmp_path / "backup.tar.gz", progress=lambda m: None)
    expected = row_counts()
    with tarfile.open(archive) as handle:
        manifest = json.load(handle.extractfile("manifest.json"))
    assert manifest["row_counts"] == expected and any(
        name.endswith("계획서.pdf") for name in manifest["media"]
    )

    target = tmp_path / "restored"
    env = {"LEGEND50_VAR_DIR": str(target), "DJANGO_SETTINGS_MODULE": "config.settings.demo"}
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        name = f"legend50_drill_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        user = db.get("USER") or "postgres"
        env["DATABASE_URL"] = (
            f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
        )
    try:
        result = _run(["restore", str(archive)], **env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "restored and verified" in result.stdout
        restored_file = target / "media" / "attachments" / "drill" / "계획서.pdf"
        assert restored_file.read_bytes() == (populated / "계획서.pdf").read_bytes()
        if connection.vendor == "sqlite":
            with sqlite3.connect(target / "legend50.sqlite3") as db:
                for table, count in expected.items():
                    assert db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] == count, table  # noqa: S608
        # A second restore into the now non-empty instance is refused without --force.
        again = _run(["restore", str(archive)], **env)
        assert again.returncode != 0 and "already holds data" in again.stderr
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_corrupt_archive_is_refused(populated, tmp_path):
    archive = create_backup(tmp_path / "backup.tar.gz", progress=lambda m: None)
    broken = tmp_path / "broken.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(broken, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name.startswith("database"):
                content = data.read()
                import io

                data = io.BytesIO(content[:-10] + b"corrupted!")
            target.addfile(member, data)
    result = _run(
        ["restore", str(broken)],
        LEGEND50_VAR_DIR=str(tmp_path / "x"),
        DJANGO_SETTINGS_MODULE="config.settings.demo",
        **(
            {"DATABASE_URL": "sqlite:///" + str(tmp_path / "x.sqlite3")}
            if connection.vendor == "sqlite"
            else {}
        ),
    )
    assert result.returncode != 0 and ("corrupt" in result.stderr or "vendor" in result.stderr)
    assert settings.MEDIA_ROOT
