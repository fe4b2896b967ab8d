"""The chat socket: authenticate, parse a frame, call a service, pass broadcasts on.

Close codes: 4401 no session (not logged in, or it ended: apps.accounts.live), 4403 not
allowed (or access lost), 4404 no such room, 4410 room closed.
"""

import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from apps.accounts.live import CLOSE_CODE as CLOSE_NO_SESSION
from apps.accounts.live import SessionBoundConsumer
from apps.accounts.selectors import named_people
from apps.chat import presence, selectors, services
from apps.chat.metrics import CHAT_FRAMES
from apps.chat.models import Room
from apps.chat.payloads import message_payload
from apps.core.consumers import DirectDispatch
from apps.core.frames import Frame, Integer, Rate, Text, ValidatedFrames
from apps.core.relay import RelayedSocket

logger = logging.getLogger(__name__)

CLOSE_NOT_ALLOWED = 4403
CLOSE_NO_ROOM = 4404
CLOSE_ROOM_CLOSED = 4410
PRESENCE_NAMES = 100
TYPING_RATE = Rate(3, 10)  # relayed typing frames per socket: a burst of 3, then one every 3 s
RESUME_RATE = Rate(5, 60)


@database_sync_to_async
def _load_access(user, room_id: int):
    room = Room.objects.filter(pk=room_id).first()
    return None if room is None else selectors.room_access(user, room)


@database_sync_to_async
def _names(user_ids: list[int]) -> list[dict]:
    return [{"id": user.pk, "name": user.public_name} for user in named_people().filter(pk__in=user_ids)]


@database_sync_to_async
def _public_name(user) -> str:
    """Read once per socket; the profile stays cached on the user, so the frames of every
    message it sends name the author without another query."""
    return user.public_name


