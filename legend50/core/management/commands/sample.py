from django.core.management.base import BaseCommand, CommandError

from legend50.core.sample import generate


class Command(BaseCommand):
    help = "Generate more sample data (deterministic for --seed; every record marked as sample)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--institutions", type=int, default=2, help="per province")
        parser.add_argument("--firms", type=int, default=200)
        parser.add_argument("--proposals", type=int, default=0, help="complete drafts in the open call")

    def handle(self, *args, seed, institutions, firms, proposals, **options):
        for name, value in (("institutions", institutions), ("firms", firms), ("proposals", proposals)):
            if value < 0 or value > 1_000_000:
                raise CommandError(f"--{name} must be between 0 and 1,000,000 (got {value})")
        self.stdout.write(f"표본 데이터 생성 (seed {seed}) …")
        created = generate(
            seed=seed, institutions=institutions, firms=firms, proposals=proposals, out=self.stdout.write
        )
        self.stdout.write(self.style.SUCCESS(f"done: {created}"))
