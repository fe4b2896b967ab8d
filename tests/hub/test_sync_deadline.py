"""A silent or crawling Hub ends the sync at its deadline, with a recorded error.

The real huggingface_hub client talks to the imitation; its paginator passes timeout=None
for every page, so only a limit set below it (in our transport) can stop a stalled page."""

import time
from email.utils import format_datetime

import pytest
from django.utils import timezone

from apps.hub import services
from apps.hub.hub_client import HubPolicy, rate_limit_wait
from apps.hub.models import HubOwner
from tests.hub import factories
from tests.hub.fake_hub import model_item
from workers import hub as hub_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def _sync_with_deadline(owner, seconds):
    policy = HubPolicy(deadline_seconds=seconds, max_retries=2, base_wait=0.05)
    started = time.monotonic()
    result = services.owner_sync(owner_id=owner.pk, policy=policy)
    return result, time.monotonic() - started


def test_listing_that_stalls_mid_pagination_ends_at_the_deadline(fake_hub):
    fake_hub.page_size = 2
    fake_hub.set_owner("grupo", models=[model_item(f"grupo/m{i}") for i in range(6)])
    owner = factories.owner("grupo", sync=False)
    fake_hub.stall_listings_after = 1  # the first page arrives, the second never does

    result, elapsed = _sync_with_deadline(owner, 2)

    assert result.status == "failed" and "2 s" in result.error
    assert elapsed < 6, f"the stalled page held the worker for {elapsed:.1f} s"
    assert len(fake_hub.listing_requests()) >= 2  # it did get past the first page
    owner.refresh_from_db()
    assert owner.sync_status == HubOwner.SyncStatus.FAILED and owner.sync_error == result.error
    assert not owner.repositories.exists()  # nothing half-written
    assert not services.owner_sync_running(owner.pk)  # the lock is released for the next run


def test_hub_that_trickles_its_answer_ends_at_the_deadline(fake_hub):
    fake_hub.set_owner("lento", models=[model_item(f"lento/m{i}") for i in range(50)])
    owner = factories.owner("lento", sync=False)
    fake_hub.trickle = 0.05  # every 64 bytes arrive well within any read timeout

    result, elapsed = _sync_with_deadline(owner, 1.0)

    assert result.status == "failed"
    assert elapsed < 4, f"the slow answer held the worker for {elapsed:.1f} s"
    owner.refresh_from_db()
    assert owner.sync_status == HubOwner.SyncStatus.FAILED


def test_a_healthy_hub_finishes_well_inside_the_deadline(fake_hub):
    fake_hub.page_size = 2
    fake_hub.set_owner("grupo", models=[model_item(f"grupo/m{i}") for i in range(6)])
    owner = factories.owner("grupo", sync=False)
    result, _elapsed = _sync_with_deadline(owner, 30)
    assert (result.status, result.created) == ("ok", 6)


def test_a_dripping_hub_ends_the_task_within_the_configured_deadline(fake_hub, settings):
    """The task reads its deadline from settings; by default two minutes per owner, not ten."""
    from community.settings import base

    assert base.env.int("HUB_SYNC_DEADLINE_SECONDS", default=None) is None  # the default is in force
    assert base.HUB_SYNC_DEADLINE_SECONDS == 120
    assert base.HUB_MAX_RATE_LIMIT_WAIT < base.HUB_SYNC_DEADLINE_SECONDS
    settings.HUB_SYNC_DEADLINE_SECONDS = 1
    fake_hub.set_owner("goteo", models=[model_item(f"goteo/m{i}") for i in range(50)])
    owner = factories.owner("goteo", sync=False)
    fake_hub.trickle = 0.05  # 64 bytes at a time, each well within any read timeout
    started = time.monotonic()
    outcome = hub_tasks.sync_owner.run(owner.pk)
    assert outcome["status"] == "failed" and "1 s" in outcome["error"]
    assert time.monotonic() - started < 4


def test_the_deadline_comes_from_settings(settings):
    settings.HUB_SYNC_DEADLINE_SECONDS = 42
    assert HubPolicy.from_settings().deadline_seconds == 42
    assert settings.HUB_SYNC_DEADLINE_SECONDS < settings.HUB_SYNC_LOCK_SECONDS


@pytest.mark.parametrize("retry_after", ["31536000", "http-date"])
def test_a_retry_after_far_ahead_is_capped_below_the_visibility_timeout(fake_hub, settings, monkeypatch, retry_after):
    if retry_after == "http-date":
        retry_after = format_datetime(timezone.now() + timezone.timedelta(days=400), usegmt=True)
    assert rate_limit_wait({"retry-after": retry_after}) > 3600 * 24 * 300
    fake_hub.set_owner("grupo", models=[model_item("grupo/a")])
    owner = factories.owner("grupo", sync=False)
    # Only the owner's listing may take it: the failure this test is about is that listing's.
    fake_hub.queue(429, {"Retry-After": retry_after, "RateLimit": '"api";r=5;t=1'}, path="/api/models")
    settings.HUB_MAX_RETRY_AFTER = 1800
    countdowns = []

    class Retried(Exception):
        pass

    def retry(countdown):
        countdowns.append(countdown)
        return Retried()

    monkeypatch.setattr(hub_tasks.sync_owner, "retry", retry)
    with pytest.raises(Retried):
        hub_tasks.sync_owner.run(owner.pk)
        pytest.fail(f"the queued 429 was never answered; the Hub saw {fake_hub.requests}")
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert countdowns == [1800] and countdowns[0] < visibility
    owner.refresh_from_db()
    assert owner.sync_status == HubOwner.SyncStatus.FAILED


def test_retry_countdown_never_reaches_the_visibility_timeout(settings):
    settings.HUB_MAX_RETRY_AFTER = 10**9
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    assert hub_tasks.retry_countdown(10**9) == 3540
    assert hub_tasks.retry_countdown(30) == 31
