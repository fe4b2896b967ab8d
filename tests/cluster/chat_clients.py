"""Chat clients that behave like chat.js: reconnect through the balancer and resume.

Each keeps the room's stream as the page does: a message is taken when it is the next
number; a later one is held and the gap asked for (`resume`), a number already taken is
dropped (the page dedupes by number too). After a reconnect the client resumes from the
last number it took. What each client took, in order, is what its reader saw.
"""

import asyncio
import contextlib
import json
import random

import websockets
from django.conf import settings


class ResumingClient:
    def __init__(self, base_url: str, room: int, cookie: str):
        self.url = f"{base_url.replace('http://', 'ws://')}/ws/chat/{room}/"
        self.origin = base_url
        self.cookie = cookie
        self.socket = None
        self.connected = asyncio.Event()
        self.taken: list[dict] = []  # (sequence, client_id) of each message, in the order taken
        self.last: int | None = None
        self.early: dict[int, dict] = {}
        self.acknowledged: set[str] = set()  # client ids of this client's own messages seen in the stream
        self.reconnections = 0
        self.stopping = False

    async def run(self) -> None:
        delay = 0.1
        while not self.stopping:
            try:
                async with websockets.connect(
                    self.url, origin=self.origin, open_timeout=10, max_queue=None,
                    additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.cookie}"},
                ) as socket:
                    self.socket = socket
                    await self._read(socket)
            except (OSError, websockets.WebSocketException, asyncio.TimeoutError):
                pass
            self.connected.clear()
            self.socket = None
            if self.stopping:
                return
            self.reconnections += 1
            await asyncio.sleep(delay * (1 + random.random()))  # back-off with jitter, as chat.js
            delay = min(delay * 2, 2)

    async def _read(self, socket) -> None:
        async for raw in socket:
            frame = json.loads(raw)
            if frame["type"] == "hello":
                if self.last is None:
                    self.last = frame["room"]["last_sequence"]
                else:
                    await socket.send(json.dumps({"type": "resume", "after": self.last}))
                self.connected.set()
            elif frame["type"] == "message" and self.last is not None:
                self._offer(frame["message"])
            elif frame["type"] == "backfill":
                for message in frame["messages"]:
                    self._offer(message, gap_check=False)

    def _offer(self, message: dict, *, gap_check: bool = True) -> None:
        sequence = message["sequence"]
        if sequence <= self.last:
            return
        self.early[sequence] = message
        while self.last + 1 in self.early:
            taken = self.early.pop(self.last + 1)
            self.taken.append((taken["sequence"], taken["client_id"]))
            self.acknowledged.add(taken["client_id"])
            self.last += 1
        if self.early and gap_check and self.socket is not None:
            asyncio.ensure_future(self._send({"type": "resume", "after": self.last}))

    async def _send(self, frame: dict) -> bool:
        socket = self.socket
        if socket is None:
            return False
        with contextlib.suppress(websockets.WebSocketException):
            await socket.send(json.dumps(frame))
            return True
        return False

    async def send_message(self, client_id: str, body: str) -> bool:
        """Send one message if the socket is open now; False when it is between connections."""
        return self.connected.is_set() and await self._send({"type": "send", "client_id": client_id, "body": body})


async def wait_for(condition, timeout: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.2)
    return condition()
