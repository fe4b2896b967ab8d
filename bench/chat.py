"""Benchmark: one chat room, many WebSocket clients spread over two real ASGI server processes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/community_chatbench \
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python -m bench.chat [--clients 500 --rate 20 --seconds 60]

In a throw-away test database it creates a running hackathon with `--clients` confirmed
participants, starts two ASGI server processes on free loopback ports (`--server`: Daphne,
Uvicorn, or both one after the other; sharing PostgreSQL and Redis), connects every participant to the hackathon room (alternating servers) and has 20
of them send `--rate` messages per second in total for `--seconds`. Every client checks
what it received: each message once, in sequence order, none missing; a gap in the live
stream is filled from the database like the browser client does (and counted). End-to-end
latency is send → receipt by each client.

In the same run, the same load goes through raw Redis publish/subscribe (one publisher,
`--clients` subscriber connections, no application code) for `--raw-seconds`: the ceiling
our delivery is compared with.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings.test")

import django  # noqa: E402

django.setup()

import redis.asyncio as aioredis  # noqa: E402
import websockets  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from bench.asgi_servers import asgi_servers  # noqa: E402

SENDERS = 20
REORDER_SECONDS = 1.0  # as chat.js: how long a frame that overtook another waits before a backfill


def seed(clients: int, *, prefix: str = "bench"):
    """A running hackathon, `clients` confirmed participants with a session each (user names
    `<prefix><n>`); returns (room id, cookies)."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.chat.services import room_ensure
    from apps.hackathons.models import Hackathon, Registration
    from tests.hackathons.factories import hackathon_factory, running_schedule

    hackathon = hackathon_factory(state=Hackathon.State.IN_PROGRESS, schedule=running_schedule())
    users = User.objects.bulk_create(
        [User(username=f"{prefix}{n}", email=f"{prefix}{n}@example.org", password="!") for n in range(clients)]
    )
    Registration.objects.bulk_create(
        [
            Registration(hackathon=hackathon, user=user, status=Registration.Status.CONFIRMED, agreed_at=timezone.now())
            for user in users
        ]
    )
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = []
    for user in users:
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(store.session_key)
    return room_ensure(kind="hackathon", object_id=hackathon.pk).pk, cookies


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def paced(total: int, rate: int, *, start_at: float | None = None):
    """Yield 0..total-1 at `rate` per second on a fixed schedule (a slow send does not shift the next ones),
    from now or from the wall-clock time `start_at` (client processes that share one schedule)."""
    started = time.monotonic() if start_at is None else time.monotonic() + start_at - time.time()
    for i in range(total):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        yield i


