from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from apps.core.demo import demo_seed


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
        # Demo people are made up: nothing is e-mailed to their invented addresses by this
        # process (the override encloses the transaction, so it still holds when on-commit
        # e-mails run); the seeders are registered by the apps (apps/core/demo.py).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            demo_seed(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
