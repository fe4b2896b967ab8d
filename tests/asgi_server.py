"""Start the Procfile's web process on a free loopback port, for tests of the live stack."""

import contextlib
import os
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.own_redis import free_port

ROOT = Path(__file__).resolve().parents[1]


def procfile_command(process: str = "web") -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            return command.strip()
    raise LookupError(f"no {process} process in the Procfile")


def migrated_test_database_url() -> str:
    """The migrated test database the running test uses, for a server process."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextlib.contextmanager
def running_asgi_server(*, port: int | None = None, startup_timeout: float = 40, **env_vars: str):
    """Run the Procfile's web process with production settings; yields the process,
    with `url` (its base URL), `port` and `output()` (the end of what it printed).

    Pass the `port` of a server that was stopped to start it again where clients reconnect."""
    port = port or free_port()
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.live_settings",
        SECRET_KEY=settings.SECRET_KEY,  # sessions the test signs are valid on the server
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=migrated_test_database_url(),
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        DB_POOL="true",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.update(env_vars)
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{env['PATH']}"
    log = tempfile.TemporaryFile("w+")
    server = subprocess.Popen(
        ["bash", "-c", f"exec {procfile_command()}"], cwd=ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    server.url, server.port = f"http://127.0.0.1:{port}", port
    server.output = lambda: _tail(log)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            assert server.poll() is None, f"server exited: {_tail(log)}"
            try:
                with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"server did not start: {_tail(log)}"
            time.sleep(0.2)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()


def _tail(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-3000:]
