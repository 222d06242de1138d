from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Set up the database and static files and load the data; safe to run again (keeps data)."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="facts only, no demo accounts or story")

    def handle(self, *args, no_demo=False, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(self.style.MIGRATE_HEADING("1/3 데이터베이스 (database) …"))
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.MIGRATE_HEADING("2/3 정적 파일 (static files) …"))
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(self.style.MIGRATE_HEADING("3/3 기준·데모 데이터 (reference and demo data) …"))
        call_command("seed", facts_only=no_demo or not settings.DEMO_MODE, stdout=self.stdout)
        if settings.DEMO_MODE and not no_demo:
            from legend50.accounts.demo import DEMO_PASSWORD, demo_accounts

            self.stdout.write("")
            self.stdout.write(
                self.style.SUCCESS(f"데모 계정 (demo accounts) — 비밀번호/password: {DEMO_PASSWORD}")
            )
            for username, description in demo_accounts():
                self.stdout.write(f"  {username:<14} {description}")
            if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
                self.stdout.write(
                    f"데모 메일은 보내지 않고 파일로 저장합니다 (demo e-mail is kept as files): {settings.EMAIL_FILE_PATH}"
                )
