"""Compute allocation tasks: the daily calendar (grant start, expiry and reminders; review deadlines)."""

from celery import shared_task

from apps.compute.services import review, usage


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(ConnectionError,),
             retry_backoff=True, max_retries=5)
def run_grant_calendar() -> dict:
    """Daily and idempotent: grant state and `last_reminder_days` make a second run a no-op."""
    result = usage.grants_start_and_expire()
    result["reminded"] = usage.grant_reminders_send()
    result["reviewers_reminded"] = review.review_reminders_send()
    return result
