"""Faults the formation survives: two nodes behind HAProxy, PgBouncer, Redis with Sentinel.

Each test starts `bin/cluster` (tests/cluster/formation.py) and breaks one part of it. Heavier
variants: CLUSTER_CHAT_CLIENTS=200 (docs/operations.md, "Several nodes").
"""

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from apps.chat.models import Room
from apps.notifications.models import Delivery
from apps.notifications.services import notifications_sweep, notify
from bench.chat import seed
from tests.accounts.factories import UserFactory
from tests.cluster.chat_clients import ResumingClient, wait_for
from tests.cluster.conftest import LEASE_SECONDS
from tests.cluster.formation import ROOT, broker_of
from tests.notifications.live_stack import SmtpSink, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

CHAT_CLIENTS = int(os.environ.get("CLUSTER_CHAT_CLIENTS", "30"))
SENDERS = 10
RATE = 5  # messages a second, all senders together (each stays under the chat's own limit)


async def _chat_through(formation, room: int, cookies: list[str], *, seconds: float, fault, fault_after: float):
    """Clients connect through the balancer, senders send for `seconds`, `fault()` happens after
    `fault_after` s; returns the clients, once each has reached the last message stored (or after
    30 s), and the messages acknowledged to their senders."""
    clients = [ResumingClient(formation.url, room, cookie) for cookie in cookies]
    runners = [asyncio.create_task(client.run()) for client in clients]
    assert await wait_for(lambda: all(c.connected.is_set() for c in clients), timeout=60), "clients did not connect"
    sent: dict[ResumingClient, set[str]] = {client: set() for client in clients[:SENDERS]}
    started = time.monotonic()
    fault_done = False
    for n in range(int(seconds * RATE)):
        await asyncio.sleep(max(0, started + n / RATE - time.monotonic()))
        if not fault_done and time.monotonic() - started >= fault_after:
            await asyncio.to_thread(fault)
            fault_done = True
        sender = clients[n % SENDERS]
        if await sender.send_message(f"m{n}", f"mensaje {n}"):
            sent[sender].add(f"m{n}")
    # A socket handles its frames in order: once each sender sees its closing message in the
    # stream, everything it sent before on that socket is stored (or was lost with a dead one).
    for index, sender in enumerate(sent):
        closing = f"end{index}"
        while closing not in sender.acknowledged and time.monotonic() - started < seconds + 60:
            await sender.send_message(closing, "fin")
            await wait_for(lambda sender=sender, closing=closing: closing in sender.acknowledged, timeout=2)
    stored = await asyncio.to_thread(_last_sequence, room)
    await wait_for(lambda: all(c.connected.is_set() and c.last >= stored for c in clients), timeout=30)
    for client in clients:
        client.stopping = True
        if client.socket is not None:
            await client.socket.close()
    await asyncio.gather(*runners, return_exceptions=True)
    return clients, set().union(*(client.acknowledged & ids for client, ids in sent.items()))


def _last_sequence(room: int) -> int:
    """The room's last stream number, read in a thread of its own (its connection closed after)."""
    try:
        return Room.objects.get(pk=room).last_sequence
    finally:
        connection.close()


def test_a_node_killed_while_clients_send_loses_no_acknowledged_message(formation):
    room, cookies = seed(CHAT_CLIENTS)
    killed_at: list[float] = []

    def kill_node1():
        formation.kill_node("node1")
        killed_at.append(time.monotonic())

    clients, acknowledged = asyncio.run(
        _chat_through(formation, room, cookies, seconds=12, fault=kill_node1, fault_after=4)
    )
    assert killed_at, "the node was never killed"
    # The balancer spread the clients, so the killed node had some: they came back through it.
    assert sum(1 for client in clients if client.reconnections) >= 1, formation.logs()
    assert len(acknowledged) >= 0.5 * 12 * RATE, (len(acknowledged), formation.logs())
    last = Room.objects.get(pk=room).last_sequence
    for client in clients:
        # Each reader took the room's whole stream, in order and once (nothing left waiting
        # for a missing number), and in it every message acknowledged to any sender, once
        # (a closing message sent again after a reconnect is not stored twice).
        assert client.last == last and not client.early, (client.last, last, sorted(client.early))
        taken = [client_id for _, client_id in client.taken]
        assert acknowledged <= set(taken) and len(taken) == len(set(taken)), sorted(taken)


