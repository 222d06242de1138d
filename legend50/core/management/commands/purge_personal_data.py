from django.core.management.base import BaseCommand

from legend50.core.privacy import purge


class Command(BaseCommand):
    help = "Delete personal data past its retention period (access logs are kept at least one year)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run=False, **options):
        for label, rows in purge(dry_run=dry_run).items():
            self.stdout.write(f"{label}: {rows} {'would be ' if dry_run else ''}deleted")
