"""Compare the grants of resources on Slurm clusters with the clusters' accounts, and fix on request."""

from django.core.management.base import BaseCommand, CommandError

from apps.compute.models import Resource
from apps.compute.services import scheduler
from apps.compute.slurm import SchedulerError


class Command(BaseCommand):
    help = "List every difference between the platform's grants and Slurm (missing, extra, wrong limit, " \
           "wrong members); --fix brings Slurm in line. Exits 1 while differences remain."

    def add_arguments(self, parser):
        parser.add_argument("--resource", help="the resource's slug (default: every resource on a cluster)")
        parser.add_argument("--fix", action="store_true", help="sync the grants that differ, then check again")

    def handle(self, *args, resource=None, fix=False, **options):
        resources = Resource.objects.exclude(slurm_cluster="").order_by("slug")
        if resource:
            resources = resources.filter(slug=resource)
            if not resources:
                raise CommandError(f"No resource “{resource}” on a Slurm cluster.")
        remaining = 0
        for item in resources:
            try:
                differences = (scheduler.scheduler_fix(resource_id=item.pk, actor=None) if fix
                               else scheduler.scheduler_check(resource_id=item.pk))
            except SchedulerError as error:
                raise CommandError(f"{item.slug}: {error}") from error
            for difference in differences:
                self.stdout.write(f"{item.slug}\t{difference['account']}\t{difference['kind']}\t{difference['detail']}")
            remaining += len(differences)
        if remaining:
            raise CommandError(f"{remaining} differences with Slurm.", returncode=1)
        self.stdout.write("No differences with Slurm.")
