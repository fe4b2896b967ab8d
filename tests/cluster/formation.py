"""`bin/cluster` started by a test (or bench/cluster.py): nodes (two by default) behind HAProxy,
PgBouncer, Redis with Sentinel.

The formation runs on a block of loopback ports from `TEST_PORTS` (the system's free ports
without it), against the migrated test database, with its own Redis servers and sentinels,
and production settings (tests.live_settings). A node is killed the way a machine dies: every
process under its honcho gets SIGKILL at once.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from django.conf import settings

from tests.asgi_server import migrated_test_database_url
from tests.notifications.live_stack import wait_until

ROOT = Path(__file__).resolve().parents[2]
PORTS_BESIDE_NODES = 7  # balancer, PgBouncer, 2 Redis, 3 sentinels
NEEDED_BINARIES = ("haproxy", "pgbouncer", "redis-sentinel", "redis-server")


def free_port_block(size: int) -> int:
    """The first of `size` consecutive free loopback ports, from TEST_PORTS when it is set."""
    span = os.environ.get("TEST_PORTS", "")
    low, high = (int(part) for part in span.split("-")) if span else (20000, 40000)
    for first in range(low, high - size + 2):
        if all(_free(port) for port in range(first, first + size)):
            return first
    raise RuntimeError(f"no {size} consecutive free ports in {low}-{high}")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _kill_all(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


class Formation:
    def __init__(
        self, directory: Path, *, email_url: str, extra_env: dict[str, str], database_url: str = "", nodes: int = 2,
        first_port: int | None = None,
    ):
        """`first_port`: the first of the block of ports it takes (a free block from TEST_PORTS by default)."""
        missing = [name for name in NEEDED_BINARIES if shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin") is None]
        assert not missing, f"the cluster tests need {', '.join(missing)} (apt-get install haproxy pgbouncer redis-sentinel)"
        self.dir = directory
        first = first_port or free_port_block(PORTS_BESIDE_NODES + nodes)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.live_settings",
            "SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": database_url or migrated_test_database_url(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{first}",
            "EMAIL_URL": email_url,
            # Two cores for the whole formation and the test's clients: one web process per node.
            "WEB_CONCURRENCY": "1",
            "CELERY_CONCURRENCY": "1",
            "MAILER_THREADS": "4",
            "LOG_LEVEL": "WARNING",
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            **extra_env,
        }
        for name in ("CACHE_KEY_PREFIX", "CHANNEL_LAYER_PREFIX", "REDIS_URL", "CELERY_BROKER_URL"):
            self.env.pop(name, None)  # the formation's Redis is its own: no test namespaces in it
        self.args = [sys.executable, str(ROOT / "bin" / "cluster"), "--dir", str(directory),
                     "--port", str(first), "--base-port", str(first + 1), "--nodes", str(nodes)]
        self.process: subprocess.Popen | None = None
        self.state: dict = {}

    def start(self, timeout: float = 150) -> "Formation":
        self.process = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, start_new_session=True,
            stdout=open(self.dir / "cluster.out", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )
        state_file = self.dir / "cluster.json"
        started = wait_until(lambda: state_file.exists() or self.process.poll() is not None, timeout=timeout, step=0.2)
        assert started and self.process.poll() is None, f"bin/cluster did not start: {self.logs()}"
        self.state = json.loads(state_file.read_text())
        return self

    @property
    def url(self) -> str:
        return self.state["url"]

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")

    def node_pids(self, node: str) -> list[int]:
        return descendants(self.state["pids"][node])

    def kill_node(self, node: str) -> None:
        """SIGKILL every process of the node at once: its web, worker and mailer, no goodbye."""
        _kill_all(self.node_pids(node))

    def kill_redis_primary(self) -> int:
        """SIGKILL the Redis server the sentinels name primary now; returns its port."""
        host, port = self.sentinel().execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.state["master"])
        _kill_all([self.state["pids"][f"redis-{int(port)}"]])
        return int(port)

    def sentinel(self) -> redis.Redis:
        return redis.Redis(port=self.state["ports"]["sentinels"][0], socket_timeout=2, decode_responses=True)

    def primary_port(self) -> int:
        return int(self.sentinel().execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.state["master"])[1])

    def balancer_states(self) -> dict[str, str]:
        """What HAProxy thinks of each node now (UP, DOWN, MAINT…), from its admin socket. bin/cluster
        starts once every node answered /readyz and the balancer answered once: by then HAProxy may
        not yet have counted a node's two good checks, and sends every connection to the other."""
        with socket.socket(socket.AF_UNIX) as admin:
            admin.connect(str(self.dir / "haproxy.sock"))
            admin.sendall(b"show stat\n")
            rows = b"".join(iter(lambda: admin.recv(65536), b"")).decode().splitlines()
        header = rows[0].lstrip("# ").split(",")
        states = (dict(zip(header, row.split(","))) for row in rows[1:] if row)
        return {state["svname"]: state["status"] for state in states if state["svname"].startswith("node")}

    def established_connections(self, port: int) -> int:
        """Open TCP connections to a local port (the balancer's to a node: requests and sockets)."""
        listing = subprocess.run(
            ["ss", "-Htn", "state", "established", "dst", f"127.0.0.1:{port}"], capture_output=True, text=True, check=True
        ).stdout
        return len(listing.splitlines())

    def logs(self, tail: int = 2500) -> str:
        return "\n".join(
            f"== {path.name}\n{path.read_text(errors='replace')[-tail:]}"
            for path in sorted(self.dir.glob("*.log")) + sorted(self.dir.glob("cluster.out"))
        )

    def stop(self) -> None:
        if self.process is None:
            return
        everything = descendants(self.process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            pass
        _kill_all([pid for pid in everything if Path(f"/proc/{pid}").exists()])


@contextlib.contextmanager
def broker_of(formation: Formation):
    """Tasks this test process enqueues go to the formation's broker, through its sentinels."""
    from community.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "broker_transport", "broker_transport_options")}
    ports = formation.state["ports"]["sentinels"]
    app.conf.broker_url = ";".join(f"sentinel://127.0.0.1:{port}/0" for port in ports)
    app.conf.broker_transport = "community.broker:SentinelTransport"
    app.conf.broker_transport_options = {"visibility_timeout": 3600, "master_name": formation.state["master"]}
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None


