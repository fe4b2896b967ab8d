"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings.local")


class OneThreadHopASGIHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain built for synchronous calls and entered
    from the event loop once per request.

    Django builds the chain for asynchronous calls and adapts each change of kind: below our
    synchronous middleware it went back to the event loop for its asynchronous response path,
    then into a thread again for the (synchronous) view, twice more per request (1.0-1.5 ms of
    CPU on a member's page, docs/benchmarks.md). Every view and middleware here is
    synchronous; an asynchronous view would still run, adapted by Django's synchronous path.
    `ASGIHandler` is not a public API: check this class when upgrading Django."""

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)


# Django must be set up before anything imports models (the consumers do).
django.setup(set_prefix=False)
django_asgi_app = OneThreadHopASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from django.conf import settings  # noqa: E402

from apps.core.heap import freeze_heap_after  # noqa: E402
from apps.core.metrics import SocketsOpenMetric  # noqa: E402
from apps.core.origins import SameOriginValidator  # noqa: E402
from community.routing import websocket_urlpatterns  # noqa: E402

freeze_heap_after(settings.GC_FREEZE_AFTER_REQUESTS)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SocketsOpenMetric(SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))),
    }
)
