from celery import shared_task

from apps.accounts import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def purge_unverified_accounts() -> int:
    """Daily: remove sign-ups whose e-mail was never verified (idempotent)."""
    return services.unverified_accounts_purge()


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def purge_expired_sessions() -> int:
    """Daily: remove sessions past their expiry (idempotent)."""
    return services.expired_sessions_purge()
