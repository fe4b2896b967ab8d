"""Which pages may open a socket: the site's own origin, compared on scheme, host and port.

Channels' AllowedHostsOriginValidator compares the host only, so a page served by anything
else on the same host (another port: a development server, an admin tool) could open a
member's sockets with their cookies.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a URL, the port filled in; None when it is not a web origin."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


def _secure(scope) -> bool:
    if scope.get("scheme") == "wss":
        return True
    # Behind a TLS proxy the server speaks plain ws; the proxy's header says what the page used.
    proxy_header = settings.SECURE_PROXY_SSL_HEADER  # Django defaults it to None
    if proxy_header:
        name, expected = proxy_header
        header = name.removeprefix("HTTP_").lower().replace("_", "-").encode()
        return _header(scope, header) == expected
    return False


def allowed_origins(scope) -> set[tuple[str, str, int]]:
    """The socket's own origin (its Host on the scheme the page used), SITE_URL's and
    CSRF_TRUSTED_ORIGINS'; a Host outside ALLOWED_HOSTS has none of its own."""
    configured = {origin_of(settings.SITE_URL), *(origin_of(url) for url in settings.CSRF_TRUSTED_ORIGINS)}
    host = _header(scope, b"host")
    if host and validate_host(split_domain_port(host)[0], settings.ALLOWED_HOSTS):
        configured.add(origin_of(f"{'https' if _secure(scope) else 'http'}://{host}"))
    configured.discard(None)
    return configured


class SameOriginValidator:
    """ASGI middleware for the WebSocket router: refuses a handshake from any other origin."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        origin = _header(scope, b"origin")
        if origin is not None and origin_of(origin) in allowed_origins(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