class Client:
    """One member's socket: records what arrived, puts overtaken frames back in order and
    fills real gaps from the database, like chat.js. With `reconnect` it also comes back
    after the server closed it (through the balancer, to any node) and resumes from the last
    number it took, as chat.js does; without, a closed socket stays closed and is counted."""

    def __init__(self, url: str, cookie: str, *, reconnect: bool = False):
        self.url = url  # ws://host:port/ws/chat/<room>/
        self.cookie = cookie
        self.reconnect = reconnect
        self.socket = None
        self.sequences: list[int] = []
        self.latencies: list[float] = []
        self.store_latencies: list[float] = []  # send → row written, for the messages this client sent
        self.first = 0  # the first number after the room's stream as it was when this client joined
        self.last: int | None = None
        self.gaps_filled = 0
        self.resuming = False
        self.backfilled: set[int] = set()
        self.early: dict[int, dict] = {}  # frames that overtook a missing one, by sequence
        self.gap_timer: asyncio.TimerHandle | None = None
        self.sent: set[str] = set()  # client ids of this client's messages
        self.acknowledged = 0  # of those, how many came back in the stream (stored)
        self.refused = 0  # error frames: sends the server refused (rate limit, ...), never numbered
        self.reconnections = 0
        self.resumed_from = 0  # the last number taken before the latest reconnect
        self.stopping = False

    async def connect(self) -> None:
        """Open the socket and read the hello; on a reconnect, ask for what was missed."""
        origin = self.url.replace("ws://", "http://").partition("/ws/")[0]
        socket = await websockets.connect(
            self.url,
            origin=origin,
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.cookie}"},
            max_queue=None,
            open_timeout=30,
        )
        hello = json.loads(await socket.recv())
        assert hello["type"] == "hello", hello
        self.socket = socket
        if self.last is None:
            self.last = hello["room"]["last_sequence"]
            self.first = self.last + 1
        else:
            self.resumed_from = self.last
            self.resuming = True
            await self._send_quietly({"type": "resume", "after": self.last})

    def record(self, message: dict) -> None:
        self.sequences.append(message["sequence"])
        self.last = message["sequence"]
        if message["client_id"] in self.sent:
            self.acknowledged += 1

    async def run(self):
        delay = 0.1
        while True:
            with contextlib.suppress(websockets.ConnectionClosed):  # counted as `closed` and as lost messages
                await self._read()
            while self.reconnect and not self.stopping:
                self.reconnections += 1
                await asyncio.sleep(delay * (1 + random.random()))  # back-off with jitter, as chat.js
                delay = min(delay * 2, 2)
                with contextlib.suppress(OSError, websockets.WebSocketException, asyncio.TimeoutError):
                    await self.connect()
                    delay = 0.1
                    break
            else:
                return

    async def send(self, client_id: str, body: str) -> bool:
        """Send one message; False when the socket is closed (or between connections)."""
        try:
            await self.socket.send(json.dumps({"type": "send", "client_id": client_id, "body": body}))
        except websockets.ConnectionClosed:
            return False
        self.sent.add(client_id)
        return True

    def tally(self, last: int) -> dict:
        """What this client got of the room's stream from when it joined up to number `last`."""
        got = set(self.sequences)
        return {
            "delivered": len(got),
            "lost": len(set(range(self.first, last + 1)) - got),
            "duplicated": len(self.sequences) - len(got),
            "out_of_order": sum(1 for a, b in zip(self.sequences, self.sequences[1:]) if b <= a),
        }

    def _advance(self) -> None:
        """Apply held frames that are next in line; a number still missing after
        REORDER_SECONDS is a real gap (the layer dropped it): ask the database."""
        for sequence in [s for s in self.early if s <= self.last]:
            del self.early[sequence]
        while self.last + 1 in self.early:
            self.record(self.early.pop(self.last + 1))
        if not self.early and self.gap_timer is not None:
            self.gap_timer.cancel()
            self.gap_timer = None
        elif self.early and self.gap_timer is None and not self.resuming:
            self.gap_timer = asyncio.get_running_loop().call_later(REORDER_SECONDS, self._gap_expired)

    def _gap_expired(self) -> None:
        self.gap_timer = None
        if self.early and not self.resuming:
            self.resuming = True
            asyncio.ensure_future(self._send_quietly({"type": "resume", "after": self.last}))

    async def _send_quietly(self, frame: dict) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.socket.send(json.dumps(frame))

    async def _read(self):
        async for raw in self.socket:
            frame = json.loads(raw)
            if frame["type"] == "message":
                message = frame["message"]
                sequence = message["sequence"]
                if sequence in self.backfilled or sequence <= self.resumed_from:
                    # The late live copy of a message the backfill brought, or one the previous
                    # connection delivered (a socket joins the room just before a broadcast of
                    # a message stored earlier): the page dedupes by number.
                    continue
                sent_at = float(message["body"].split()[1])
                self.latencies.append(time.time() - sent_at)  # receipt, live
                if message["client_id"] in self.sent:
                    self.store_latencies.append(datetime.fromisoformat(message["created_at"]).timestamp() - sent_at)
                if sequence <= self.last:
                    self.sequences.append(sequence)  # counted as a duplicate or out of order below
                    continue
                self.early[sequence] = message
                self._advance()
            elif frame["type"] == "error" and frame.get("for") == "send":
                self.refused += 1
            elif frame["type"] == "backfill":
                for message in frame["messages"]:
                    if message["sequence"] > self.last:
                        self.record(message)
                        self.backfilled.add(message["sequence"])
                        self.gaps_filled += 1
                self.resuming = False
                self._advance()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stream_outcome(clients: list[Client], lasts: list[int]) -> dict:
    """Each client's tally up to its room's last number, summed, with the raw latencies (lists,
    so that the outcomes of several client processes add up before percentiles are taken)."""
    outcome = {"delivered": 0, "lost": 0, "duplicated": 0, "out_of_order": 0}
    for client, last in zip(clients, lasts):
        for key, value in client.tally(last).items():
            outcome[key] += value
    return {
        **outcome,
        "filled_from_db": sum(c.gaps_filled for c in clients),
        "refused": sum(c.refused for c in clients),
        "reconnections": sum(c.reconnections for c in clients),
        "latencies": [value for c in clients for value in c.latencies],
        "store_latencies": [value for c in clients for value in c.store_latencies],
    }


