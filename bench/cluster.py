"""Benchmark: live chat and an announcement across the nodes of `bin/cluster`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/community_loadbench REDIS_URL=redis://127.0.0.1:6379/6 \
    TEST_PORTS=8800-8999 .venv/bin/python -m bench.cluster [--nodes 1,2] [--clients 2000] [--rooms 20,1] \
        [--rate 20] [--seconds 60] [--audiences 10000,100000] [--client-processes 2] [--base-port 8800]

In a throw-away test database, for each formation in `--nodes` (HAProxy in front of N nodes,
each the Procfile's web with `--web-processes`, worker and mailer; PgBouncer; Redis with
Sentinel: `bin/cluster` on a block of ports from TEST_PORTS or from `--base-port`):

(a) chat: `--clients` members connect through HAProxy, which spreads them over the nodes, in
    each layout of `--rooms` (20: twenty hackathon rooms sharing the clients; 1: all in one
    room); `--rate` messages a second in total for `--seconds`. The clients are bench.chat's
    (reorder window, gaps filled from the database, reconnect and resume as chat.js), split
    over `--client-processes` processes that share one sending schedule.
(b) announcement: a staff member announces to everyone, the audience seeded in bulk up to each
    of `--audiences`; the formation's mailers (one per node) send to an SMTP sink (BENCH_SINK,
    as bench.notifications: Postfix's smtp-sink by default).

It prints, per formation: p50/p99 send → receipt, lost, duplicated, out of order, reconnects;
the announcement's end-to-end seconds and duplicates; CPU seconds per kind of process
(from /proc) during each run. Exit code 1 unless nothing was lost, duplicated or out of order.
"""

import argparse
import asyncio
import functools
import logging
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from apps.chat.models import Room  # noqa: E402
from bench.chat import SENDERS, Client, cpu_seconds, latency_summary, paced, seed, stream_outcome  # noqa: E402
from bench.notifications import SINK, PostfixSink, announcement_run, members  # noqa: E402
from tests.cluster.formation import Formation, broker_of, descendants, free_port_block  # noqa: E402
from tests.notifications.live_stack import SmtpSink, wait_until  # noqa: E402

DRAIN_SECONDS = 30  # after the last send, how long clients may take to receive everything
CONNECTS_AT_ONCE = 20  # per client process: sockets being opened at the same time


# --- chat across client processes ---------------------------------------------------


