"""Backup and restore of the whole instance: the database and the uploaded files, with a manifest of
row counts and file checksums that the restore verifies.

SQLite is copied with the online backup API (consistent while the server runs); PostgreSQL with
pg_dump/pg_restore in the custom format.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

from .errors import ApplicationError

FORMAT_VERSION = 1


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def row_counts() -> dict[str, int]:
    counts = {}
    existing = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table in existing and table not in counts:
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names from the ORM
                counts[table] = cursor.fetchone()[0]
    return dict(sorted(counts.items()))


def media_checksums(media_root: Path) -> dict[str, str]:
    if not media_root.exists():
        return {}
    return {
        str(path.relative_to(media_root)): _sha256(path)
        for path in sorted(media_root.rglob("*"))
        if path.is_file()
    }


def _pg_env(db: dict) -> dict:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _pg_args(db: dict) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["-h", db["HOST"]]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    return args


def create_backup(output: Path | None = None, *, progress=print) -> Path:
    db = connection.settings_dict
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    output = Path(output) if output else settings.VAR_DIR / "backups" / f"legend50-backup-{stamp}.tar.gz"
    output.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if connection.vendor == "sqlite":
            progress("database: SQLite online backup …")
            connection.ensure_connection()
            target = sqlite3.connect(work / "database.sqlite3")
            with target:
                connection.connection.backup(target)
            target.close()
            db_file = "database.sqlite3"
        elif connection.vendor == "postgresql":
            progress("database: pg_dump …")
            db_file = "database.pgdump"
            subprocess.run(
                [
                    "pg_dump",
                    "-Fc",
                    "--no-owner",
                    "--no-privileges",
                    *_pg_args(db),
                    "-f",
                    str(work / db_file),
                    db["NAME"],
                ],
                check=True,
                env=_pg_env(db),
            )
        else:
            raise ApplicationError(
                f"backup does not support the {connection.vendor} database", code="unsupported"
            )
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "vendor": connection.vendor,
            "database_file": db_file,
            "database_sha256": _sha256(work / db_file),
            "row_counts": row_counts(),
            "media": media_checksums(media_root),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        from .pagecache import advance_versions

        advance_versions()  # running servers must not take restored data for what they cached
        progress(f"files: {len(manifest['media'])} uploaded files …")
        with tarfile.open(output, "w:gz") as archive:
            archive.add(work / "manifest.json", arcname="manifest.json")
            archive.add(work / db_file, arcname=db_file)
            if media_root.exists():
                archive.add(media_root, arcname="media")
    return output


def _safe_members(archive: tarfile.TarFile):
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise ApplicationError(
                f"backup archive holds an unsafe entry: {member.name}", code="unsafe_archive"
            )
        yield member


def database_is_empty() -> bool:
    tables = set(connection.introspection.table_names())
    if "auth_user" not in tables:
        return True
    with connection.cursor() as cursor:
        cursor.execute('SELECT COUNT(*) FROM "auth_user"')
        return cursor.fetchone()[0] == 0


def restore_backup(archive_path: Path, *, force: bool = False, progress=print) -> dict:
    """Restore into this instance and verify row counts and file checksums against the manifest.
    Refuses to overwrite an instance that already has users unless `force`."""
    archive_path = Path(archive_path)
    if not archive_path.exists():
        raise ApplicationError(f"backup file not found: {archive_path}", code="not_found")
    if not force and not database_is_empty():
        raise ApplicationError(
            "this instance already holds data; restore into an empty instance or pass --force",
            code="not_empty",
        )
    db = connection.settings_dict
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(work, members=list(_safe_members(archive)), filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
        db_file = work / manifest["database_file"]
        if _sha256(db_file) != manifest["database_sha256"]:
            raise ApplicationError(
                "the database file in the backup is corrupt (checksum mismatch)", code="corrupt"
            )
        if manifest["vendor"] != connection.vendor:
            raise ApplicationError(
                f"backup is from {manifest['vendor']}, this instance runs {connection.vendor}",
                code="vendor_mismatch",
            )
        if connection.vendor == "sqlite":
            progress("database: SQLite restore …")
            connection.ensure_connection()
            source = sqlite3.connect(db_file)
            with source:
                source.backup(connection.connection)
            source.close()
            connection.close()
        else:
            progress("database: pg_restore …")
            connection.close()
            subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    *_pg_args(db),
                    "-d",
                    db["NAME"],
                    str(db_file),
                ],
                check=True,
                env=_pg_env(db),
            )
        progress(f"files: {len(manifest['media'])} uploaded files …")
        if (work / "media").exists():
            media_root.mkdir(parents=True, exist_ok=True)
            shutil.copytree(work / "media", media_root, dirs_exist_ok=True)
    return verify_against(manifest)


def verify_against(manifest: dict) -> dict:
    counts = row_counts()
    files = media_checksums(Path(settings.MEDIA_ROOT))
    count_mismatch = {
        table: (expected, counts.get(table))
        for table, expected in manifest["row_counts"].items()
        if counts.get(table) != expected
    }
    file_mismatch = sorted(name for name, digest in manifest["media"].items() if files.get(name) != digest)
    report = {
        "tables": len(manifest["row_counts"]),
        "rows": sum(manifest["row_counts"].values()),
        "files": len(manifest["media"]),
        "count_mismatch": count_mismatch,
        "file_mismatch": file_mismatch,
    }
    if count_mismatch or file_mismatch:
        raise ApplicationError(f"restore verification failed: {report}", code="verification_failed")
    return report
