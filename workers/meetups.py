"""Meetup offers that lapse and day-before reminders, run by beat."""

from celery import shared_task

from apps.meetups import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def expire_meetup_offers() -> int:
    """Pass unclaimed waitlist offers past their deadline to the next person (idempotent)."""
    return services.offers_expire()


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_meetup_reminders() -> int:
    """Remind everyone going, once each, in the 24 hours before an event."""
    return services.reminders_send()
