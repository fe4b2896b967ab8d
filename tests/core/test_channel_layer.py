"""The Redis channel layer's batched group sends, on the real Redis."""

import asyncio
import threading
import time
import uuid

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
    round_trips = _recorded_round_trips(layer, monkeypatch)

    await layer.group_send_many([(f"batch-test.{g}", {"type": "hello", "group": g}) for g in range(10)])

    assert round_trips == ["pipeline", "execute_command"]  # read members; one script queues all
    received = [await asyncio.wait_for(layer.receive(channel), 5) for channel in channels]
    assert [m["group"] for m in received] == [i % 10 for i in range(30)]
    for i, channel in enumerate(channels):
        await layer.group_discard(f"batch-test.{i % 10}", channel)


def test_an_empty_batch_does_not_reach_the_channel_layer(monkeypatch):
    from apps.core import live

    reached = []
    monkeypatch.setattr(live, "get_channel_layer", lambda: reached.append("layer"))
    group_send_many([])
    assert reached == []


@pytest.mark.asyncio
async def test_groups_without_members_cost_one_read_and_queue_nothing(monkeypatch):
    layer = get_channel_layer()
    round_trips = _recorded_round_trips(layer, monkeypatch)

    await layer.group_send_many([("batch-test.nobody", {"type": "hello"}), ("batch-test.no-one", {"type": "hello"})])

    assert round_trips == ["pipeline"]  # members read; no script queues anything


def _recorded_round_trips(layer, monkeypatch) -> list[str]:
    """The names of the calls to Redis the layer makes from now on (host 0)."""
    round_trips = []
    connection = layer.connection(0)
    for name in ("execute_command", "pipeline"):
        original = getattr(connection, name)
        monkeypatch.setattr(connection, name, lambda *a, _o=original, _n=name, **k: (round_trips.append(_n), _o(*a, **k))[1])
    return round_trips


@pytest.mark.django_db(transaction=True)
def test_a_fan_out_to_200_rings_only_the_members_with_a_page_open_in_one_batch(monkeypatch):
    from asgiref.sync import async_to_sync

    from apps.notifications import selectors
    from apps.notifications.models import NotificationEvent
    from apps.notifications.services import event_expand, notify, user_group
    from tests.accounts.factories import UserFactory

    members = UserFactory.create_batch(200)
    listening = members[::20]
    layer = get_channel_layer()

    async def open_tabs():  # two tabs each
        tabs = [(member.pk, await layer.new_channel()) for member in listening for _tab in range(2)]
        for member_id, channel in tabs:
            await layer.group_add(user_group(member_id), channel)
        return tabs

    tabs = async_to_sync(open_tabs)()
    batches, single_sends, counted = [], [], []
    send_many, unread_counts = layer.group_send_many, selectors.unread_counts

    async def record_batch(messages):
        batches.append(sorted(group for group, _message in messages))
        await send_many(messages)

    async def record_single(group, message):
        single_sends.append(group)

    monkeypatch.setattr(layer, "group_send_many", record_batch)
    monkeypatch.setattr(layer, "group_send", record_single)
    monkeypatch.setattr(selectors, "unread_counts", lambda *, user_ids: counted.append(set(user_ids)) or unread_counts(user_ids=user_ids))

    notify(recipients=members, kind="test", title="Hola", email=False)
    # A large audience is fanned out by the worker's task; run it here, in process.
    event_expand(event_id=NotificationEvent.objects.get(kind="test").pk)

    assert batches == [sorted(user_group(member.pk) for member in listening)]
    assert single_sends == []
    assert counted == [{member.pk for member in listening}]  # nobody else's badge is counted

    async def receive_and_close():
        received = [await asyncio.wait_for(layer.receive(channel), 5) for _member_id, channel in tabs]
        for member_id, channel in tabs:
            await layer.group_discard(user_group(member_id), channel)
        return received

    received = async_to_sync(receive_and_close)()
    assert [(m["type"], m["title"], m["unread"]) for m in received] == [("notification.created", "Hola", 1)] * len(tabs)


def test_groups_listening_names_only_groups_with_a_member():
    from asgiref.sync import async_to_sync

    from apps.core.live import groups_listening

    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("listening-test.open", channel)
    try:
        assert groups_listening(["listening-test.open", "listening-test.nobody"]) == {"listening-test.open"}
        assert groups_listening([]) == set()
    finally:
        async_to_sync(layer.group_discard)("listening-test.open", channel)
    assert groups_listening(["listening-test.open"]) == set()


def _send_blocking(group: str, message: dict) -> None:
    """Send from another thread and wait for it, keeping this thread's event loop blocked."""
    from django.conf import settings

    sender = CommunityRedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    thread = threading.Thread(target=lambda: asyncio.run(sender.group_send(group, message)))
    thread.start()
    thread.join()


@pytest.mark.asyncio
async def test_a_socket_closing_as_a_message_arrives_does_not_drop_it_for_the_others():
    """The consumer whose `receive` is cancelled (its socket closed) must not take the
    process's message with it. Deterministic: the loop stays blocked from the send until
    Redis has handed the message over and the closing consumer is cancelled. channels-redis's
    own receive loses the message here for every socket of the process."""
    import redis
    from django.conf import settings

    layer = CommunityRedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    leaving, staying = await layer.new_channel(), await layer.new_channel()
    group = f"closing-test.{uuid.uuid4().hex}"
    for channel in (leaving, staying):
        await layer.group_add(group, channel)
    leaving_receive = asyncio.ensure_future(layer.receive(leaving))
    # Its blocking pop is waiting in Redis. Kept as a sleep: Redis does not say which key a
    # client blocks on, and counting blocked clients would count other test runs' too.
    await asyncio.sleep(0.3)
    staying_receive = asyncio.ensure_future(layer.receive(staying))
    await asyncio.sleep(0.1)  # the second receive queues behind the first's lock

    _send_blocking(group, {"type": "hello"})
    process_queue = layer.prefix + layer.non_local_name(staying)
    client = redis.Redis.from_url(settings.REDIS_URL)
    deadline = time.monotonic() + 5
    while client.zcard(process_queue) and time.monotonic() < deadline:
        time.sleep(0.01)  # blocks the loop: the popped message waits unread in the socket
    assert client.zcard(process_queue) == 0, "Redis never handed the message over"
    leaving_receive.cancel()

    assert await asyncio.wait_for(staying_receive, 7) == {"type": "hello"}
    await layer.group_discard(group, staying)
    await layer.group_discard(group, leaving)
    await layer.close_pools()