class Plan:
    """Who is where: member n of the flattened rooms lives in client process n % processes;
    message i goes to room i % rooms, sent by that room's senders in turn."""

    def __init__(self, rooms: list[tuple[int, list[str]]], processes: int):
        self.rooms = rooms
        self.processes = processes
        self.members = [(index, cookie) for index, (_room, cookies) in enumerate(rooms) for cookie in cookies]
        offsets, offset = [], 0
        for _room, cookies in rooms:
            offsets.append(offset)
            offset += len(cookies)
        # Each room's first SENDERS members send (each at rate / rooms / SENDERS a second).
        self.senders = [
            [offsets[index] + n for n in range(min(SENDERS, len(cookies)))] for index, (_room, cookies) in enumerate(rooms)
        ]

    def mine(self, process: int) -> list[int]:
        return list(range(process, len(self.members), self.processes))

    def sender_of(self, i: int) -> tuple[int, list[int]]:
        """The room index of message i and its senders, the designated one first."""
        room = i % len(self.rooms)
        senders = self.senders[room]
        turn = (i // len(self.rooms)) % len(senders)
        return room, senders[turn:] + senders[:turn]


async def _client_process(plan: Plan, process: int, url: str, rate: int, seconds: int, run: str, sync) -> dict:
    """One client process: connect its share, send its share of the schedule, wait until its
    clients have the rooms' whole streams (or the drain ends), tally."""
    mine = plan.mine(process)
    clients = {
        n: Client(f"{url.replace('http://', 'ws://')}/ws/chat/{plan.rooms[plan.members[n][0]][0]}/", plan.members[n][1],
                  reconnect=True)
        for n in mine
    }
    gate = asyncio.Semaphore(CONNECTS_AT_ONCE)

    async def connect(client: Client) -> None:
        async with gate:
            await client.connect()

    await asyncio.gather(*(connect(client) for client in clients.values()))
    readers = [asyncio.create_task(client.run()) for client in clients.values()]
    await asyncio.to_thread(sync["connected"].wait)
    cpu = time.process_time()
    async for i in paced(rate * seconds, rate, start_at=sync["start_at"].value):
        _room, senders = plan.sender_of(i)
        if senders[0] % plan.processes != process:
            continue
        for sender in (clients[n] for n in senders if n in clients):
            if await sender.send(f"{run}{i}", f"{i} {time.time()}"):
                break
    drain_ends = time.monotonic() + DRAIN_SECONDS
    senders = [clients[n] for room in plan.senders for n in room if n in clients]
    while time.monotonic() < drain_ends and any(len(s.sent) > s.acknowledged + s.refused for s in senders):
        await asyncio.sleep(0.2)  # every send of this process stored (seen in the stream) or refused
    await asyncio.to_thread(sync["settled"].wait)
    await asyncio.to_thread(sync["published"].wait)  # the rooms' last numbers are in `lasts` now
    lasts = {n: sync["lasts"][plan.members[n][0]] for n in mine}
    while time.monotonic() < drain_ends and any(clients[n].last < lasts[n] for n in mine):
        await asyncio.sleep(0.2)
    cpu = time.process_time() - cpu
    for client in clients.values():
        client.stopping = True
    # All at once: a server still behind sends its close frame after what it has queued, and
    # one socket after the other would wait for each in turn (websockets' 10 s close timeout).
    await asyncio.gather(*(client.socket.close() for client in clients.values()), return_exceptions=True)
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    outcome = stream_outcome(list(clients.values()), [lasts[n] for n in clients])
    return {**outcome, "client_cpu_seconds": cpu, "sent": sum(len(c.sent) for c in clients.values())}


def _client_main(plan, process, url, rate, seconds, run, sync, results) -> None:
    try:
        results.put((process, asyncio.run(_client_process(plan, process, url, rate, seconds, run, sync))))
    except BaseException as error:  # the parent must hear of it, not wait at a barrier
        for barrier in ("connected", "settled", "published"):
            sync[barrier].abort()
        results.put((process, repr(error)))


def _start_soon(start_at) -> None:
    """Run by the last client process to connect: sending starts for everyone a second later."""
    start_at.value = time.time() + 1


def chat_across_processes(url: str, rooms: list[tuple[int, list[str]]], *, rate: int, seconds: int, processes: int,
                          run: str, on_connected=None) -> dict:
    """Every room's members connected to `url` from `processes` client processes; `on_connected()`
    is called once all are connected, as sending starts (to see how the balancer spread them)."""
    context = multiprocessing.get_context("fork")
    plan = Plan(rooms, processes)
    start_at = context.Value("d", 0.0)
    sync = {
        "connected": context.Barrier(processes + 1, action=functools.partial(_start_soon, start_at)),
        "settled": context.Barrier(processes + 1),
        "published": context.Barrier(processes + 1),
        "start_at": start_at,
        "lasts": context.Array("q", len(rooms)),
    }
    before = [Room.objects.get(pk=room).last_sequence for room, _cookies in rooms]
    results = context.Queue()
    connections.close_all()  # not shared with the children (they need none: their clients are sockets)
    children = [
        context.Process(target=_client_main, args=(plan, n, url, rate, seconds, run, sync, results))
        for n in range(processes)
    ]
    connecting = time.monotonic()
    for child in children:
        child.start()
    try:
        sync["connected"].wait(timeout=900)
        started = time.monotonic()
        spread = on_connected() if on_connected else None
        sync["settled"].wait(timeout=seconds + DRAIN_SECONDS + 120)
        for index, (room, _cookies) in enumerate(rooms):
            sync["lasts"][index] = Room.objects.get(pk=room).last_sequence
        connection.close()
        sync["published"].wait(timeout=60)
        collected = [results.get(timeout=DRAIN_SECONDS + 120) for _ in children]
    except threading.BrokenBarrierError:
        told = []
        while not results.empty():
            told.append(results.get()[1])
        raise RuntimeError(f"a client process failed: {told}") from None
    finally:
        for child in children:
            child.join(timeout=30)
            if child.is_alive():
                child.kill()
    failures = [result for _, result in collected if isinstance(result, str)]
    if failures:
        raise RuntimeError(f"client processes failed: {failures}")
    outcome: dict = {}
    for _, result in collected:
        for key, value in result.items():
            outcome[key] = outcome.get(key, [] if isinstance(value, list) else 0) + value
    return {
        **outcome,
        **latency_summary(outcome),
        "clients": len(plan.members),
        "stored": sum(last - first for last, first in zip(sync["lasts"], before)),
        "spread": spread,
        "connect_seconds": started - connecting,
        "wall_seconds": time.monotonic() - started,
    }


# --- CPU per kind of process, from /proc ----------------------------------------------

NODE_PROCESS_KINDS = (("uvicorn", "web"), ("--queues email", "mailer"), ("--queues celery", "worker"), (" beat ", "beat"))


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _node_process_kind(pid: int, root: int) -> str | None:
    """web, worker, mailer or beat, from the command line of the process or of the nearest
    ancestor below the node's honcho that has one (Uvicorn's workers are spawned, Celery's forked)."""
    while pid != root:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace") + " "
        for marker, kind in NODE_PROCESS_KINDS:
            if marker in command and "keep-running" not in command:
                return kind
        pid = _parent(pid)
    return None


def process_groups(formation: Formation, sink) -> dict[str, list[int]]:
    """Process ids by what they are: each node's web, worker, mailer, beat; the formation's other
    parts; the SMTP sink; this process; and the PostgreSQL server (shared with other work)."""
    groups: dict[str, list[int]] = {}
    for name, pid in formation.state["pids"].items():
        if name.startswith("node"):
            for child in descendants(pid):
                try:
                    kind = _node_process_kind(child, pid)
                except (OSError, IndexError, ValueError):
                    continue
                if kind:
                    groups.setdefault(f"{name} {kind}", []).append(child)
        else:
            groups.setdefault(name.split("-")[0], []).append(pid)  # haproxy, pgbouncer, redis, sentinel
    if getattr(sink, "process", None) is not None:
        groups["smtp-sink"] = [sink.process.pid]
    groups["bench (this process)"] = [os.getpid()]
    groups["postgresql (whole server)"] = [
        int(entry.name) for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and _comm(entry) == "postgres"
    ]
    return groups


def _comm(entry: Path) -> str:
    try:
        return (entry / "comm").read_text().strip()
    except OSError:
        return ""


def cpu_snapshot(groups: dict[str, list[int]]) -> dict[int, float]:
    snapshot = {}
    for pids in groups.values():
        for pid in pids:
            try:
                snapshot[pid] = cpu_seconds(pid)
            except (OSError, IndexError):
                pass
    return snapshot


def cpu_used(groups: dict[str, list[int]], before: dict[int, float]) -> dict[str, float]:
    """CPU seconds each group used since `before` (processes alive at both moments)."""
    after = cpu_snapshot(groups)
    return {
        name: round(sum(after[pid] - before[pid] for pid in pids if pid in before and pid in after), 1)
        for name, pids in groups.items()
    }


# --- the runs -----------------------------------------------------------------------------


def steps(nodes: list[int], audiences: list[int], chat: bool) -> list[tuple[int, list[tuple[str, int]]]]:
    """(nodes, [(action, size)]) in order: chat on every formation with the first audience, then
    each larger audience on every formation, alternating the order so a running formation is
    reused (the audience only grows: "everyone" is every member)."""
    planned: list[tuple[int, list[tuple[str, int]]]] = []
    for k, audience in enumerate(audiences or [0]):
        for n in nodes if k % 2 == 0 else nodes[::-1]:
            actions = [("chat", 0)] if chat and k == 0 else []
            actions += [("announce", audience)] if audience else []
            if planned and planned[-1][0] == n:
                planned[-1][1].extend(actions)
            elif actions:
                planned.append((n, actions))
    return planned


def seed_audience(size: int) -> None:
    """Members in bulk until there are `size` in all (chat members and staff count too)."""
    missing = size - get_user_model().objects.count()
    for start in range(0, max(missing, 0), 10_000):
        members(min(10_000, missing - start), f"member{size}-{start}-")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="1,2", help="formations to measure, in order: number of nodes")
    parser.add_argument("--web-processes", type=int, default=2, help="WEB_CONCURRENCY of every node")
    parser.add_argument("--clients", type=int, default=2000, help="0: no chat")
    parser.add_argument("--rooms", default="20,1", help="layouts: the clients shared by this many rooms")
    parser.add_argument("--rate", type=int, default=20, help="messages per second in total")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--audiences", default="10000,100000", help="announcements, in order (empty: none)")
    parser.add_argument("--base-port", type=int, default=None, help="first of the formation's ports (default: from TEST_PORTS)")
    args = parser.parse_args()
    logging.getLogger("community.requests").setLevel(logging.WARNING)  # not a line per request of the organiser
    nodes = [int(n) for n in args.nodes.split(",")]
    layouts = [int(r) for r in args.rooms.split(",")] if args.clients else []
    audiences = [int(a) for a in args.audiences.split(",") if a]
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        print("The benchmark needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).", file=sys.stderr)
        return 2
    log_dir = Path(settings.BASE_DIR) / "artifacts" / "bench-cluster"
    log_dir.mkdir(parents=True, exist_ok=True)
    databases = setup_databases(verbosity=0, interactive=False)
    chats, announcements = [], []
    try:
        # Rooms and members of their own for each layout given (`--rooms 20,20,20`: three runs).
        rooms = [
            [seed(args.clients // layout, prefix=f"chat{k}l{layout}r{i}m") for i in range(layout)]
            for k, layout in enumerate(layouts)
        ]
        staff = get_user_model().objects.create(username="staff", email="staff@example.org", is_staff=True)
        with PostfixSink(free_port_block(1)) if SINK == "smtp-sink" else SmtpSink() as sink:
            for count, actions in steps(nodes, audiences, chat=bool(layouts)):
                directory = Path(tempfile.mkdtemp(prefix=f"nodes{count}-", dir=log_dir))
                formation = Formation(
                    directory, email_url=sink.email_url, nodes=count, first_port=args.base_port,
                    extra_env={"WEB_CONCURRENCY": str(args.web_processes), "CELERY_CONCURRENCY": "2", "MAILER_THREADS": "8"},
                )
                print(f"{count} node(s): starting bin/cluster (logs in {directory})", flush=True)
                connection.close()
                starting = time.monotonic()
                formation.start(timeout=300)
                if not wait_until(lambda: set(formation.balancer_states().values()) == {"UP"}, timeout=60):
                    raise SystemExit(f"HAProxy does not count every node up: {formation.balancer_states()}")
                print(f"  started in {time.monotonic() - starting:.0f} s", flush=True)
                try:
                    groups = process_groups(formation, sink)
                    for action, size in actions:
                        if action == "chat":
                            for k, layout in enumerate(layouts):
                                load, marks = os.getloadavg()[0], {}

                                def on_connected(formation=formation, marks=marks):
                                    marks["cpu"] = cpu_snapshot(groups)  # sending starts: connecting is not counted
                                    return [formation.established_connections(port) for port in formation.state["ports"]["nodes"]]

                                print(f"  chat: {args.clients} clients in {layout} room(s), load {load:.1f}", flush=True)
                                result = chat_across_processes(
                                    formation.url, rooms[k], rate=args.rate, seconds=args.seconds,
                                    processes=args.client_processes, run=f"n{count}k{k}r{layout}-", on_connected=on_connected,
                                )
                                chats.append({**result, "nodes": count, "rooms": layout, "load": load,
                                              "cpu": cpu_used(groups, marks["cpu"])})
                                _print_chat(chats[-1])
                        else:
                            seed_audience(size)
                            expected = get_user_model().objects.count()
                            load, before = os.getloadavg()[0], cpu_snapshot(groups)
                            print(f"  announcement to {expected} members, load {load:.1f}", flush=True)
                            with broker_of(formation):
                                result = announcement_run(staff, sink, expected=expected)
                            announcements.append({**result, "nodes": count, "audience": expected, "load": load,
                                                  "cpu": cpu_used(groups, before)})
                            _print_announcement(announcements[-1])
                finally:
                    formation.stop()
    finally:
        connection.close()
        teardown_databases(databases, verbosity=0)
    _print_tables(args, chats, announcements)
    ok = all(c["lost"] == 0 and c["duplicated"] == 0 and c["out_of_order"] == 0 for c in chats)
    return 0 if ok and all(a["duplicates"] == 0 for a in announcements) else 1


def _cpu_line(run: dict) -> str:
    used = {name: seconds for name, seconds in run["cpu"].items() if seconds >= 0.1}
    if "client_cpu_seconds" in run:
        used["bench clients"] = round(run["client_cpu_seconds"], 1)
    return ", ".join(f"{name} {seconds:g}" for name, seconds in sorted(used.items()))


CHAT_HEADER = (
    "| nodes | rooms × members | balancer connections per node | deliveries expected | delivered | lost | duplicated "
    "| out of order | filled from DB | reconnects | sent / stored / refused | p50 ms | p99 ms | max ms "
    "| send → stored p50 / p99 ms | load |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)
ANNOUNCEMENT_HEADER = (
    "| nodes | audience | e-mails | request ms | first e-mail s | fan-out done s | end to end s | e-mails/s "
    "| duplicates | load |\n|---|---|---|---|---|---|---|---|---|---|"
)


def _chat_row(run: dict) -> str:
    return (
        f"| {run['nodes']} | {run['rooms']} × {run['clients'] // run['rooms']} | "
        f"{' / '.join(str(n) for n in run['spread'])} | {run['delivered'] + run['lost']} | {run['delivered']} "
        f"| {run['lost']} | {run['duplicated']} | {run['out_of_order']} | {run['filled_from_db']} "
        f"| {run['reconnections']} | {run['sent']} / {run['stored']} / {run['refused']} | {run['p50_ms']:.0f} "
        f"| {run['p99_ms']:.0f} | {run['max_ms']:.0f} | {run['stored_p50_ms']:.0f} / {run['stored_p99_ms']:.0f} "
        f"| {run['load']:.1f} |"
    )


def _chat_cpu(run: dict) -> str:
    return (f"{run['nodes']} node(s), {run['rooms']} room(s): connecting took {run['connect_seconds']:.0f} s; "
            f"{run['wall_seconds']:.0f} s from the start of sending until every socket was closed, CPU seconds: {_cpu_line(run)}")


def _announcement_row(run: dict) -> str:
    return (
        f"| {run['nodes']} | {run['audience']} | {run['emails']} | {run['request_seconds'] * 1000:.0f} "
        f"| {run['first_email_seconds']:.1f} | {run['fan_out_seconds']:.1f} | {run['end_to_end_seconds']:.1f} "
        f"| {run['emails'] / run['end_to_end_seconds']:.0f} | {run['duplicates']} | {run['load']:.1f} |"
    )


def _announcement_cpu(run: dict) -> str:
    return f"{run['nodes']} node(s), {run['audience']} members; CPU seconds: {_cpu_line(run)}"


def _print_chat(run: dict) -> None:
    print(f"{CHAT_HEADER}\n{_chat_row(run)}\n{_chat_cpu(run)}", flush=True)


def _print_announcement(run: dict) -> None:
    print(f"{ANNOUNCEMENT_HEADER}\n{_announcement_row(run)}\n{_announcement_cpu(run)}", flush=True)


def _print_tables(args, chats: list[dict], announcements: list[dict]) -> None:
    if chats:
        print(f"\nChat: {args.clients} clients through HAProxy, {args.rate} msg/s in total for {args.seconds} s, "
              f"{args.web_processes} web processes per node, {args.client_processes} client processes\n")
        print("\n".join([CHAT_HEADER, *map(_chat_row, chats), "", *map(_chat_cpu, chats)]))
    if announcements:
        print("\nAnnouncement to everyone, mailers on every node\n")
        print("\n".join([ANNOUNCEMENT_HEADER, *map(_announcement_row, announcements), "",
                         *map(_announcement_cpu, announcements)]))


if __name__ == "__main__":
    sys.exit(main())
