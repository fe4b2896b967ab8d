"""The fast path for live updates: messages to channel-layer groups.

The database stays the source of truth; a lost live message only means a
page shows the change on its next load.
"""

import asyncio
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


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

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(send_all)()
        return
    # This thread already runs an event loop (a browser-test driver does): use another.
    sender = threading.Thread(target=async_to_sync(send_all))
    sender.start()
    sender.join()
