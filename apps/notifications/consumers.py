from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.accounts.live import SessionBoundConsumer
from apps.core.consumers import DirectDispatch
from apps.notifications.services import user_group


class NotificationConsumer(DirectDispatch, SessionBoundConsumer, AsyncJsonWebsocketConsumer):
    """Pushes a member's new notifications to their open pages; anonymous sockets are refused."""

    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = user_group(user.id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.session_bind()  # closed when this session logs out
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        await self.session_unbind()

    async def receive_json(self, content, **kwargs):
        """The socket only listens; anything a client sends is ignored."""

    async def notification_created(self, event):
        await self.send_json(
            {"event": "created", **{key: event.get(key) for key in ("id", "kind", "title", "url", "unread")}}
        )

    async def notifications_read(self, event):
        await self.send_json({"event": "read", "unread": event["unread"]})