class ChatConsumer(DirectDispatch, ValidatedFrames, RelayedSocket, SessionBoundConsumer, AsyncJsonWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        CHAT_FRAMES.inc()
        await super().receive(text_data, bytes_data, **kwargs)

    async def connect(self):
        self.user = self.scope["user"]
        self.room_id = int(self.scope["url_route"]["kwargs"]["room_id"])
        access = await _load_access(self.user, self.room_id)
        if access is None:
            await self.close(code=CLOSE_NO_ROOM)
            return
        if not self.user.is_authenticated and not access.room.is_public:
            await self.close(code=CLOSE_NO_SESSION)
            return
        if not access.can_read:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        if access.room.closed_at is not None:
            await self.close(code=CLOSE_ROOM_CLOSED)
            return
        self.access = access
        self.group = access.room.group_name
        # The room's broadcasts come through this process's relay (apps.core.relay) into the
        # outbox; they are handled after the hello, in order, by the outbox's own task.
        await self.relay_open(self.group)
        await self.session_bind()  # closed when this session ends
        if self.user.is_authenticated:
            self.public_name = await _public_name(self.user)
            await presence.presence_touch(self.room_id, self.user.pk, self.channel_name)
        await self.accept()
        online = await self._online()
        await self.send_json(
            {
                "type": "hello",
                "room": services.room_state_payload(access.room),
                "can_post": access.can_post,
                "can_moderate": access.can_moderate,
                "me": self.user.pk,
                **online,
            }
        )
        self.relay_deliver()
        await self._announce_presence(online)

    async def disconnect(self, code):
        if not hasattr(self, "group"):
            return
        await self.relay_close()
        await self.session_unbind()
        if self.user.is_authenticated:
            await presence.presence_leave(self.room_id, self.user.pk, self.channel_name)
            await self._announce_presence(await self._online())

    async def _online(self) -> dict:
        """Who is online: the count and up to PRESENCE_NAMES of them by name."""
        user_ids = await presence.online_user_ids(self.room_id)
        return {"online": await _names(user_ids[:PRESENCE_NAMES]), "online_count": len(user_ids)}

    async def _announce_presence(self, online: dict):
        """Joins and leaves are pushed to everyone only in small rooms: in a big one that
        would be a frame to every member per arrival (n² at the start of a talk); there
        the list refreshes with each client's ping instead."""
        if online["online_count"] <= settings.CHAT_PRESENCE_BROADCAST_MAX:
            await self.channel_layer.group_send(self.group, {"type": "chat.presence", **online})

    # --- frames from the client ----------------------------------------------------
    # Parsed, checked and rate-limited by ValidatedFrames (apps/core/frames.py). A client
    # types at most every 3 s, pings every 25 s and resumes once per reconnect or gap (a
    # resume backfills at most selectors.BACKFILL_LIMIT messages; the client asks again).

    frames = {
        # The body's length is the service's to judge, with its own message.
        "send": Frame({"client_id": Text(max_length=64), "body": Text(max_length=None)}),
        "edit": Frame(
            {"message_id": Integer(minimum=1), "body": Text(max_length=None)},
            rate=Rate(10, 10),
        ),
        "delete": Frame({"message_id": Integer(minimum=1)}, rate=Rate(10, 10)),
        "resume": Frame({"after": Integer(required=False)}, rate=RESUME_RATE),
        "typing": Frame(rate=TYPING_RATE),
        "read": Frame({"sequence": Integer(required=False)}, rate=Rate(10, 10)),
        "ping": Frame(rate=Rate(20, 20)),
    }

    async def frame_send(self, values):
        # Off the process's single sync thread: sends from many sockets write in parallel
        # (the room row lock still orders them); each socket's own frames stay sequential.
        message, created = await database_sync_to_async(services.message_send, thread_sensitive=False)(
            user=self.user, room=self.access.room, client_id=values["client_id"], body=values["body"]
        )
        # The broadcast reaches this socket too; a resend gets the stored copy directly.
        if not created:
            await self.send_json({"type": "message", "message": await database_sync_to_async(message_payload)(message)})

    async def frame_edit(self, values):
        await database_sync_to_async(services.message_edit)(
            user=self.user, message_id=values["message_id"], body=values["body"]
        )

    async def frame_delete(self, values):
        await database_sync_to_async(services.message_delete)(user=self.user, message_id=values["message_id"])

    async def frame_resume(self, values):
        """Everything after the client's last stream number, from the database."""
        after = values["after"]
        payloads = await database_sync_to_async(
            lambda: [message_payload(m) for m in selectors.messages_after(self.access.room, after)]
        )()
        last = payloads[-1]["revision"] if payloads else after
        await self.send_json({"type": "backfill", "after": after, "messages": payloads, "up_to": last})

    async def frame_typing(self, values):
        if self.access.can_post:
            await self.channel_layer.group_send(
                self.group, {"type": "chat.typing", "user": {"id": self.user.pk, "name": self.public_name}}
            )

    async def frame_read(self, values):
        await database_sync_to_async(services.read_mark)(user=self.user, room=self.access.room, sequence=values["sequence"])

    async def frame_ping(self, values):
        """Clients ping every 25 s: refresh presence and re-check session and access."""
        if not await self._still_allowed():
            return
        if self.user.is_authenticated:
            await presence.presence_touch(self.room_id, self.user.pk, self.channel_name)
        await self.send_json({"type": "presence", **await self._online()})

    async def _still_allowed(self) -> bool:
        if not await self.session_still_valid():
            return False
        access = await _load_access(self.user, self.room_id)
        if access is None or not access.can_read:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return False
        if access.room.closed_at is not None:
            await self.close(code=CLOSE_ROOM_CLOSED)
            return False
        self.access = access
        return True

    # --- broadcasts from the channel layer -------------------------------------------

    async def chat_message(self, event):
        await self.send(text_data=event["text"])  # encoded once by the sender for every socket

    async def chat_room(self, event):
        if event["room"]["closed"]:
            await self.close(code=CLOSE_ROOM_CLOSED)
            return
        self.access = await _load_access(self.user, self.room_id)
        await self.send_json({"type": "room", "room": event["room"], "can_post": self.access.can_post})

    async def chat_typing(self, event):
        if event["user"]["id"] != self.user.pk:
            await self.send_json({"type": "typing", "user": event["user"]})

    async def chat_presence(self, event):
        await self.send_json({"type": "presence", "online": event["online"], "online_count": event["online_count"]})

    async def chat_question(self, event):
        # Two encodings: moderators see who asked an anonymous question, others do not.
        await self.send(text_data=event["moderator_text"] if self.access.can_moderate else event["text"])

    async def chat_access(self, event):
        if self.user.pk in event["user_ids"]:
            await self._still_allowed()
