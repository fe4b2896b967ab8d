"""A real HTTP server imitating the Hub API endpoints `huggingface_hub` calls for listings.

Response shapes follow huggingface_hub's ModelInfo/DatasetInfo: `_id` and `id` always,
plus the fields asked for with `expand`; pages are linked with `Link: <...>; rel="next"`
(a `cursor` query parameter, like the Hub); every answer carries the Hub's IETF
`RateLimit`/`RateLimit-Policy` headers. Tests can queue error answers (429, 5xx), slow the
server down, make it stop answering listings part-way (`stall_listings_after`) or send
bodies a few bytes at a time (`trickle`).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlencode, urlsplit


def model_item(repo_id: str, *, downloads=10, likes=1, languages=("es",), **overrides) -> dict:
    author = repo_id.split("/")[0]
    item = {
        "_id": format(abs(hash(repo_id)) % 16**24, "024x"),
        "id": repo_id,
        "author": author,
        "createdAt": "2025-03-04T10:11:12.000Z",
        "lastModified": "2026-10-01T08:00:00.000Z",
        "downloads": downloads,
        "downloadsAllTime": downloads * 5,
        "likes": likes,
        "tags": ["transformers", "safetensors", "roberta", "fill-mask", *languages,
                 "license:apache-2.0", "region:us"],
        "pipeline_tag": "fill-mask",
        "library_name": "transformers",
        "gated": False,
        "private": False,
        "cardData": {"language": list(languages), "license": "apache-2.0"},
    }
    item.update(overrides)
    return item


def dataset_item(repo_id: str, *, downloads=5, likes=0, languages=("es",), **overrides) -> dict:
    item = {
        "_id": format(abs(hash(repo_id)) % 16**24, "024x"),
        "id": repo_id,
        "author": repo_id.split("/")[0],
        "createdAt": "2025-05-06T07:08:09.000Z",
        "lastModified": "2026-09-01T08:00:00.000Z",
        "downloads": downloads,
        "downloadsAllTime": downloads * 3,
        "likes": likes,
        "tags": ["task_categories:text-classification", *(f"language:{code}" for code in languages),
                 "license:cc-by-4.0", "size_categories:1K<n<10K", "region:us"],
        "gated": False,
        "private": False,
        "cardData": {"language": list(languages), "license": "cc-by-4.0"},
    }
    item.update(overrides)
    return item


class FakeHub:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reset(self):
        stalled = getattr(self, "released", None)
        if stalled is not None:
            stalled.set()  # let handlers stuck in a stall finish
        with self.lock:
            self.released = threading.Event()
            # Listing requests after this many get no answer at all (None: always answered).
            self.stall_listings_after: int | None = None
            # Seconds between 64-byte pieces of every body (0: sent at once).
            self.trickle = 0.0
            self.models: dict[str, list[dict]] = {}
            self.datasets: dict[str, list[dict]] = {}
            self.known_owners: set[str] = set()
            self.spaces: list[dict] = []
            self.page_size = 1000
            self.requests: list[dict] = []
            self.queued: deque = deque()
            self.delay = 0.0

    def set_owner(self, name: str, *, models=(), datasets=()):
        with self.lock:
            self.known_owners.add(name)
            self.models[name] = list(models)
            self.datasets[name] = list(datasets)

    def queue(self, status: int, headers: dict | None = None, body: str = '{"error": "boom"}', *,
              path: str | None = None):
        """The next request (to `path` only, when given) gets this answer instead of the normal one."""
        with self.lock:
            self.queued.append((status, headers or {}, body, path))

    def _take_queued(self, path: str) -> tuple[int, dict, str] | None:
        # Called under the lock. Answers for another path stay queued, in order.
        for index, answer in enumerate(self.queued):
            if answer[3] in (None, path):
                del self.queued[index]
                return answer[:3]
        return None

    def listing_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"] in ("/api/models", "/api/datasets")]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, payload, headers=None):
                body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                if "RateLimit" not in (headers or {}):
                    self.send_header("RateLimit", '"api";r=499;t=120')
                    self.send_header("RateLimit-Policy", '"fixed window";"api";q=500;w=300')
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                if not hub.trickle:
                    self.wfile.write(body)
                    return
                import time

                for start in range(0, len(body), 64):
                    if hub.released.is_set():
                        return
                    self.wfile.write(body[start:start + 64])
                    self.wfile.flush()
                    time.sleep(hub.trickle)

            def do_GET(self):
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                with hub.lock:
                    hub.requests.append(
                        {"path": parts.path, "query": query, "headers": dict(self.headers.items())}
                    )
                    queued = hub._take_queued(parts.path)
                    delay = hub.delay
                    stall = hub.stall_listings_after is not None and parts.path in (
                        "/api/models", "/api/datasets") and len(hub.listing_requests()) > hub.stall_listings_after
                    released = hub.released
                if stall:
                    released.wait(timeout=120)  # the connection stays open, silent
                    return
                if delay:
                    import time

                    time.sleep(delay)
                if queued:
                    status, headers, body = queued
                    return self._send(status, body.encode(), headers)
                if parts.path in ("/api/models", "/api/datasets", "/api/spaces"):
                    return self._listing(parts.path, query)
                for prefix in ("/api/organizations/", "/api/users/"):
                    if parts.path.startswith(prefix) and parts.path.endswith("/overview"):
                        name = parts.path[len(prefix):-len("/overview")]
                        if name in hub.known_owners:
                            return self._send(200, {
                                "name": name, "fullname": name, "avatarUrl": "", "isFollowing": False,
                                "type": "org" if "organizations" in prefix else "user",
                            })
                        return self._send(404, {"error": "Not Found"}, {"X-Error-Code": "RepoNotFound"})
                return self._send(404, {"error": "Not Found"})

            def _listing(self, path, query):
                author = query.get("author", [""])[0]
                source = hub.models if path == "/api/models" else hub.datasets
                items = source.get(author, [])
                if "filter" in query:  # e.g. base_model:<id>: every model carrying all those tags
                    wanted = set(query["filter"])
                    items = [i for owned in source.values() for i in owned if wanted <= set(i.get("tags", []))]
                if path == "/api/spaces":
                    used = query.get("models", [""])[0]
                    items = [space for space in hub.spaces if used in space.get("models", [])]
                expand = query.get("expand", [])
                limit = int(query.get("limit", [hub.page_size])[0])
                size = min(limit, hub.page_size)
                start = int(query.get("cursor", ["0"])[0])
                page = items[start:start + size]
                if expand:
                    keep = set(expand) | {"_id", "id"}
                    page = [{k: v for k, v in item.items() if k in keep} for item in page]
                headers = {}
                if start + size < len(items):
                    params = [(k, v) for k, values in query.items() if k != "cursor" for v in values]
                    params.append(("cursor", str(start + size)))
                    next_url = f"{hub.url}{path}?{urlencode(params, quote_via=quote)}"
                    headers["Link"] = f'<{next_url}>; rel="next"'
                return self._send(200, page, headers)

        return Handler


_session_hub: FakeHub | None = None


def session_hub() -> FakeHub:
    """The one imitation of a test session; it points HF_ENDPOINT at itself when started.

    Started by tests/hub/endpoint_plugin.py, so HF_ENDPOINT is set before anything
    imports huggingface_hub (which reads it at import time).
    """
    global _session_hub
    if _session_hub is None:
        import os

        _session_hub = FakeHub()
        os.environ["HF_ENDPOINT"] = _session_hub.url
    return _session_hub