def test_a_drained_node_hands_its_sockets_to_the_other_without_losing_a_message(formation):
    room, cookies = seed(10)
    ports = formation.state["ports"]["nodes"]
    drained = []

    def drain_the_busiest_node():
        """The node holding most sockets is drained (the balancer may have put them all on one)."""
        busiest = max(range(len(ports)), key=lambda index: formation.established_connections(ports[index]))
        drained.append(ports[busiest])
        subprocess.run([sys.executable, "bin/cluster", "drain", f"node{busiest + 1}", "--dir", str(formation.dir),
                        "--grace", "1"], cwd=ROOT, check=True, timeout=30)

    clients, acknowledged = asyncio.run(
        _chat_through(formation, room, cookies, seconds=8, fault=drain_the_busiest_node, fault_after=2)
    )
    assert sum(1 for client in clients if client.reconnections) >= 1
    # The drained node keeps running but holds no socket any more.
    assert formation.established_connections(drained[0]) == 0
    last = Room.objects.get(pk=room).last_sequence
    for client in clients:
        assert client.last == last and not client.early, (client.last, last, sorted(client.early))
        assert acknowledged <= {client_id for _, client_id in client.taken}


class PeerRecordingSink(SmtpSink):
    """The SMTP sink, noting the client port of each MAIL in the order they came."""

    def __init__(self):
        super().__init__()
        self.mail_peers: list[int] = []

    async def handle_MAIL(self, server, session, *args):
        self.mail_peers.append(session.peer[1])
        return await super().handle_MAIL(server, session, *args)


@pytest.fixture
def smtp_sink():
    with PeerRecordingSink() as sink:
        yield sink


def _node_with_connection(formation, client_port: int) -> str:
    """The node whose process holds the loopback connection from `client_port`."""
    listing = subprocess.run(
        ["ss", "-Htnp", "state", "established", "src", f"127.0.0.1:{client_port}"],
        capture_output=True, text=True, check=True,
    ).stdout
    pids = {int(pid) for pid in re.findall(r"pid=(\d+)", listing)}
    assert pids, f"no process holds port {client_port}: {listing!r}"
    nodes = [node for node in ("node1", "node2") if pids & set(formation.node_pids(node))]
    assert len(nodes) == 1, (pids, nodes)
    return nodes[0]


def _sweep_until_nothing_is_held(timeout: float) -> bool:
    """What beat does every minute, sooner: take back lapsed claims and queue them again, with
    what the dead job had not claimed yet (pending: in production after 2 minutes, here after
    a lease). Queuing a delivery twice sends it once: a job sends only what it claimed."""

    def nothing_held():
        notifications_sweep(grace=timedelta(seconds=LEASE_SECONDS))
        return not Delivery.objects.filter(status=Delivery.Status.SENDING).exists()

    return wait_until(nothing_held, timeout=timeout, step=0.5)


def test_a_node_killed_mid_announcement_leaves_the_rest_to_the_other_exactly_once(formation, smtp_sink):
    people = [UserFactory() for _ in range(120)]
    held_mail = 40
    smtp_sink.script("MAIL", "hold", nth=held_mail)  # a mailer is mid-announcement, before a message's data
    with broker_of(formation):
        notify(recipients=people, kind="test.cluster", title="Anuncio a todos")
        assert smtp_sink.held.wait(timeout=60), f"no mailer reached the held message: {formation.logs()}"
        victim = _node_with_connection(formation, smtp_sink.mail_peers[held_mail - 1])
        formation.kill_node(victim)
        smtp_sink.release()
        assert _sweep_until_nothing_is_held(timeout=LEASE_SECONDS + 30), formation.logs()
        assert wait_until(lambda: smtp_sink.total >= len(people), timeout=60), (smtp_sink.total, formation.logs())
    assert dict(smtp_sink.received) == {person.email: 1 for person in people}
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def _ready_everywhere(formation) -> bool:
    """Every node, asked through the balancer, reaches Redis and the broker again."""
    answers = []
    for _ in range(4):  # leastconn between idle nodes: each is asked at least once in four
        try:
            with urllib.request.urlopen(f"{formation.url}/readyz", timeout=3) as response:
                answers.append(json.load(response)["status"])
        except OSError:
            answers.append("unreachable")
    return answers == ["ok"] * 4


