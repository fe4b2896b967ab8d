"""The room relay: one channel-layer member per server process and room, not one per socket.

A room's broadcasts still go to its channel-layer group (`Room.group_name`), but the group's
members are server processes: the first socket of a room in a process opens a relay that
joins the group with a channel of its own, and the relay hands every broadcast to the
outboxes of that process's sockets in the room. A message to a 500-member room over two
processes is then two Redis deliveries instead of 500, and a frame that is only passed on
costs each socket one queue put and one wake-up of its long-lived delivery task, instead of
Channels' receive-and-dispatch machinery (new tasks per frame per socket).

Per-viewer frames, access loss and presence keep working because each socket still
handles the event itself (`ChatConsumer.dispatch`); what the relay saves is the transport.
A socket whose outbox is full (a client far behind) loses live frames like a channel at
capacity did, and finds them as a gap in stream numbers that it fills from the database.
"""

import asyncio
import logging
import weakref

logger = logging.getLogger(__name__)

OUTBOX_SIZE = 1000  # frames a socket may fall behind before live frames to it are dropped

_relays_by_layer: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class RoomRelay:
    """One room's member of its channel-layer group in this process, and the sockets it serves."""

    def __init__(self, layer, group: str):
        self.layer = layer
        self.group = group
        self.sockets: set = set()
        self.channel: str | None = None
        self._opening: asyncio.Future | None = None
        self._tasks: list[asyncio.Task] = []

    async def open(self) -> None:
        """Join the group once, whoever asks first; later callers wait for the same join."""
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._join())
        await asyncio.shield(self._opening)

    async def _join(self) -> None:
        # A process channel like the sockets' own: the layer's one reader per process pops it too.
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self._tasks = [asyncio.ensure_future(self._pass_on()), asyncio.ensure_future(self._stay_member())]

    async def _pass_on(self) -> None:
        while True:
            event = await self.layer.receive(self.channel)
            for socket in list(self.sockets):
                socket.relay_take(event)

    async def _stay_member(self) -> None:
        """Group members expire after `group_expiry`; a room open longer stays joined."""
        period = max(getattr(self.layer, "group_expiry", 86400) / 2, 1)
        while True:
            await asyncio.sleep(period)
            await self.layer.group_add(self.group, self.channel)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._opening is not None:
            await asyncio.gather(self._opening, return_exceptions=True)
        if self.channel is not None:
            await self.layer.group_discard(self.group, self.channel)


def _relays(layer) -> dict[str, RoomRelay]:
    """This process's relays on `layer`, per room group (relays belong to one event loop)."""
    loop = asyncio.get_running_loop()
    current = _relays_by_layer.get(layer)
    if current is None or current[0] is not loop:
        current = _relays_by_layer[layer] = (loop, {})
    return current[1]


async def room_join(layer, group: str, socket) -> None:
    """Start passing the room's broadcasts to `socket.relay_take`; returns once the relay is a group member."""
    relays = _relays(layer)
    relay = relays.get(group)
    if relay is None:
        relay = relays[group] = RoomRelay(layer, group)
    relay.sockets.add(socket)
    await relay.open()


async def room_leave(layer, group: str, socket) -> None:
    """Stop passing broadcasts to `socket`; the room's last socket in this process closes the relay."""
    relays = _relays(layer)
    relay = relays.get(group)
    if relay is None:
        return
    relay.sockets.discard(socket)
    if not relay.sockets:
        del relays[group]  # a socket joining from now on opens a new relay with a new channel
        await relay.close()
