"""Compute allocation tasks: the daily calendar (grant start, expiry and reminders; review deadlines)
and grants on Slurm clusters (account sync, usage import, drift check)."""

from celery import shared_task

from apps.compute.models import Resource
from apps.compute.services import review, scheduler, usage
from apps.compute.slurm import SchedulerError, SchedulerUnavailable


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(ConnectionError,),
             retry_backoff=True, max_retries=5)
def run_grant_calendar() -> dict:
    """Daily and idempotent: grant state and `last_reminder_days` make a second run a no-op."""
    result = usage.grants_start_and_expire()
    result["reminded"] = usage.grant_reminders_send()
    result["reviewers_reminded"] = review.review_reminders_send()
    return result


# Slurm down or slow: retried after about 1, 2, 4… minutes (jittered), for about two hours; the grant
# shows the error meanwhile, and the daily drift check catches anything still out of line after that.
# Other failures (a refused name, no Slurm tools on this host) are not retried: they need a person.
@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(SchedulerUnavailable,),
             retry_backoff=60, retry_backoff_max=1800, max_retries=7)
def sync_grant_on_scheduler(grant_id: int) -> str | None:
    """Idempotent: each run converges the grant's account from what Slurm holds."""
    sync = scheduler.grant_sync(grant_id=grant_id)
    return sync.status if sync else None


def _connected_resources() -> list[int]:
    return list(Resource.objects.exclude(slurm_cluster="").order_by("pk").values_list("pk", flat=True))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_scheduler_usage() -> dict:
    """Hourly: the last COMPUTE_SLURM_IMPORT_DAYS days of every connected resource, read again.

    One cluster down does not stop the others; its error stays on the resource's page until the
    next import succeeds.
    """
    written = {}
    for resource_id in _connected_resources():
        try:
            written[resource_id] = scheduler.usage_import_from_scheduler(resource_id=resource_id)
        except SchedulerError as error:
            written[resource_id] = str(error)
    return written


@shared_task(acks_late=True, reject_on_worker_lost=True)
def check_schedulers() -> dict:
    """Daily: compare each connected resource with its cluster and tell its operators of differences."""
    found = {}
    for resource_id in _connected_resources():
        try:
            found[resource_id] = len(scheduler.scheduler_check(resource_id=resource_id, notify_operators=True))
        except SchedulerError as error:
            found[resource_id] = str(error)
    return found