PG_BIN = Path("/usr/lib/postgresql") / (sorted(p.name for p in Path("/usr/lib/postgresql").glob("*")) or ["15"])[-1] / "bin"


class PrivatePostgres:
    """A PostgreSQL server of the test's own (Debian's binaries, run as `postgres`), holding a
    copy of the migrated test database: it may be stopped and started, the shared one never."""

    def __init__(self):
        assert (PG_BIN / "pg_ctl").exists(), f"PostgreSQL's server binaries are needed in {PG_BIN}"
        self.port = free_port_block(1)
        self.dir = Path(tempfile.mkdtemp(prefix="cluster-pg-"))
        shutil.chown(self.dir, "postgres")
        self.data = self.dir / "data"
        source = settings.DATABASES["default"]
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{source['NAME']}"

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, cwd=self.dir)

    def start(self) -> "PrivatePostgres":
        if not self.data.exists():
            self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth", "trust")
            self._run_server()
            self._copy_test_database()
        else:
            self._run_server()
        return self

    def _run_server(self) -> None:
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "start",
            "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
        )

    def _copy_test_database(self) -> None:
        source = settings.DATABASES["default"]
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", source["NAME"]], check=True)
        dump = subprocess.run(
            ["pg_dump", "-h", source["HOST"], "-p", str(source["PORT"]), "-U", source["USER"], "--no-owner", source["NAME"]],
            check=True, capture_output=True,
        ).stdout
        subprocess.run(
            ["psql", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-v", "ON_ERROR_STOP=1", source["NAME"]],
            input=dump, check=True, capture_output=True,
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
