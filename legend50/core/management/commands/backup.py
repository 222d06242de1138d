from pathlib import Path

from django.core.management.base import BaseCommand

from legend50.core.backup import create_backup


class Command(BaseCommand):
    help = "Back up the database and uploaded files into one .tar.gz with a verifiable manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="archive path (default: var/backups/legend50-backup-…)"
        )

    def handle(self, *args, output=None, **options):
        path = create_backup(output, progress=lambda m: self.stdout.write(f"  {m}"))
        self.stdout.write(self.style.SUCCESS(f"backup written: {path}"))
