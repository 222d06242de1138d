from django.core.management.base import BaseCommand

from legend50.activity.reminders import send_reminders


class Command(BaseCommand):
    help = "Send reminders before deadlines and due dates (each deadline once per user; safe to re-run)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=None, help="look this many hours ahead (default 72)")

    def handle(self, *args, hours=None, **options):
        from datetime import timedelta

        count = send_reminders(horizon=timedelta(hours=hours) if hours else None)
        self.stdout.write(f"reminders sent: {count}")
