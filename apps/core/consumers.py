from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.core.frames import ValidatedFrames


class DirectDispatch:
    """Channels' dispatch without its `aclose_old_connections()` before every handler.

    That is a trip to the process's one sync thread for every frame to every socket (a
    500-member room at 20 messages a second: 10,000 a second, queued behind each other and
    behind the database work), and it was most of the fan-out's cost. For consumers whose
    database calls all go through `database_sync_to_async`, which closes stale connections
    in its own thread."""

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


class HealthConsumer(ValidatedFrames, AsyncJsonWebsocketConsumer):
    """Answers on connect, so operators can check WebSockets pass their proxies.

    It also round-trips a message through the channel layer, which proves the
    layer that carries chat between web processes is working. It takes no frames.
    """

    async def connect(self):
        await self.accept()
        await self.channel_layer.send(self.channel_name, {"type": "health.echo"})

    async def health_echo(self, event):
        await self.send_json(
            {"status": "ok", "authenticated": self.scope["user"].is_authenticated}
        )
        await self.close()
