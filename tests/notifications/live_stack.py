"""Real processes for the notification tests and benchmark: an SMTP sink and a Celery
worker in its own process (a private redis-server is tests/own_redis.py's)."""

import asyncio
import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.own_redis import free_port

ROOT = Path(__file__).resolve().parents[2]


class SmtpSink:
    """A real SMTP server that accepts every message and counts them per recipient
    (and keeps each envelope, sender, recipients and bytes, when asked to).

    `script(command, action, nth=1)` makes it misbehave at the nth MAIL, RCPT or DATA
    (DATA: once the message's final dot arrived, before the reply): `"hold"` stops there
    until `release()` (`held` is set meanwhile), `"cut"` closes the connection without an
    answer, any other action is the reply sent instead of 250 (`"451 Try later"`). A
    message counts as received once its data arrived, even if the reply never leaves.
    """

    def __init__(self, *, keep: bool = False):
        self.received = Counter()
        self.envelopes = [] if keep else None
        self._lock = threading.Lock()
        self._script: dict[tuple[str, int], str] = {}
        self._seen = Counter()
        self.held = threading.Event()
        self._released = threading.Event()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command otherwise

    def script(self, command: str, action: str, *, nth: int = 1) -> "SmtpSink":
        self._script[command, nth] = action
        return self

    def release(self) -> None:
        self._released.set()

    def _next(self, command: str) -> str | None:
        """What the script says about this command's next occurrence."""
        with self._lock:
            self._seen[command] += 1
            return self._script.get((command, self._seen[command]))

    async def _perform(self, action: str | None, server) -> str | None:
        """The reply the script wants instead of 250, or None to answer 250."""
        if action == "hold":
            self.held.set()
            while not self._released.is_set():
                await asyncio.sleep(0.02)
            return None
        if action == "cut":
            server.transport.close()
            return "421 Cut"  # never reaches the client: the transport is closed
        return action

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        """Announces PIPELINING, as Postfix does: aiosmtpd reads pipelined commands in turn."""
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if reply := await self._perform(self._next("MAIL"), server):
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if reply := await self._perform(self._next("RCPT"), server):
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        action = self._next("DATA")
        if action is None or action in ("hold", "cut"):  # the data is here; a refusal drops it
            with self._lock:
                self.received.update(envelope.rcpt_tos)
                if self.envelopes is not None:
                    self.envelopes.append((envelope.mail_from, envelope.rcpt_tos, envelope.original_content))
        return await self._perform(action, server) or "250 OK"

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.received.values())

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self.release()
        self._controller.stop()

    @property
    def email_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


class WorkerProcess:
    """`celery worker` as a child process of its own session (so SIGKILL takes its children too).

    `procfile` names a Procfile process (`worker`, `mailer`) to run its command line as
    is, through the shell that expands its ${VAR:-default}s, with `extra` appended.
    """

    def __init__(self, *, database_url: str, redis_url: str, email_url: str, concurrency: int = 2,
                 pool: str = "prefork", extra: tuple[str, ...] = (), procfile: str | None = None):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "community.settings.test",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": email_url,
        }
        self.args = [
            sys.executable, "-m", "celery", "-A", "community", "worker", "--pool", pool,
            "--concurrency", str(concurrency), "--loglevel", "WARNING", "--without-heartbeat",
            "--without-gossip", "--without-mingle", *extra,
        ]
        if procfile is not None:
            from tests.asgi_server import procfile_command

            self.args = ["bash", "-c", f"exec {procfile_command(procfile)} {shlex.join(extra)}"]
            self.env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{self.env.get('PATH', '')}"
        self.process = None

    def start(self, *, output=None) -> "WorkerProcess":
        """`output`: a file for the worker's log (its terminal by default)."""
        self.process = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, start_new_session=True, stdout=output, stderr=output
        )
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool children: no goodbye, no acks, no cleanup."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(condition, *, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


async def wait_until_async(condition, *, timeout: float, step: float = 0.05) -> bool:
    """`wait_until` inside an event loop: `condition` is a coroutine function, and the loop
    keeps running what the test waits for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await condition():
            return True
        await asyncio.sleep(step)
    return await condition()


@contextmanager
def redis_at(url: str, settings):
    """Point this process's broker and channel layer at another Redis for a while."""
    from channels.layers import channel_layers

    from community.celery import app

    def reset():
        # Celery caches its broker connections; dropping them is what it does after a fork.
        app._pool = None
        app.amqp._producer_pool = None
        channel_layers.backends.clear()

    shared_broker = app.conf.broker_url
    layers = settings.CHANNEL_LAYERS
    app.conf.broker_url = url
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [url]}}
    }
    reset()
    try:
        yield
    finally:
        app.conf.broker_url = shared_broker
        settings.CHANNEL_LAYERS = layers
        reset()
