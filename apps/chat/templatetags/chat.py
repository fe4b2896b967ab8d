from django import template

from apps.chat import selectors, services

register = template.Library()


@register.inclusion_tag("chat/_panel.html", takes_context=True)
def chat_panel(context, kind: str, target, heading: str = ""):
    """The live chat of `target` (a registered room kind), for people who may read it."""
    user = context["request"].user
    room = services.room_ensure(kind=kind, object_id=target.pk)
    access = selectors.room_access(user, room, target=target)
    if not access.can_read:
        return {"access": None}
    return {
        "access": access,
        "heading": heading,
        "unread": selectors.unread_counts(user, [room]).get(room.pk, 0),
        "request": context["request"],
    }
