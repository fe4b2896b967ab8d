"""The fast path for live updates: messages to channel-layer groups.

The database stays the source of truth; a lost live message only means a
page shows the change on its next load.
"""

import asyncio
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def _run(coroutine_function):
    """Run a channel-layer coroutine from synchronous code and return its result."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return async_to_sync(coroutine_function)()
    # This thread already runs an event loop (a browser-test driver does): use another.
    outcome = {}

    def run_in_thread():
        try:
            outcome["result"] = async_to_sync(coroutine_function)()
        except Exception as error:  # handed to the caller, as without a running loop
            outcome["error"] = error

    sender = threading.Thread(target=run_in_thread)
    sender.start()
    sender.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def group_send_many(messages: list[tuple[str, dict]]) -> None:
    """Send (group, message) pairs from synchronous code.

    On the Redis layer this is one batch (two round trips per Redis host whatever the
    number of groups); layers without batching get one `group_send` per group.
    """
    if not messages:
        return
    layer = get_channel_layer()

    async def send_all():
        if hasattr(layer, "group_send_many"):
            await layer.group_send_many(messages)
            return
        for group, message in messages:
            await layer.group_send(group, message)

    _run(send_all)


def groups_listening(groups: list[str]) -> set[str]:
    """The groups among `groups` someone listens on (one round trip on the Redis layer).

    Lets a fan-out to thousands build messages only for members with a page open. A
    layer that cannot tell answers every group, which only costs the sends.
    """
    if not groups:
        return set()
    layer = get_channel_layer()
    if hasattr(layer, "groups_with_members"):

        async def ask():
            return await layer.groups_with_members(groups)

        return _run(ask)
    if isinstance(getattr(layer, "groups", None), dict):  # the in-memory layer
        return {group for group in groups if layer.groups.get(group)}
    return set(groups)
