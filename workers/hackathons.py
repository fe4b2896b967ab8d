"""Timed hackathon transitions and deadline reminders, run by beat."""

from celery import shared_task

from apps.hackathons.services import lifecycle


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def advance_hackathons() -> int:
    """Every few minutes: open registration, start hacking, close submissions when due (idempotent)."""
    return len(lifecycle.hackathons_advance())


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_hackathon_reminders() -> int:
    """Remind participants and judges a day before deadlines; each reminder once."""
    return lifecycle.deadline_reminders_send()
