"""`legend50 microdata --firms N --years 2019-2025 [--seed S] [--refresh]`

Writes the sample national microdata (the indicators engine's deterministic generator) as Parquet
under var/monitoring/, and with --refresh recomputes the K-SME 50+ observations from it.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from legend50.monitoring import microdata


def _years(text: str) -> tuple[int, int]:
    try:
        if "-" in text:
            a, b = (int(x) for x in text.split("-", 1))
        else:
            a = b = int(text)
    except ValueError:
        raise CommandError(f"--years must look like 2019-2025 or 2022, got {text!r}") from None
    if not 2010 <= a <= b <= 2040:
        raise CommandError(f"--years must be within 2010-2040 and ordered, got {text!r}")
    return a, b


class Command(BaseCommand):
    help = "Generate the sample national firm microdata (Parquet) and optionally recompute the indicators."

    def add_arguments(self, parser):
        parser.add_argument(
            "--firms", type=int, default=microdata.DEMO_FIRMS, help="firms per year (≤ 8,042,726)"
        )
        parser.add_argument("--years", default=f"{microdata.DEMO_YEARS[0]}-{microdata.DEMO_YEARS[1]}")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--refresh", action="store_true", help="recompute the computed observations from it"
        )

    def handle(self, *args, firms, years, seed, refresh, **options):
        first, last = _years(years)
        if not 1 <= firms <= microdata.MAX_FIRMS:
            raise CommandError(f"--firms must be between 1 and {microdata.MAX_FIRMS:,}")
        if seed < 0:
            raise CommandError("--seed must be ≥ 0")
        started = time.perf_counter()
        last_pct = [-10]

        def progress(pct, _msg):
            if pct >= last_pct[0] + 10:
                last_pct[0] = pct
                self.stdout.write(f"  {pct}%")

        path = microdata.ensure_microdata(firms, first, last, seed, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{path} ({time.perf_counter() - started:.1f} s)"))
        if refresh:
            from legend50.monitoring.models import RefreshRun
            from legend50.monitoring.services import refresh_execute

            run = RefreshRun.objects.create(
                n_firms=firms, first_year=first, last_year=last, seed=seed, is_sample=True
            )
            run = refresh_execute(run.pk)
            self.stdout.write(f"refresh: {run.get_status_display()} — {run.message}")
