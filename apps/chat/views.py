"""Pages: a room on its own (phones, a second window) and the Q&A big-screen view."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from apps.chat import selectors
from apps.chat.models import Room
from apps.core.qr import qr_svg


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
    """Questions by votes in large type for the room's projector; updates live. A QR code takes
    people in the room to the page where they ask and vote."""
    access = _readable(request, room_id)
    join_url = settings.SITE_URL + reverse("chat:room", args=[access.room.pk])
    join_qr = mark_safe(qr_svg(join_url, in_html=True).decode())  # noqa: S308 (segno's own SVG, no user text)
    return render(request, "chat/screen.html", {"access": access, "join_url": join_url, "join_qr": join_qr})
