from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.accounts.live import CLOSE_CODE, SessionBoundConsumer
from apps.core.consumers import DirectDispatch
from apps.core.frames import Frame, Rate, ValidatedFrames
from apps.core.relay import RelayedSocket
from apps.notifications.selectors import unread_count
from apps.notifications.services import user_group


class NotificationConsumer(DirectDispatch, ValidatedFrames, RelayedSocket, SessionBoundConsumer, AsyncJsonWebsocketConsumer):
    """Pushes a member's new notifications to their open pages; anonymous sockets are refused.

    A member's pushes reach a server process once, through its relay, whatever the number
    of their pages open there (each tab is a socket)."""

    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=CLOSE_CODE)
            return
        await self.relay_open(user_group(user.id))
        await self.session_bind()  # closed when this session logs out
        await self.accept()
        self.relay_deliver()

    async def disconnect(self, code):
        await self.relay_close()
        await self.session_unbind()

    frames = {"ping": Frame(rate=Rate(20, 20))}

    async def frame_ping(self, values):
        """Clients ping on (re)connecting and every 25 s: re-check the session, answer with
        the unread count, which is all a badge needs to resume after missing pushes."""
        if await self.session_still_valid():
            unread = await database_sync_to_async(unread_count)(user=self.scope["user"])
            await self.send_json({"event": "unread", "unread": unread})

    async def notification_created(self, event):
        await self.send_json(
            {"event": "created", **{key: event.get(key) for key in ("id", "kind", "title", "url", "unread")}}
        )

    async def notifications_read(self, event):
        await self.send_json({"event": "read", "unread": event["unread"]})
