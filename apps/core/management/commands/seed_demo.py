from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from apps.accounts import demo as accounts_demo
from apps.compute import demo as compute_demo
from apps.hackathons import demo as hackathons_demo
from apps.hub import demo as hub_demo
from apps.meetups import demo as meetups_demo
from apps.notifications.services import emails_withheld
from apps.profiles import demo as profiles_demo
from apps.transparency import demo as transparency_demo

# Each app with demo data adds `seed(log, people)` here, after the apps it builds on;
# `people` is what the accounts seeder returns (organisers, reviewers, operators, members).
SEEDERS = [
    profiles_demo.seed, hub_demo.seed, compute_demo.seed, hackathons_demo.seed, meetups_demo.seed,
    transparency_demo.seed,
]


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
        # Demo people are made up: the notifications their story creates stay in the
        # app and are not e-mailed to their invented addresses, neither by this process
        # (the override encloses the transaction, so it still holds when on-commit e-mails run)
        # nor by the full stack's mailers (no deliveries are recorded).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), \
                emails_withheld(), transaction.atomic():
            people = accounts_demo.seed(self.stdout.write)
            for seeder in SEEDERS:
                seeder(self.stdout.write, people)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
