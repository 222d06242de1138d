import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the product with gunicorn (static files via whitenoise) and run the task worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", "4")))
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start the background task worker"
        )

    def handle(self, *args, host, port, workers, threads, no_worker, **options):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.demo"),
        }
        worker = None
        if not no_worker:
            worker = subprocess.Popen([sys.executable, "-m", "legend50", "db_worker"], env=env)
        self.stdout.write(self.style.SUCCESS(f"Legend50: http://{host}:{port}/  (Ctrl+C to stop)"))
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "20",
            "--timeout",
            "120",
        ]
        try:
            return_code = subprocess.call(gunicorn, env=env, cwd=str(settings.BASE_DIR))
        except KeyboardInterrupt:
            return_code = 0
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=20)
        if return_code:
            sys.exit(return_code)
