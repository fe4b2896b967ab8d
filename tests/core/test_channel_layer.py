"""The Redis channel layer's batched group sends, on the real Redis."""

import asyncio

import pytest
from channels.layers import get_channel_layer

from apps.core.channel_layer import CommunityRedisChannelLayer
from apps.core.live import group_send_many


def test_settings_use_the_batching_layer():
    assert isinstance(get_channel_layer(), CommunityRedisChannelLayer)


@pytest.mark.asyncio
async def test_group_send_many_reaches_every_member_of_every_group_in_two_round_trips(monkeypatch):
    layer = get_channel_layer()
    channels = [await layer.new_channel() for _ in range(30)]
    for i, channel in enumerate(channels):
        await layer.group_add(f"batch-test.{i % 10}", channel)
    round_trips = []
    connection = layer.connection(0)
    for name in ("execute_command", "pipeline"):
        original = getattr(connection, name)
        monkeypatch.setattr(connection, name, lambda *a, _o=original, _n=name, **k: (round_trips.append(_n), _o(*a, **k))[1])

    await layer.group_send_many([(f"batch-test.{g}", {"type": "hello", "group": g}) for g in range(10)])

    assert round_trips == ["pipeline", "execute_command"]  # read members; one script queues all
    received = [await asyncio.wait_for(layer.receive(channel), 5) for channel in channels]
    assert [m["group"] for m in received] == [i % 10 for i in range(30)]
    for i, channel in enumerate(channels):
        await layer.group_discard(f"batch-test.{i % 10}", channel)


def test_group_send_many_skips_empty_groups_and_empty_batches():
    group_send_many([])
    group_send_many([("batch-test.nobody", {"type": "hello"})])


@pytest.mark.django_db(transaction=True)
def test_notify_to_200_members_goes_out_as_one_batch(monkeypatch):
    from apps.notifications.services import notify
    from tests.accounts.factories import UserFactory

    layer = get_channel_layer()
    batches, single_sends = [], []

    async def record_batch(messages):
        batches.append(len(messages))

    async def record_single(group, message):
        single_sends.append(group)

    monkeypatch.setattr(layer, "group_send_many", record_batch)
    monkeypatch.setattr(layer, "group_send", record_single)
    from apps.notifications.models import NotificationEvent
    from apps.notifications.services import event_expand

    notify(recipients=UserFactory.create_batch(200), kind="test", title="Hola", email=False)
    # A large audience is fanned out by the worker's task; run it here, in process.
    event_expand(event_id=NotificationEvent.objects.get(kind="test").pk)

    assert batches == [200]
    assert single_sends == []
