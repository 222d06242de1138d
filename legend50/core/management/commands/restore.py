from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from legend50.core.backup import restore_backup
from legend50.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Restore a backup made by `legend50 backup` into this (empty) instance and verify it."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true", help="overwrite an instance that holds data")

    def handle(self, *args, archive, force=False, **options):
        try:
            report = restore_backup(archive, force=force, progress=lambda m: self.stdout.write(f"  {m}"))
        except ApplicationError as exc:
            raise CommandError(exc.message)
        self.stdout.write(
            self.style.SUCCESS(
                f"restored and verified: {report['tables']} tables, {report['rows']} rows, {report['files']} files"
            )
        )
