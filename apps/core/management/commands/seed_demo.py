from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts import demo as accounts_demo
from apps.hub import demo as hub_demo

# Each app that has demo data adds its seeder here, after the ones it builds on.
# accounts comes first: it returns the demo people every other seeder receives.
SEEDERS = [accounts_demo.seed, hub_demo.seed]


class Command(BaseCommand):
    help = "Create believable demo data. Safe to run again: existing rows are kept."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (demo accounts share a known password).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Refusing to create demo accounts with DEBUG off; pass --allow-production."
            )
        with transaction.atomic():
            people = SEEDERS[0](self.stdout.write)
            for seeder in SEEDERS[1:]:
                seeder(self.stdout.write, people)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
