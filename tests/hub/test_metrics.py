"""The Hub sync's metrics at `/metrics`: runs by outcome, deadlines hit and the last success."""

import pytest
from django.test import Client

from apps.hub import services
from apps.hub.hub_client import HubPolicy
from tests.hub import factories
from tests.hub.fake_hub import model_item
from tests.metrics_scrape import metric

pytestmark = pytest.mark.django_db(transaction=True)


def test_sync_runs_deadlines_and_last_success_move(fake_hub):
    client = Client()
    ok, failed = (metric(client, "community_hub_sync_runs_total", status=status) for status in ("ok", "failed"))
    deadlines = metric(client, "community_hub_sync_deadline_exceeded_total")
    fake_hub.page_size = 2
    fake_hub.set_owner("grupo", models=[model_item(f"grupo/m{i}") for i in range(4)])
    owner = factories.owner("grupo", sync=False)

    assert services.owner_sync(owner_id=owner.pk, policy=HubPolicy(deadline_seconds=30)).status == "ok"
    assert metric(client, "community_hub_sync_runs_total", status="ok") == ok + 1
    assert metric(client, "community_hub_sync_last_success_timestamp_seconds") > 0

    fake_hub.stall_listings_after = 1  # the second page never comes
    result = services.owner_sync(owner_id=owner.pk, policy=HubPolicy(deadline_seconds=1, max_retries=1, base_wait=0.05))
    assert result.status == "failed"
    assert metric(client, "community_hub_sync_runs_total", status="failed") == failed + 1
    assert metric(client, "community_hub_sync_deadline_exceeded_total") == deadlines + 1
