from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


def loader_modules():
    for name in settings.LEGEND50_DEMO_LOADERS:
        if find_spec(name) is not None:
            yield name, import_module(name)


class Command(BaseCommand):
    help = "Load the source document's facts and, in demo mode, the demo story. Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--facts-only", action="store_true", help="load facts, not the demo story")
        parser.add_argument("--seed", type=int, default=0, help="seed of the sample-data generator")

    def handle(self, *args, facts_only=False, seed=0, **options):
        modules = list(loader_modules())
        steps = [(n, m.load_facts, "facts") for n, m in modules if hasattr(m, "load_facts")]
        if not facts_only:
            if not settings.DEMO_MODE:
                raise CommandError("The demo story loads only in demo mode (config.settings.demo).")
            steps += [(n, m.load_demo, "demo") for n, m in modules if hasattr(m, "load_demo")]
        for index, (name, func, kind) in enumerate(steps, start=1):
            self.stdout.write(f"[{index}/{len(steps)}] {kind}: {name.rsplit('.', 2)[-2]} …", ending="")
            self.stdout.flush()
            with transaction.atomic():
                if kind == "facts":
                    func(self.stdout)
                else:
                    func(self.stdout, seed=seed)
            self.stdout.write(self.style.SUCCESS(" ok"))