def latency_summary(outcome: dict) -> dict:
    latencies, store_latencies = outcome["latencies"], outcome["store_latencies"]
    return {
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies, default=float("nan")) * 1000,
        "stored_p50_ms": percentile(store_latencies, 0.50) * 1000,
        "stored_p99_ms": percentile(store_latencies, 0.99) * 1000,
    }


async def chat_run(ports, room: int, cookies: list[str], rate: int, seconds: int, run: str) -> dict:
    """One server's round; `run` keeps its client ids apart from earlier rounds' in the same room
    (a repeated id is a resend: the server returns the stored message and broadcasts nothing)."""
    clients = [Client(f"ws://127.0.0.1:{ports[n % len(ports)]}/ws/chat/{room}/", cookie) for n, cookie in enumerate(cookies)]
    for client in clients:
        await client.connect()
    readers = [asyncio.create_task(client.run()) for client in clients]
    client_cpu = time.process_time()
    total = rate * seconds
    started = time.monotonic()
    async for i in paced(total, rate):
        for sender in clients[i % SENDERS :] + clients[: i % SENDERS]:  # the next open socket if one closed
            if await sender.send(f"{run}{i}", f"{i} {time.time()}"):
                break
    sending_took = time.monotonic() - started
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(len(set(c.sequences)) < total - sum(s.refused for s in clients) for c in clients):
        await asyncio.sleep(0.5)
    client_cpu = time.process_time() - client_cpu
    closed = sum(1 for c in clients if c.socket.close_code is not None)  # by the server, before the end
    for client in clients:
        await client.socket.close()
    await asyncio.gather(*readers, return_exceptions=True)
    numbered = total - sum(c.refused for c in clients)  # a refused send takes no stream number
    outcome = stream_outcome(clients, [c.first + numbered - 1 for c in clients])
    return {
        **outcome,
        **latency_summary(outcome),
        "closed": closed,
        "sent": total,
        "sending_seconds": sending_took,
        "expected_deliveries": numbered * len(clients),
        "client_cpu_seconds": client_cpu,
        "wall_seconds": time.monotonic() - started,
    }


