"""Presence in Redis under a burst of sockets joining and leaving at once."""

import asyncio

import pytest

from apps.chat import presence

pytestmark = pytest.mark.asyncio


async def test_a_burst_of_300_joins_and_leaves_waits_for_connections_instead_of_failing():
    """redis-py's default pool raised "Too many connections" past 100 concurrent calls:
    the chat bench's 250 sockets per process closing at once logged 133 of them."""
    room = 987654
    channels = [f"specific.bench!{n}" for n in range(300)]
    await asyncio.gather(*(presence.presence_touch(room, n, channel) for n, channel in enumerate(channels)))
    assert len(await presence.online_user_ids(room)) == 300
    await asyncio.gather(*(presence.presence_leave(room, n, channel) for n, channel in enumerate(channels)))
    assert await presence.online_user_ids(room) == []
