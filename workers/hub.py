"""Hub catalogue syncs: one task per owner, and the periodic fan-out."""

from celery import shared_task
from django.conf import settings

from apps.hub import services
from apps.hub.models import HubOwner


def retry_countdown(retry_after: float) -> int:
    """Seconds before a retry: what the Hub asked, capped by HUB_MAX_RETRY_AFTER and kept under
    the broker's visibility timeout (a longer countdown would have the broker deliver it twice)."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    return max(1, min(int(retry_after) + 1, settings.HUB_MAX_RETRY_AFTER, visibility - 60))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def sync_owner(self, owner_id: int) -> dict:
    """Sync one tracked owner; a second concurrent run returns at once ("skipped")."""
    result = services.owner_sync(owner_id=owner_id)
    if result.status == "failed" and result.retry_after is not None:
        # The Hub asked for a longer pause than a sync waits inline: try again after it.
        raise self.retry(countdown=retry_countdown(result.retry_after))
    return {
        "status": result.status, "created": result.created, "updated": result.updated,
        "removed": result.removed, "snapshots": result.snapshots, "http_calls": result.http_calls,
        "error": result.error,
    }


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sync_all_owners() -> int:
    """Periodic: queue a sync for every owner with automatic syncs on."""
    owner_ids = list(HubOwner.objects.filter(sync_enabled=True).values_list("pk", flat=True))
    for owner_id in owner_ids:
        sync_owner.delay(owner_id)
    return len(owner_ids)
