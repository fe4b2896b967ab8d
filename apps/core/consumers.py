from channels.generic.websocket import AsyncJsonWebsocketConsumer


class HealthConsumer(AsyncJsonWebsocketConsumer):
    """Answers on connect, so operators can check WebSockets pass their proxies.

    It also round-trips a message through the channel layer, which proves the
    layer that carries chat between web processes is working.
    """

    async def connect(self):
        await self.accept()
        await self.channel_layer.send(self.channel_name, {"type": "health.echo"})

    async def health_echo(self, event):
        await self.send_json(
            {"status": "ok", "authenticated": self.scope["user"].is_authenticated}
        )
        await self.close()
