"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings.local")


class RequestThreads:
    """Threads for requests' synchronous code, each serving one request at a time, kept for the next.

    Django's handler starts a thread for every request and another to join it when the request
    ends (about 1.4 ms of CPU per request, docs/benchmarks.md). A thread here is lent to one
    request and returned only after everything that request left on it has finished (a view
    still running after its client went away), so no two requests ever share a thread, nor the
    database connection and transaction that belong to it."""

    def __init__(self, keep: int):
        self._idle: deque[ThreadPoolExecutor] = deque()
        self._keep = keep

    def lend(self) -> ThreadPoolExecutor:
        try:
            return self._idle.pop()
        except IndexError:
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")

    def give_back(self, thread: ThreadPoolExecutor) -> None:
        # Queued behind the request's own work: runs on that thread once all of it is done.
        thread.submit(self._idle_again, thread)

    def _idle_again(self, thread: ThreadPoolExecutor) -> None:
        if len(self._idle) < self._keep:
            self._idle.append(thread)
        else:
            thread.shutdown(wait=False)


class OneThreadHopASGIHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain built for synchronous calls and entered
    from the event loop once per request.

    Django builds the chain for asynchronous calls and adapts each change of kind: below our
    synchronous middleware it went back to the event loop for its asynchronous response path,
    then into a thread again for the (synchronous) view, twice more per request (1.0-1.5 ms of
    CPU on a member's page, docs/benchmarks.md). Every view and middleware here is
    synchronous; an asynchronous view would still run, adapted by Django's synchronous path.
    The thread a request runs in is lent by `RequestThreads` rather than started for it.
    `ASGIHandler` is not a public API: check this class when upgrading Django."""

    def __init__(self, threads_kept: int):
        super().__init__()
        self.threads = RequestThreads(keep=threads_kept)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP here, not {scope['type']}.")
        thread = self.threads.lend()
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            self.threads.give_back(thread)

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)


# Django must be set up before anything imports models (the consumers do).
django.setup(set_prefix=False)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from django.conf import settings  # noqa: E402

from apps.core.heap import freeze_heap_after  # noqa: E402
from apps.core.metrics import SocketsOpenMetric  # noqa: E402
from apps.core.origins import SameOriginValidator  # noqa: E402
from community.routing import websocket_urlpatterns  # noqa: E402

django_asgi_app = OneThreadHopASGIHandler(threads_kept=settings.WEB_REQUEST_THREADS_KEPT)
freeze_heap_after(settings.GC_FREEZE_AFTER_REQUESTS)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SocketsOpenMetric(SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))),
    }
)
