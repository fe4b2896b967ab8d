"""The registry of room kinds: which objects of other apps have a room, and who may use it.

Each app that owns the objects keeps its own permission functions; chat only calls them.
A kind is registered once at start-up (`AppConfig.ready()`):

    register_room_kind(
        "hackathon",
        resolve=lambda object_id: Hackathon.objects.filter(pk=object_id).first(),
        can_read=..., can_post=..., can_moderate=..., title=..., url=..., moderators=...,
    )

`can_*` take `(user, target)`; `resolve` returns the target or None when it is gone;
`moderators(target)` returns the people told about reported messages.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class RoomKind:
    name: str
    resolve: Callable[[int], object | None]
    can_read: Callable[[object, object], bool]
    can_post: Callable[[object, object], bool]
    can_moderate: Callable[[object, object], bool]
    title: Callable[[object], str]
    url: Callable[[object], str]
    moderators: Callable[[object], Iterable]


_KINDS: dict[str, RoomKind] = {}


def register_room_kind(name: str, **functions) -> RoomKind:
    kind = RoomKind(name=name, **functions)
    _KINDS[name] = kind
    return kind


def room_kind(name: str) -> RoomKind | None:
    return _KINDS.get(name)


def registered_kinds() -> list[str]:
    return sorted(_KINDS)
