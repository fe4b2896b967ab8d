"""Transparency register: the daily read of derivatives and Spaces on the Hub."""

from celery import shared_task

from apps.transparency import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sync_adoption() -> dict:
    """Periodic and idempotent: counts that did not change are not written."""
    return services.adoption_sync()
