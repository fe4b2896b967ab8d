"""CPU per request in one web process, through the ASGI application (`community.asgi`).

The stack benchmark (`bench/stack.py`) measures requests per second of the whole machine,
which drifts by tens of percent between runs here. This one calls the application in a loop,
with no server and no load generator, and reads the process's CPU time (all its threads)
around each request: a before/after of a change to a page's Python, steadier than `wrk`.
Run it on the database `bench.stack` seeded, once per checkout to compare, in turns:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/community_s1 REDIS_URL=redis://127.0.0.1:6379/12 \\
      .venv/bin/python -m bench.request_cpu /talent/ /hackathons/hackaton-educacion-1999/

Each URL is requested as one of the seed's members (or, with `--visitor`, without a session).
"""

import argparse
import asyncio
import statistics
import threading
import time

from bench.stack import bench_database_url, configure_environment


async def _get(application, path: str, cookie: str) -> int:
    path, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"accept-language", b"es"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
    }
    request_sent = asyncio.Event()
    status = []

    async def receive():
        if not request_sent.is_set():
            request_sent.set()
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client never leaves

    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await application(scope, receive, send)
    return status[0]


async def _measure(application, paths: list[str], cookie: str, requests: int) -> None:
    for path in paths:
        for _ in range(20):  # templates, translations and compiled statements loaded
            status = await _get(application, path, cookie)
        spent = []
        for _ in range(requests):
            started = time.process_time()
            status = await _get(application, path, cookie)
            spent.append((time.process_time() - started) * 1000)
        spent.sort()
        print(f"{path}: HTTP {status}, CPU per request median {statistics.median(spent):.2f} ms, "
              f"p10 {spent[len(spent) // 10]:.2f} ms, p90 {spent[len(spent) * 9 // 10]:.2f} ms ({requests} requests)")


def _member_cookie() -> str:
    from bench.stack import member_sessions

    cookie = []
    # The ORM refuses to run inside the event loop: the session is made beforehand, in a thread.
    worker = threading.Thread(target=lambda: cookie.extend(member_sessions(5)))
    worker.start()
    worker.join()
    return cookie[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--visitor", action="store_true", help="without a session")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    configure_environment(bench_database_url())
    from community.asgi import application
    from django.core.management import call_command

    call_command("collectstatic", verbosity=0, interactive=False)  # pages name their files by hash

    cookie = "" if args.visitor else _member_cookie()
    asyncio.run(_measure(application, args.paths, cookie, args.requests))


if __name__ == "__main__":
    main()