async def raw_pubsub_run(clients: int, rate: int, seconds: int) -> dict:
    """The same fan-out straight through Redis PUBLISH/SUBSCRIBE: the ceiling."""
    channel = f"bench:chat:{os.getpid()}"
    subscribers = []
    for _ in range(clients):
        connection_ = aioredis.Redis.from_url(settings.REDIS_URL)
        pubsub = connection_.pubsub()
        await pubsub.subscribe(channel)
        await pubsub.get_message(timeout=5)  # the subscribe confirmation
        subscribers.append((connection_, pubsub))
    received = [[] for _ in subscribers]
    latencies: list[float] = []

    async def listen(index, pubsub):
        async for item in pubsub.listen():
            if item["type"] != "message":
                continue
            number, sent_at = item["data"].split()
            received[index].append(int(number))
            latencies.append(time.time() - float(sent_at))

    listeners = [asyncio.create_task(listen(i, pubsub)) for i, (_c, pubsub) in enumerate(subscribers)]
    publisher = aioredis.Redis.from_url(settings.REDIS_URL)
    total = rate * seconds
    async for i in paced(total, rate):
        await publisher.publish(channel, f"{i} {time.time()}")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(len(r) < total for r in received):
        await asyncio.sleep(0.2)
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    for connection_, pubsub in subscribers:
        await pubsub.aclose()
        await connection_.aclose()
    await publisher.aclose()
    delivered = sum(len(set(r)) for r in received)
    return {
        "sent": total,
        "expected_deliveries": total * clients,
        "delivered": delivered,
        "lost": total * clients - delivered,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies, default=float("nan")) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rate", type=int, default=20, help="messages per second in total")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--raw-seconds", type=int, default=20)
    parser.add_argument("--server", default="daphne", help="daphne, uvicorn (its defaults) or uvicorn-nodeflate (the Procfile's), each optionally @/path/to/another/checkout; several, comma-separated")
    args = parser.parse_args()
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        print("The benchmark needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).", file=sys.stderr)
        return 2
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        room, cookies = seed(args.clients)
        connection.close()
        env = {
            "DJANGO_SETTINGS_MODULE": "community.settings.test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{settings.DATABASES['default']['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "LOG_LEVEL": "WARNING",
        }
        log_dir = Path(settings.BASE_DIR) / "artifacts" / "bench-chat"
        log_dir.mkdir(parents=True, exist_ok=True)
        chats = {}
        for round_, server in enumerate(args.server.split(",")):
            with asgi_servers(2, env=env, log_dir=log_dir, server=server) as servers:
                server_cpu = sum(cpu_seconds(process.pid) for _, process in servers)
                chats[server] = asyncio.run(
                    chat_run([port for port, _ in servers], room, cookies, args.rate, args.seconds, run=f"r{round_}-")
                )
                chats[server]["server_cpu_seconds"] = sum(cpu_seconds(process.pid) for _, process in servers) - server_cpu
        raw = asyncio.run(raw_pubsub_run(args.clients, args.rate, args.raw_seconds))
    finally:
        teardown_databases(databases, verbosity=0)
    raw_rate = raw["delivered"] / args.raw_seconds
    print(f"\n{args.clients} clients over 2 server processes, {args.rate} msg/s for {args.seconds} s\n")
    print("| path | deliveries expected | delivered | lost | duplicated | out of order | filled from DB | p50 ms | p99 ms | max ms | deliveries/s | sockets closed by server |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for server, chat in chats.items():
        print(
            f"| chat (WebSocket, 2 {server}, Redis channel layer) | {chat['expected_deliveries']} | {chat['delivered']} "
            f"| {chat['lost']} | {chat['duplicated']} | {chat['out_of_order']} | {chat['filled_from_db']} "
            f"| {chat['p50_ms']:.1f} | {chat['p99_ms']:.1f} | {chat['max_ms']:.1f} | {chat['delivered'] / args.seconds:.0f} | {chat['closed']} |"
        )
    print(
        f"| raw Redis pub/sub ({args.raw_seconds} s) | {raw['expected_deliveries']} | {raw['delivered']} | {raw['lost']} | – | – | – "
        f"| {raw['p50_ms']:.1f} | {raw['p99_ms']:.1f} | {raw['max_ms']:.1f} | {raw_rate:.0f} | – |"
    )
    for server, chat in chats.items():
        print(
            f"\n{server}: chat delivery rate = {chat['delivered'] / args.seconds / raw_rate:.0%} of raw pub/sub; "
            f"sending took {chat['sending_seconds']:.1f} s; sends refused {chat['refused']}; send → stored p50 {chat['stored_p50_ms']:.1f} ms, "
            f"p99 {chat['stored_p99_ms']:.1f} ms; CPU from connect to end of drain ({chat['wall_seconds']:.0f} s): "
            f"bench clients {chat['client_cpu_seconds']:.0f} s, both servers {chat['server_cpu_seconds']:.0f} s "
            f"(of {2 * chat['wall_seconds']:.0f} core-seconds)"
        )
    ok = all(c["lost"] == 0 and c["duplicated"] == 0 and c["out_of_order"] == 0 for c in chats.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
