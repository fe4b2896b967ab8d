"""The registry of room kinds: which objects of other apps have a room, and who may use it.

Each app that owns the objects keeps its own permission functions; chat only calls them.
A kind is registered once at start-up (`AppConfig.ready()`):

    register_room_kind(
        "hackathon",
        resolve=lambda object_id: Hackathon.objects.filter(pk=object_id).first(),
        can_read=..., can_post=..., can_moderate=..., title=..., url=..., moderators=...,
    )

`can_*` take `(user, target)` (`can_post` may be left out: readers post; `can_answer` too:
only moderators answer questions); `resolve`
returns the target or None when it is gone; `resolve_for(user, object_id)`, if given, returns
it with what the `can_*` functions need to know about `user` loaded in the same query;
`moderators(target)` returns the people told about reported messages.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models.signals import post_save


@dataclass(frozen=True)
class RoomKind:
    name: str
    resolve: Callable[[int], object | None]
    can_read: Callable[[object, object], bool]
    can_moderate: Callable[[object, object], bool]
    title: Callable[[object], str]
    url: Callable[[object], str]
    moderators: Callable[[object], Iterable]
    # None: everyone who may read (and is not muted) may post.
    can_post: Callable[[object, object], bool] | None = None
    # Readers who, besides moderators, mark questions answered or hide them (a talk's speakers).
    can_answer: Callable[[object, object], bool] | None = None
    # `resolve` plus the viewer's roles in one query (access is checked on every message).
    resolve_for: Callable[[object, int], object | None] | None = None


_KINDS: dict[str, RoomKind] = {}


def register_room_kind(name: str, *, model=None, **functions) -> RoomKind:
    """Register a kind; with `model`, each new object of it gets its room when it is created."""
    kind = RoomKind(name=name, **functions)
    _KINDS[name] = kind
    if model is not None:
        post_save.connect(_create_room(name), sender=model, weak=False, dispatch_uid=f"chat-room-{name}")
    return kind


def _create_room(name: str):
    def create(sender, instance, created, **kwargs):
        if created:
            from apps.chat.models import Room

            Room.objects.get_or_create(kind=name, object_id=instance.pk)

    return create


def room_kind(name: str) -> RoomKind | None:
    return _KINDS.get(name)


def registered_kinds() -> list[str]:
    return sorted(_KINDS)
