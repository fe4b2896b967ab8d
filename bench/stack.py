"""Load benchmark of the production stack at national scale (`make bench`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/community REDIS_URL=redis://127.0.0.1:6379/0 \
    .venv/bin/python -m bench.stack [--scale 1] [--runs 3] [--duration 10] [--server procfile]

1. Creates the database `<DATABASE_URL's name>_bench` (never the real one), migrates it,
   seeds it through bench/seed.py (once per scale; --reseed starts again) and runs
   VACUUM ANALYZE.
2. Starts the web server with production settings on a free loopback port, with two
   processes (the Procfile's `web` line with WEB_CONCURRENCY=2, or --server daphne,
   uvicorn, gunicorn to compare servers).
3. Drives each row with `wrk` at 16 and 64 clients, after the floor (`/healthz`: fixed
   JSON, no database) in the same run; medians of --runs runs. Three kinds of rows:
   - **member**: signed-in members, each request with the session of one of 100 people
     picked at random (members, the organiser, compute reviewers and a staff manager);
   - **first-time search**: `{q}` in the URL becomes one to three random words of
     `bench/words.py` (and `{facet}` a random facet filter or none), so almost no search
     repeats and no cached answer stands in for the work; as visitors and as members;
   - **visitor (cached)**: anonymous visitors of one URL, which the visitor cache serves.
   Peak PostgreSQL sessions of the server (by application_name), and how many of them
   were active at once, are sampled throughout.
4. Holds --idle-sockets WebSockets idle for --idle-seconds and counts server closes;
   sends one group message to --group-sockets sockets and reports delivery p50/p99.
5. With --memory-minutes N, drives the member rows in turn for N minutes and reports each
   web process's resident memory after the first minute and at the end.

API throttles are raised so the run measures work, not 429s.
"""

import argparse
import asyncio
import gc
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.own_redis import free_port

ROOT = Path(__file__).resolve().parents[1]
APPLICATION_NAME = "community-bench-web"  # + the server's name, to count each server's sessions
FLOOR = "/healthz"
ORGANISER_EMAIL = "organiser@bench.comunidad-ia.es"  # bench/seed.py
SECRET_KEY = "bench-only-secret-key-that-is-long-enough-for-the-deploy-checks-0123456789"


def bench_database_url() -> str:
    url = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/community")
    return urlunsplit(url._replace(path=f"{url.path.rstrip('/')}_bench"))


