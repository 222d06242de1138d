"""`legend50 import_firms FILE`: import firms and yearly financials from XLSX or CSV, with a
progress bar. Same validation and all-or-nothing rule as the web upload."""

import shutil
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from legend50.firms.choices import ImportMode, ImportStatus
from legend50.firms.models import ImportJob
from legend50.firms.services import import_run


class ProgressBar:
    def __init__(self, stream):
        self.stream = stream
        self.started = time.monotonic()
        self.last = 0.0
        self.tty = getattr(stream, "isatty", lambda: False)()

    def __call__(self, phase: str, done: int, total: int):
        now = time.monotonic()
        if now - self.last < 0.2 and done < total:
            return
        self.last = now
        width = 30
        fraction = min(1.0, done / total) if total else 0.0
        bar = "█" * int(fraction * width) + "░" * (width - int(fraction * width))
        line = f"{phase:<12} [{bar}] {fraction:6.1%} {done:,}/{total:,}  {now - self.started:6.1f}s"
        if self.tty:
            self.stream.write("\r" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self):
        if self.tty:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Import firms and yearly financials (XLSX or CSV, Korean or English headers)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--valid-only", action="store_true", help="save valid rows even if some rows fail"
        )
        parser.add_argument("--user", help="record the import as this user (default: none, all regions)")
        parser.add_argument("--report", type=Path, help="write the error report (CSV) here")
        parser.add_argument("--no-history", action="store_true", help="skip per-firm history rows (faster)")

    def handle(self, *args, file: Path, valid_only, user, report, no_history, **options):
        if not file.exists():
            raise CommandError(f"파일이 없습니다: {file}")
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"사용자가 없습니다: {user}")
        job = ImportJob(
            created_by=by,
            original_name=file.name,
            mode=ImportMode.VALID_ONLY if valid_only else ImportMode.ALL_OR_NOTHING,
        )
        with open(file, "rb") as fh:
            job.file.save(file.name, File(fh), save=False)
        job.save()
        bar = ProgressBar(sys.stderr)
        job = import_run(job_id=job.pk, by=by, progress=bar, write_history=not no_history)
        bar.finish()
        if report and job.report:
            shutil.copyfile(job.report.path, report)
        for error in job.errors[:20]:
            self.stderr.write(f"  {error['row']}행 {error['column']}: {error['message']} ({error['value']})")
        if job.error_rows > 20:
            self.stderr.write(
                f"  … 모두 {job.error_rows}개 행 (오류 보고서: {job.report.path if job.report else '-'})"
            )
        if job.status == ImportStatus.DONE:
            self.stdout.write(self.style.SUCCESS(job.message))
        else:
            raise CommandError(job.message)
