"""Pages: a room on its own (phones, a second window) and the Q&A big-screen view."""

from django.http import Http404
from django.shortcuts import render

from apps.chat import selectors
from apps.chat.models import Room


def _readable(request, room_id: int) -> selectors.RoomAccess:
    room = Room.objects.filter(pk=room_id).first()
    access = selectors.room_access(request.user, room) if room else None
    if access is None or not access.can_read:
        raise Http404
    return access


def room_page(request, room_id: int):
    access = _readable(request, room_id)
    unread = selectors.unread_counts(request.user, [access.room]).get(access.room.pk, 0)
    return render(request, "chat/room.html", {"access": access, "unread": unread})


def question_screen(request, room_id: int):
    """Questions by votes in large type for the room's projector; updates live."""
    return render(request, "chat/screen.html", {"access": _readable(request, room_id)})
