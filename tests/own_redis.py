"""A redis-server a test owns: started on a free loopback port, then stopped, frozen, paused
or started again on the same port (where clients reconnect), with no data kept across a restart.

The shared Redis of the suite is never touched. `TEST_PORTS=8100-8199` in the environment
makes it, and every other server a test or benchmark starts, take its port from that range
(for several people testing on one machine); otherwise the system picks a free one.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import time

import redis


def free_port() -> int:
    """A loopback port nothing listens on now, from TEST_PORTS when it is set."""
    span = os.environ.get("TEST_PORTS", "")
    if span:
        low, high = (int(part) for part in span.split("-"))
        candidates = list(range(low, high + 1))
        random.shuffle(candidates)
        for port in candidates:
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
        raise RuntimeError(f"no free port in TEST_PORTS={span}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """`start()` again after `stop()` comes back on the same port and URL, empty: nothing is saved."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> OwnRedis:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed: the Redis-outage tests need it"
        self.process = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return self
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "own redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
            self.process.terminate()
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        """The process stops answering without closing a connection (SIGSTOP)."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def pause_writes(self, seconds: float) -> None:
        """Reads answered, writes held for `seconds` (CLIENT PAUSE … WRITE): a Redis busy
        failing over or saving, as a client sees it."""
        client = redis.Redis.from_url(self.url)
        try:
            client.execute_command("CLIENT", "PAUSE", int(seconds * 1000), "WRITE")
        finally:
            client.close()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2)
