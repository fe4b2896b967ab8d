"""Notification fan-out and delivery; every task is idempotent and takes ids."""

from celery import shared_task

from apps.notifications import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def expand_notification_event(event_id: int) -> int:
    """Create an event's notifications in batches; a repeated run resumes where one stopped."""
    return services.event_expand(event_id=event_id)


@shared_task(acks_late=True)
def send_deliveries(delivery_ids: list[int]) -> int:
    """E-mail a batch over one connection; failures come back later on their own backoff."""
    retries = services.deliveries_send(delivery_ids=delivery_ids)
    for delay, ids in retries.items():
        send_deliveries.apply_async((ids,), countdown=delay)
    return len(delivery_ids)


@shared_task
def sweep_notifications() -> dict:
    """Send what was recorded but never queued (a lost enqueue, a dead worker)."""
    return services.notifications_sweep()


@shared_task
def send_digests() -> int:
    """Digests for members whose local morning it is (runs hourly; once per period)."""
    return services.digests_send()


@shared_task
def send_scheduled_announcements() -> int:
    """Announcements whose time has come; runs every minute, each goes out once."""
    return services.announcements_send_due()
