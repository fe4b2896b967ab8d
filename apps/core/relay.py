"""The group relay: one channel-layer member per server process and group, not one per socket.

A group's broadcasts still go to its channel-layer group (a chat room's `Room.group_name`, a
member's notification group), but the group's members are server processes: the first
socket of a group in a process opens a relay that joins the group with a channel of its
own, and the relay hands every broadcast to the outboxes of that process's sockets in the
group. A message to a 500-member room over two processes is then two Redis deliveries
instead of 500 (Redis hands a process its channels' messages one pop at a time), and a
frame that is only passed on costs each socket one queue put and one wake-up of its
long-lived delivery task, instead of Channels' receive-and-dispatch machinery (new tasks
per frame per socket).

Per-viewer frames and access checks keep working because each socket still handles the
event itself (`RelayedSocket` calls the consumer's `dispatch`); what the relay saves is the
transport. A socket whose outbox is full (a client far behind) loses live frames like a
channel at capacity did: a chat client finds them as a gap in stream numbers and fills it
from the database, a notification badge is put right by the next count.
"""

import asyncio
import logging
import weakref

logger = logging.getLogger(__name__)

OUTBOX_SIZE = 1000  # frames a socket may fall behind before live frames to it are dropped
RENEWAL_RETRY_SECONDS = 5  # after a failed renewal of the relay's group membership

_relays_by_layer: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class GroupRelay:
    """One group's member of its channel-layer group in this process, and the sockets it serves."""

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
        """Group members expire after `group_expiry`; a group open longer stays joined.

        A failed renewal (Redis away for a moment) is tried again soon: giving up would
        leave every socket of the group in this process deaf once the membership expired."""
        period = max(getattr(self.layer, "group_expiry", 86400) / 2, 1)
        delay = period
        while True:
            await asyncio.sleep(delay)
            try:
                await self.layer.group_add(self.group, self.channel)
            except Exception:
                logger.warning("relay of %s could not renew its membership; trying again", self.group, exc_info=True)
                delay = min(RENEWAL_RETRY_SECONDS, period)
            else:
                delay = period

    async def close(self) -> None:
        # A join still under way is waited for first: tasks it starts afterwards would
        # otherwise outlive the relay and keep re-joining the group.
        if self._opening is not None:
            await asyncio.gather(self._opening, return_exceptions=True)
        for task in self._tasks:
            task.cancel()
        if self.channel is not None:
            await self.layer.group_discard(self.group, self.channel)


def _relays(layer) -> dict[str, GroupRelay]:
    """This process's relays on `layer`, per group (relays belong to one event loop)."""
    loop = asyncio.get_running_loop()
    current = _relays_by_layer.get(layer)
    if current is None or current[0] is not loop:
        current = _relays_by_layer[layer] = (loop, {})
    return current[1]


async def relay_join(layer, group: str, socket) -> None:
    """Start passing the group's broadcasts to `socket.relay_take`; returns once the relay is a group member."""
    relays = _relays(layer)
    relay = relays.get(group)
    if relay is None:
        relay = relays[group] = GroupRelay(layer, group)
    relay.sockets.add(socket)
    await relay.open()


async def relay_leave(layer, group: str, socket) -> None:
    """Stop passing broadcasts to `socket`; the group's last socket in this process closes the relay."""
    relays = _relays(layer)
    relay = relays.get(group)
    if relay is None:
        return
    relay.sockets.discard(socket)
    if not relay.sockets:
        del relays[group]  # a socket joining from now on opens a new relay with a new channel
        await relay.close()


class RelayedSocket:
    """Mixin for a consumer whose group broadcasts come through the relay, handled in order by one task."""

    async def websocket_connect(self, message):
        """A `connect` that fails after `relay_open` leaves no socket behind in the relay
        (Channels calls no `disconnect` for a consumer whose connect raised)."""
        try:
            await super().websocket_connect(message)
        except BaseException:
            await self.relay_close()
            raise

    async def relay_open(self, group: str) -> None:
        """Join `group` through this process's relay; its frames wait in the outbox until `relay_deliver`."""
        self.relayed_group = group
        self.outbox = asyncio.Queue(maxsize=OUTBOX_SIZE)
        self.outbox_dropped = 0
        await relay_join(self.channel_layer, group, self)

    def relay_deliver(self) -> None:
        """Start handling the outbox; called after the socket's first frame, so broadcasts follow it."""
        self.delivery = asyncio.ensure_future(self._deliver())

    def relay_take(self, event: dict) -> None:
        """A broadcast from the relay; dropped when the client is OUTBOX_SIZE frames behind."""
        try:
            self.outbox.put_nowait(event)
        except asyncio.QueueFull:
            self.outbox_dropped += 1
            if self.outbox_dropped % OUTBOX_SIZE == 1:
                logger.warning("socket %s behind: %s live frames dropped", self.channel_name, self.outbox_dropped)

    async def _deliver(self) -> None:
        while True:
            event = await self.outbox.get()
            try:
                await self.dispatch(event)
            except OSError:  # the client went away; its disconnect ends this task
                return
            except Exception:  # one bad frame must not stop the socket's stream
                logger.exception("frame to %s failed", self.channel_name)

    async def relay_close(self) -> None:
        if not hasattr(self, "relayed_group"):
            return
        await relay_leave(self.channel_layer, self.relayed_group, self)
        if hasattr(self, "delivery"):
            self.delivery.cancel()