def test_the_redis_primary_killed_with_messages_and_an_announcement_in_flight(formation, smtp_sink):
    room, cookies = seed(10)
    people = [UserFactory() for _ in range(120)]
    member = Client()
    member.force_login(people[0])
    session = member.cookies[settings.SESSION_COOKIE_NAME].value
    first_primary = formation.primary_port()
    moments = {}

    def announce_and_kill_the_primary():
        try:
            notify(recipients=people, kind="test.cluster", title="Anuncio durante la conmutación")
        finally:
            connection.close()
        formation.kill_redis_primary()
        moments["killed"] = time.monotonic()
        if wait_until(lambda: _ready_everywhere(formation), timeout=60, step=0.5):
            moments["ready"] = time.monotonic()

    with broker_of(formation):
        clients, acknowledged = asyncio.run(
            _chat_through(formation, room, cookies[:10], seconds=15, fault=lambda: threading.Thread(
                target=announce_and_kill_the_primary).start(), fault_after=3)
        )
        assert wait_until(lambda: "ready" in moments, timeout=60), formation.logs()
        assert formation.primary_port() != first_primary  # Sentinel promoted the replica
        # Cache, broker and channel layer follow the new primary within 30 s.
        assert moments["ready"] - moments["killed"] < 30, moments
        # Chat: every message stored reached every client, once and in order.
        last = Room.objects.get(pk=room).last_sequence
        for client in clients:
            assert client.last == last and not client.early, (client.last, last, sorted(client.early))
            assert acknowledged <= {client_id for _, client_id in client.taken}
        # No e-mail lost with the queue the dead primary held, none sent twice.
        assert _sweep_until_nothing_is_held(timeout=LEASE_SECONDS + 30)
        wait_until(lambda: smtp_sink.total >= len(people) and _sweep_until_nothing_is_held(timeout=1), timeout=60)
    assert dict(smtp_sink.received) == {person.email: 1 for person in people}
    # No 500 after recovery: pages, the API and a signed-in member's page (cache and session).
    statuses = []
    for path in ["/", "/hackathons/", "/talent/", "/api/stats/", "/api/profiles/"] * 4:
        statuses.append(_status(formation.url + path))
    statuses.append(_status(formation.url + "/notifications/", cookie=session))
    assert set(statuses) == {200}, (statuses, formation.logs())


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the redirect itself is the answer


def _status(url: str, cookie: str = "", follow: bool = True) -> int:
    request = urllib.request.Request(url, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"} if cookie else {})
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (TimeoutError, urllib.error.URLError):
        return 0  # no answer within the timeout, or no connection


@pytest.fixture
def member_session(transactional_db):
    """A member's session key, made before `private_postgres` copies the test database."""
    member = Client()
    member.force_login(UserFactory())
    return member.cookies[settings.SESSION_COOKIE_NAME].value


def test_postgresql_restarted_requests_fail_fast_with_503_and_recover_by_themselves(
    member_session, formation_on_private_postgres, private_postgres
):
    formation = formation_on_private_postgres
    node = f"http://127.0.0.1:{formation.state['ports']['nodes'][0]}"
    paths = ["/hackathons/", "/api/hackathons/", "/talent/"]
    # Visitors, and a member whose session is read before any view runs.
    cookies = ["", member_session]
    assert [_status(formation.url + path, cookie) for path in paths for cookie in cookies] == [200] * 6
    private_postgres.stop()
    answers = []  # (status, seconds) through the balancer and from a node directly
    outage_ends = time.monotonic() + 8
    while time.monotonic() < outage_ends or len(answers) < 4:  # visitors, then a member, in turn
        for base in (formation.url, node):
            started = time.monotonic()
            path, cookie = paths[len(answers) % len(paths)], cookies[len(answers) // 2 % 2]
            answers.append((_status(base + path, cookie), time.monotonic() - started, bool(cookie)))
    private_postgres.start()
    assert {status for status, _, _ in answers} == {503}, answers
    assert {signed_in for _, _, signed_in in answers} == {False, True}
    # A request gives up after the pool's wait for a connection (3 s) and PgBouncer's for a server
    # (3 s) at most, where it would hang for minutes with the defaults (10 s, then 120 s).
    assert max(seconds for _, seconds, _ in answers) < 10, answers
    # Nothing restarted by hand: PgBouncer reconnects, the nodes' pools never saw the server go;
    # the member is still signed in (a page only members may see answers 200, not a redirect).
    assert wait_until(
        lambda: [_status(formation.url + path) for path in paths] == [200] * len(paths)
        and _status(formation.url + "/notifications/", member_session, follow=False) == 200,
        timeout=30, step=0.5,
    ), formation.logs()
