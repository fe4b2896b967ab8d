from celery import shared_task

from apps.notifications import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail notifications; ones already e-mailed are skipped, so retries never duplicate."""
    return services.notification_emails_send(notification_ids=notification_ids)