def configure_environment(database_url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="community.settings.production", DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost", SECURE_SSL_REDIRECT="false", DB_APPLICATION_NAME="community-bench",
        CELERY_BROKER_URL="memory://",  # nothing here needs a worker; tasks of seeding are dropped
        API_THROTTLE_ANON="100000000/minute", API_THROTTLE_USER="100000000/minute", LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")


def ensure_database(database_url: str) -> None:
    import psycopg

    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    admin = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(scale: float, reseed: bool, parts=None) -> dict:
    """Migrate and seed the bench database once per scale (and parts); return the URLs to drive."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import seed

    if reseed:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0, interactive=False)
    marker = ROOT / "var" / f"bench-seeded-{connection.settings_dict['NAME']}.json"
    from apps.accounts.models import User

    seeded = json.loads(marker.read_text()) if marker.exists() and User.objects.exists() else None
    parts = list(parts or seed.PARTS)
    if seeded is None or seeded["scale"] != scale or seeded.get("parts", list(seed.PARTS)) != parts:
        if User.objects.exists():
            sys.exit(f"{connection.settings_dict['NAME']} holds other data: run with --reseed")
        counts = seed.seed(scale, log=lambda line: print(line, flush=True), parts=parts)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute("VACUUM ANALYZE")
            print(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s", flush=True)
        marker.parent.mkdir(exist_ok=True)
        marker.write_text(json.dumps({"scale": scale, "counts": counts, "parts": parts}))
    call_command("collectstatic", verbosity=0, interactive=False)
    return urls_to_drive()


def urls_to_drive() -> list[tuple[str, str]]:
    """(who, URL) rows: members first, then first-time searches, then cached visitors."""
    from apps.hackathons.models import Hackathon
    from apps.hub.models import HubRepository
    from apps.profiles.models import Profile

    from django.urls import reverse

    profile = Profile.objects.filter(visibility="public").order_by("pk").first()
    hackathon = Hackathon.objects.exclude(state="draft").order_by("-pk").first()
    repository = HubRepository.objects.filter(kind="model").order_by("-downloads").first()
    # A search-only seed (--parts hub) has no hackathons: their rows are left out.
    repository_url = repository and reverse(
        "hub:repository", kwargs={"kind": repository.kind, "repo_id": repository.repo_id})
    member_pages = [path for path in [
        "/", "/talent/", "/talent/?q=datos", f"/talent/{profile.handle}/", "/api/profiles/",
        "/api/profiles/?q=datos", "/models/", repository_url, "/api/hub/repositories/", "/hackathons/",
        hackathon and f"/hackathons/{hackathon.slug}/", "/api/hackathons/", "/meetups/", "/compute/dashboard/",
        "/api/compute/dashboard/", "/transparency/", "/notifications/",
    ] if path]
    searches = ["/talent/?q={q}{facet}", "/api/profiles/?q={q}{facet}", "/models/?q={q}"]
    visitor_pages = ["/", "/talent/", "/talent/?q=vision&region=PV", "/api/profiles/", "/models/", "/hackathons/",
                     "/compute/dashboard/"]
    return (
        [(MEMBER, path) for path in member_pages]
        + [(SEARCH_VISITOR, path) for path in searches]
        + [(SEARCH_MEMBER, path) for path in searches[:2]]
        + [(VISITOR, path) for path in visitor_pages]
    )


MEMBER, SEARCH_VISITOR, SEARCH_MEMBER, VISITOR = (
    "member", "first-time search, visitor", "first-time search, member", "visitor (cached)",
)
FACET_FILTERS = ["", "", "&region=MD", "&skill=nlp", "&language=eu", "&kind=university", "&region=CT&kind=company",
                 "&available=open_to_jobs"]


def member_sessions(count: int = 100) -> list[str]:
    """Session cookies of `count` people across roles: the staff manager and the two compute
    reviewers of the seed, the organiser, and members picked at random (fixed seed)."""
    import random

    from apps.accounts.models import User

    # By address: handles of seeded people are renamed by accounts.0007 (never from an address).
    seeded = User.objects.filter(is_active=True, email__endswith="@bench.comunidad-ia.es")
    ids = list(seeded.exclude(email=ORGANISER_EMAIL).order_by("pk").values_list("pk", flat=True))
    roles = ids[1:4] + list(seeded.filter(email=ORGANISER_EMAIL).values_list("pk", flat=True))
    chosen = roles + random.Random(2026).sample(ids[4:], count - len(roles))
    cookies = []
    for user in User.objects.filter(pk__in=chosen):
        cookies.append(f"sessionid={signed_in_session(user)}")
    return cookies


def signed_in_session(user) -> str:
    """The key of a new session of `user`, as a password sign-in leaves it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.update({SESSION_KEY: str(user.pk), HASH_SESSION_KEY: user.get_session_auth_hash(),
                    BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0]})
    session.create()
    return session.session_key


