"""Reads: who may do what in a room, the message stream, unread counts, questions."""

from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from apps.chat.models import Message, ModerationAction, Question, ReadMarker, Room
from apps.chat.rooms import room_kind
from apps.core.statements import CompiledQuery

BACKFILL_LIMIT = 500


@dataclass(frozen=True)
class RoomAccess:
    """What one member may do in one room, decided by the room kind's permission functions."""

    room: Room
    target: object | None
    can_read: bool
    can_post: bool
    can_moderate: bool
    can_answer: bool = False  # mark questions answered or hidden: moderators, and speakers where the kind says so

    @property
    def title(self) -> str:
        kind = room_kind(self.room.kind)
        return kind.title(self.target) if kind and self.target is not None else str(self.room)

    @property
    def url(self) -> str:
        kind = room_kind(self.room.kind)
        return kind.url(self.target) if kind and self.target is not None else ""


def room_access(user, room: Room, *, target=None) -> RoomAccess:
    """The one place that decides room access: read, post and moderate.

    `target` saves a query when the caller already holds the room's object.
    """
    kind = room_kind(room.kind)
    if kind is not None and target is None:
        target = kind.resolve_for(user, room.object_id) if kind.resolve_for else kind.resolve(room.object_id)
    if target is None:
        return RoomAccess(room, None, False, False, False)
    can_moderate = bool(user.is_authenticated and kind.can_moderate(user, target))
    member = bool(user.is_authenticated and kind.can_read(user, target))
    can_read = can_moderate or member or room.is_public
    # Moderators post too, unless the kind says nobody may (a cancelled event).
    may_post = (member or can_moderate) and (kind.can_post is None or kind.can_post(user, target))
    can_post = bool(may_post)
    can_answer = can_moderate or bool(member and kind.can_answer and kind.can_answer(user, target))
    return RoomAccess(room, target, can_read, can_post, can_moderate, can_answer)


def messages_with_authors():
    return Message.objects.select_related("author__profile")


def messages_after(room: Room, revision: int):
    """The first BACKFILL_LIMIT messages changed after stream number `revision`, in stream
    order (reconnect backfill; a client that gets a full batch asks for the next)."""
    return messages_with_authors().filter(room=room, revision__gt=revision).order_by("revision")[:BACKFILL_LIMIT]


def message_history(room: Room):
    """Messages newest first, for the cursor-paginated history."""
    return messages_with_authors().filter(room=room).order_by("-sequence")


def pinned_messages(room: Room):
    return messages_with_authors().filter(room=room, is_pinned=True, deleted_at__isnull=True).order_by("sequence")


def moderation_log(room: Room):
    return (
        ModerationAction.objects.filter(room=room)
        .select_related("actor", "target_user", "message")
        .order_by("-created_at")
    )


def _unread_by(user_id: int, in_rooms: Q):
    """Messages by others past the member's read marker in the rooms `in_rooms` names, counted
    per room."""
    read_up_to = ReadMarker.objects.filter(room=OuterRef("room"), user_id=user_id).values("last_read_sequence")[:1]
    return (
        Message.objects.filter(in_rooms, deleted_at__isnull=True)
        .exclude(author_id=user_id)
        .annotate(read_up_to=Coalesce(Subquery(read_up_to), Value(0), output_field=IntegerField()))
        .filter(sequence__gt=F("read_up_to"))
        .order_by()
        .values("room")
        .annotate(unread=Count("id"))
    )


def unread_counts(user, rooms: list[Room]) -> dict[int, int]:
    """Messages by others not yet read, per room, in one query."""
    if not user.is_authenticated or not rooms:
        return {}
    counts = {room.pk: 0 for room in rooms}
    counts.update({row["room"]: row["unread"] for row in _unread_by(user.pk, Q(room__in=rooms))})
    return counts


def room_with_unread(user, *, kind: str, object_id: int) -> Room | None:
    """The room of an object with the member's unread count (`unread`) in the same query, for
    the chat panel of a page; None until someone first opens it."""
    return _room_with_unread.first(user_id=user.pk, kind=kind, object_id=object_id)


def _rooms_with_unread(user_id: int, kind: str, object_id: int) -> QuerySet[Room]:
    unread = _unread_by(user_id, Q(room=OuterRef("pk"))).values("unread")
    return Room.objects.filter(kind=kind, object_id=object_id).annotate(
        unread=Coalesce(Subquery(unread), Value(0), output_field=IntegerField())
    )[:1]


# Every page with a chat panel reads it for its member: compiled once.
_room_with_unread = CompiledQuery(_rooms_with_unread, user_id=int, kind=str, object_id=int)


def questions_for(room: Room, *, include_hidden: bool):
    """Questions ordered by votes (most first), oldest first among equals."""
    questions = Question.objects.filter(room=room).select_related("author__profile")
    if not include_hidden:
        questions = questions.filter(hidden_at__isnull=True)
    return questions.order_by("-vote_count", "created_at")


def voted_question_ids(user, room: Room) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Question.objects.filter(room=room, votes__user=user).values_list("id", flat=True))


def readable_rooms(user, rooms: list[Room]) -> list[RoomAccess]:
    return [access for access in (room_access(user, room) for room in rooms) if access.can_read]

