"""`legend50` console script: readable subcommands over Django's manage.py.

legend50 setup    migrate, collect static files, load reference/demo data, print demo accounts
legend50 seed     load the source document's facts (and, in demo mode, the demo story)
legend50 sample   generate more sample data (deterministic for --seed)
legend50 serve    serve with gunicorn (+ the background task worker) on 127.0.0.1:$PORT
legend50 <django command> …
"""

import os
import sys


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.demo")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        # One readable line instead of a traceback (e.g. a malformed DATABASE_URL or a missing SECRET_KEY).
        print(f"legend50: configuration error: {exc}", file=sys.stderr)
        return 2
    from django.core.management import execute_from_command_line

    if not argv:
        argv = ["help"]
    try:
        execute_from_command_line(["legend50", *argv])
    except ImproperlyConfigured as exc:
        print(f"legend50: configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