def wrk_script(path: str, cookies: list[str]) -> str:
    """A wrk script whose every request takes a random session of `cookies` (if any) and
    fills `{q}` and `{facet}` in `path` with random words and filters."""
    from urllib.parse import quote

    from bench.words import WORDS

    def lua_list(values):
        return "{" + ",".join(json.dumps(v) for v in values) + "}"

    return f"""
local template = {json.dumps(path)}
local cookies = {lua_list(cookies)}
local words = {lua_list(quote(w) for w in WORDS)}
local facets = {lua_list(FACET_FILTERS)}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("seed", counter * 7919 + os.time())
end
function init(args)
  math.randomseed(seed)
end
function request()
  local path = template
  if path:find("{{q}}", 1, true) then
    local parts = {{}}
    for i = 1, math.random(1, 3) do parts[i] = words[math.random(#words)] end
    path = path:gsub("{{q}}", (table.concat(parts, "+"):gsub("%%", "%%%%")))
  end
  if path:find("{{facet}}", 1, true) then
    path = path:gsub("{{facet}}", facets[math.random(#facets)])
  end
  local headers = {{}}
  if #cookies > 0 then headers["Cookie"] = cookies[math.random(#cookies)] end
  return wrk.format("GET", path, headers)
end
"""


# --- the server ---------------------------------------------------------------------


def start_server(kind: str, processes: int) -> tuple[list[subprocess.Popen], str]:
    port = free_port()
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY=str(processes),
               DB_APPLICATION_NAME=f"{APPLICATION_NAME}-{kind}")
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{env['PATH']}"
    app = "community.asgi:application"
    options = dict(cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    if kind == "daphne":  # no worker option: N processes accept on one shared socket
        listener = socket.create_server(("127.0.0.1", port), backlog=2048)
        listener.set_inheritable(True)
        fd = listener.fileno()
        servers = [subprocess.Popen(["daphne", "--fd", str(fd), app], pass_fds=[fd], **options)
                   for _ in range(processes)]
        listener.close()
    else:
        command = {
            "procfile": "exec " + procfile_web(),
            "uvicorn": f"exec uvicorn --host 127.0.0.1 --port {port} --workers {processes} --no-access-log {app}",
            "gunicorn": f"exec gunicorn --bind 127.0.0.1:{port} --workers {processes} "
                        f"--worker-class uvicorn_worker.UvicornWorker {app}",
        }[kind]
        servers = [subprocess.Popen(["bash", "-c", command], **options)]
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + FLOOR, timeout=2):
                return servers, base
        except OSError:
            if time.monotonic() > deadline or any(s.poll() is not None for s in servers):
                stop_server(servers)
                sys.exit(f"the {kind} server did not start")
            time.sleep(0.3)


def procfile_web() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.partition(":")[2].strip()
    raise LookupError("no web process in the Procfile")


