"""Start real ASGI server processes on free loopback ports (for multi-process tests and benchmarks)."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.own_redis import free_port

ROOT = Path(__file__).resolve().parent.parent


def _wait_healthy(port: int, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ASGI server on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"ASGI server on port {port} did not answer /healthz in time")


@contextlib.contextmanager
def asgi_servers(
    count: int, *, env: dict[str, str], startup_seconds: float = 60, log_dir: Path | None = None, server: str = "daphne"
):
    """Yield [(port, process), ...] of `count` server processes (`daphne`, `uvicorn` with its
    defaults, or `uvicorn-nodeflate`: the Procfile's; one worker each); all are stopped on exit.
    `server@/path/to/checkout` runs that checkout's code (a baseline in the same run).

    With `log_dir`, each server's output goes to `<server>-<port>.log` there.
    """
    server, _, checkout = server.partition("@")
    label = f"{server}-{Path(checkout).name}" if checkout else server
    started: list[tuple[int, subprocess.Popen]] = []
    environment = {**os.environ, **env}
    try:
        for _ in range(count):
            port = free_port()
            log = open(log_dir / f"{label}-{port}.log", "w") if log_dir else subprocess.DEVNULL  # noqa: SIM115
            command = {
                "daphne": ["daphne", "--bind", "127.0.0.1", "--port", str(port)],
                "uvicorn": ["uvicorn", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
                # Uvicorn compresses every frame for clients that offer permessage-deflate (browsers
                # do); Daphne never negotiates it. The Procfile turns it off (this variant).
                "uvicorn-nodeflate": [
                    "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                    "--ws-per-message-deflate", "false",
                ],
            }[server]
            process = subprocess.Popen(
                [sys.executable, "-m", *command, "community.asgi:application"],
                cwd=checkout or ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            started.append((port, process))
        deadline = time.monotonic() + startup_seconds
        for port, process in started:
            _wait_healthy(port, process, deadline)
        yield started
    finally:
        for _port, process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _port, process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
