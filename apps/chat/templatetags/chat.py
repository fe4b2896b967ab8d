from django import template

from apps.chat import selectors, services

register = template.Library()


@register.inclusion_tag("chat/_panel.html", takes_context=True)
def chat_panel(context, kind: str, target, heading: str = ""):
    """The live chat of `target` (a registered room kind), for people who may read it."""
    user = context["request"].user
    room = selectors.room_with_unread(user, kind=kind, object_id=target.pk) if user.is_authenticated else None
    if room is None:  # a visitor of a public room, or the first to open it: nothing unread
        room = services.room_ensure(kind=kind, object_id=target.pk)
        room.unread = 0
    access = selectors.room_access(user, room, target=target)
    if not access.can_read:
        return {"access": None}
    return {
        "access": access,
        "heading": heading,
        "unread": room.unread,
        "request": context["request"],
    }