def stop_server(servers: list[subprocess.Popen]) -> None:
    for server in servers:
        try:
            os.killpg(server.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for server in servers:
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# --- HTTP load -----------------------------------------------------------------------


class ConnectionPeak(threading.Thread):
    """Highest number of PostgreSQL sessions the web processes held while running."""

    def __init__(self, server: str):
        super().__init__(daemon=True)
        self.application_name = f"{APPLICATION_NAME}-{server}"
        self.peak, self.peak_active, self.stopped = 0, 0, threading.Event()

    def run(self):
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            while not self.stopped.is_set():
                count, active = conn.execute(
                    # Parallel-query workers carry the session's application_name too: not connections.
                    "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity"
                    " WHERE application_name = %s AND backend_type = 'client backend'", [self.application_name],
                ).fetchone()
                self.peak, self.peak_active = max(self.peak, count), max(self.peak_active, active)
                time.sleep(0.05)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.join(timeout=5)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(url: str, clients: int, duration: int, script: str | None = None) -> dict:
    command = ["wrk", "--latency", "-t", "2", "-c", str(clients), "-d", f"{duration}s", "--timeout", "10s"]
    if script:
        command += ["--script", script]
    result = subprocess.run(
        [*command, url],
        capture_output=True, text=True, timeout=duration + 60,
    )
    out = result.stdout

    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return float(match.group(1)) * UNITS[match.group(2)] if match else float("nan")

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = re.search(r"(\d+) requests in", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency(50), "p99": latency(99),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
        "requests": int(requests.group(1)) if requests else 0,
    }


def drive(bases: dict[str, str], rows_to_drive: list[tuple[str, str]], client_counts: list[int], runs: int,
          duration: int) -> list[dict]:
    """Run every (server, row) in turn, run after run, so background load on a shared
    machine falls on all of them alike; each server's floor is measured in the same rounds."""
    cookies = member_sessions()
    scripts_dir = ROOT / "var" / "bench-scripts"
    scripts_dir.mkdir(parents=True, exist_ok=True)
    rows_to_drive = [(VISITOR, FLOOR), *rows_to_drive]
    scripts = {}
    for who, path in rows_to_drive:
        script = scripts_dir / f"{len(scripts)}.lua"
        script.write_text(wrk_script(path, cookies if who in (MEMBER, SEARCH_MEMBER) else []))
        scripts[who, path] = str(script)
    for base in bases.values():
        for who, path in rows_to_drive:  # warm-up: templates, first queries
            wrk(base + "/", 2, 1, scripts[who, path])
    rows = []
    for clients in client_counts:
        samples = {(server, row): [] for server in bases for row in rows_to_drive}
        for run in range(runs):
            for row in rows_to_drive:
                for server, base in bases.items():
                    wait_until_idle(list(bases))  # leftovers of the previous URL would slow this one
                    with ConnectionPeak(server) as peak:
                        sample = wrk(base + "/", clients, duration, scripts[row])
                    sample.update(db_connections=peak.peak, db_active=peak.peak_active)
                    samples[server, row].append(sample)
                    print(f"  {server} c={clients} run {run + 1} {row}: {sample}", flush=True)
        for (server, (who, path)), runs_of_row in samples.items():
            floor_rps = statistics.median(s["rps"] for s in samples[server, (VISITOR, FLOOR)])
            row = {key: statistics.median(s[key] for s in runs_of_row) for key in ("rps", "p50", "p99")}
            row.update(server=server, who=who, path=path, clients=clients, floor_share=row["rps"] / floor_rps,
                       errors=sum(s["errors"] for s in runs_of_row), requests=sum(s["requests"] for s in runs_of_row),
                       db_connections=max(s["db_connections"] for s in runs_of_row),
                       db_active=max(s["db_active"] for s in runs_of_row))
            rows.append(row)
    return sorted(rows, key=lambda r: (r["server"], r["clients"]))


def process_tree_rss(pid: int) -> dict[int, int]:
    """Resident memory in KiB of `pid` and every process below it, by process id."""
    found, pending = {}, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = [
                int(child)
                for task in Path(f"/proc/{current}/task").iterdir()
                for child in (task / "children").read_text().split()
            ]
        except (FileNotFoundError, ProcessLookupError):
            continue
        found[current] = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1)) if "VmRSS" in status else 0
        pending += children
    return found


def memory_growth(servers: list[subprocess.Popen], base: str, minutes: int, clients: int = 16) -> dict:
    """Member load for `minutes`; each web process's memory after minute 1 and at the end.

    The web processes are the server's processes that grew past 60 MiB (the supervisor of
    the Procfile's uvicorn stays small); the issue's bound is growth under 10 % per process."""
    cookies = member_sessions()
    scripts_dir = ROOT / "var" / "bench-scripts"
    scripts_dir.mkdir(parents=True, exist_ok=True)
    scripts = []
    for who, path in urls_to_drive():
        if who in (MEMBER, SEARCH_MEMBER):
            script = scripts_dir / f"memory-{len(scripts)}.lua"
            script.write_text(wrk_script(path, cookies))
            scripts.append(str(script))
    started, first, requests, errors, turn = time.monotonic(), None, 0, 0, 0
    while time.monotonic() - started < minutes * 60:
        sample = wrk(base + "/", clients, 10, scripts[turn % len(scripts)])
        requests, errors, turn = requests + sample["requests"], errors + sample["errors"], turn + 1
        if first is None and time.monotonic() - started >= 60:
            first = {pid: kib for server in servers for pid, kib in process_tree_rss(server.pid).items()}
    last = {pid: kib for server in servers for pid, kib in process_tree_rss(server.pid).items()}
    web = [pid for pid, kib in last.items() if kib > 60 * 1024 and pid in (first or {})]
    growth = {pid: (last[pid] - first[pid]) / first[pid] for pid in web}
    return {"minutes": minutes, "clients": clients, "requests": requests, "errors": errors,
            "rss_minute_1_mib": [round(first[pid] / 1024) for pid in web],
            "rss_end_mib": [round(last[pid] / 1024) for pid in web],
            "growth_max": f"{max(growth.values(), default=float('nan')):.1%}"}


