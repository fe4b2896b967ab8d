"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings.local")

# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

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