def wait_until_idle(kinds: list[str], limit: float = 120) -> None:
    """Requests wrk gave up on keep running in the server; let them finish before the next phase."""
    import psycopg

    names = [f"{APPLICATION_NAME}-{kind}" for kind in kinds]
    deadline = time.monotonic() + limit
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        while time.monotonic() < deadline and conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = ANY(%s) AND state = 'active'", [names]
        ).fetchone()[0]:
            time.sleep(1)


# --- WebSockets ----------------------------------------------------------------------


def member_cookie() -> tuple[str, int]:
    from apps.accounts.models import User

    user = User.objects.get(email=ORGANISER_EMAIL)
    return f"sessionid={signed_in_session(user)}", user.pk


async def _open(base: str, cookie: str, count: int) -> list:
    from websockets.asyncio.client import connect

    url = base.replace("http://", "ws://") + "/ws/notifications/"
    sockets, refused = [], []
    for start in range(0, count, 100):  # in waves, as browsers arrive; each wave concurrently
        for result in await asyncio.gather(*(
            connect(url, additional_headers={"Cookie": cookie}, origin=base, ping_interval=None, open_timeout=60)
            for _ in range(min(100, count - start))
        ), return_exceptions=True):
            (refused if isinstance(result, Exception) else sockets).append(result)
    if refused:
        print(f"  {len(refused)} of {count} WebSocket handshakes failed: {refused[0]!r}", flush=True)
    return sockets


def idle_sockets(base: str, count: int, seconds: int) -> dict:
    cookie, _ = member_cookie()

    async def scenario():
        sockets = await _open(base, cookie, count)
        opened = time.monotonic()
        while time.monotonic() - opened < seconds:
            await asyncio.sleep(1)
        closed = [ws.close_code for ws in sockets if ws.close_code is not None]
        await asyncio.gather(*(ws.close() for ws in sockets))
        return {"sockets": count, "opened": len(sockets), "seconds": seconds, "closed_by_server": len(closed),
                "close_codes": sorted(set(closed))}

    return asyncio.run(scenario())


def group_message(base: str, count: int) -> dict:
    from apps.core.live import group_send_many
    from apps.notifications.services import user_group

    cookie, user_id = member_cookie()

    async def scenario():
        sockets = await _open(base, cookie, count)
        await asyncio.sleep(1)
        # This process holds the 500 client sockets and the seeded ORM: one of its own full
        # garbage collections took 200-240 ms and, landing in the timed window, was counted
        # as delivery latency. The clients' collector waits until the deliveries are in.
        collecting = gc.isenabled()
        gc.collect()
        gc.disable()
        try:
            sent = time.perf_counter()
            await asyncio.to_thread(group_send_many, [(user_group(user_id), {
                "type": "notification.created", "id": 0, "kind": "bench", "title": "hola", "url": ""})])
            latencies = await asyncio.gather(*(_received_after(ws, sent) for ws in sockets))
        finally:
            if collecting:
                gc.enable()
        await asyncio.gather(*(ws.close() for ws in sockets))
        delivered = sorted(x for x in latencies if x is not None)
        return {"sockets": count, "opened": len(sockets), "delivered": len(delivered),
                "p50_ms": round(statistics.median(delivered), 1) if delivered else None,
                "p99_ms": round(delivered[int(len(delivered) * 0.99) - 1], 1) if delivered else None}

    return asyncio.run(scenario())


async def _received_after(ws, sent: float) -> float | None:
    try:
        await asyncio.wait_for(ws.recv(), timeout=30)
        return (time.perf_counter() - sent) * 1000
    except Exception:  # closed or timed out: counted as not delivered
        return None


# --- report --------------------------------------------------------------------------


def table(rows: list[dict]) -> str:
    lines = ["| server | who | URL | clients | req/s | share of floor | p50 ms | p99 ms | errors | "
             "peak DB sessions (active) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        latency = f"{r['p50']:.0f} | {r['p99']:.0f}" if r["requests"] else "none finished | none finished"
        who = "floor" if r["path"] == FLOOR else r["who"]
        lines.append(f"| {r['server']} | {who} | `{r['path']}` | {r['clients']} | {r['rps']:.1f} | "
                     f"{r['floor_share']:.1%} | {latency} | {r['errors']} | {r['db_connections']} ({r['db_active']}) |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 100,000 profiles, 50,000 repositories…")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--parts", default="", help="seed only these of hub,snapshots,hackathons,compute "
                        "(members and profiles always), e.g. hub for the talent and catalogue searches at --scale 10")
    parser.add_argument("--server", default="procfile",
                        help="procfile, daphne, uvicorn or gunicorn; several, comma-separated, are run interleaved")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--clients", default="16,64")
    parser.add_argument("--only", default="", help="comma-separated URLs (as in the table) instead of every row")
    parser.add_argument("--idle-sockets", type=int, default=1000)
    parser.add_argument("--idle-seconds", type=int, default=600)
    parser.add_argument("--group-sockets", type=int, default=500)
    parser.add_argument("--memory-minutes", type=int, default=0,
                        help="then drive members for this long and report web-process memory growth")
    parser.add_argument("--output", default=str(ROOT / "var" / "bench-results.md"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    kinds = args.server.split(",")
    assert set(kinds) <= {"procfile", "daphne", "uvicorn", "gunicorn"}, kinds

    database_url = bench_database_url()
    configure_environment(database_url)
    ensure_database(database_url)
    paths = prepare(args.scale, args.reseed, args.parts.split(",") if args.parts else None)
    if args.only:  # rows whose URL is one of these
        wanted = set(args.only.split(","))
        paths = [(who, path) for who, path in paths if path in wanted]
    running, bases, by_kind, memory = [], {}, {}, []
    try:
        for kind in kinds:
            by_kind[kind], bases[kind] = start_server(kind, args.processes)
            running += by_kind[kind]
        client_counts = [int(c) for c in args.clients.split(",")]
        rows = drive(bases, paths, client_counts, args.runs, args.duration) if args.runs else []
        wait_until_idle(kinds)
        sockets = []
        for run in range(args.runs if args.group_sockets else 0):
            for kind, base in bases.items():
                sockets.append(dict(group_message(base, args.group_sockets), server=kind, run=run + 1))
        for kind, base in bases.items() if args.idle_sockets else ():
            sockets.append(dict(idle_sockets(base, args.idle_sockets, args.idle_seconds), server=kind))
        for kind, base in bases.items() if args.memory_minutes else ():
            memory.append(dict(memory_growth(by_kind[kind], base, args.memory_minutes), server=kind))
    finally:
        stop_server(running)
    from django.conf import settings

    pool = settings.DATABASES["default"]["OPTIONS"].get("pool", {})
    report = "\n\n".join([
        f"Command: `python -m bench.stack {' '.join(sys.argv[1:])}` — servers {', '.join(kinds)} "
        f"(procfile = `{procfile_web()}`), {args.processes} web processes each, DB pool max "
        f"{pool.get('max_size')} per process, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        table(rows),
        "WebSockets:\n\n" + "\n".join(f"- `{json.dumps(result)}`" for result in sockets),
        *(["Memory under member load:\n\n" + "\n".join(f"- `{json.dumps(result)}`" for result in memory)]
          if memory else []),
    ])
    Path(args.output).parent.mkdir(exist_ok=True)
    Path(args.output).write_text(report + "\n")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
