"""Who may do what with chapters, events and talks: every per-object check of the app.

The chat app plugs the `can_*_room` functions in for meetup and chapter rooms.
"""

from apps.accounts.roles import ORGANISERS, has_role
from apps.meetups.models import Chapter, ChapterMembership, Event, Rsvp, Talk


def _cached(obj, key: str, compute):
    cache = obj.__dict__.setdefault("_permission_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _ids(obj, relation: str) -> set[int]:
    prefetched = getattr(obj, "_prefetched_objects_cache", {}).get(relation)
    if prefetched is not None:
        return {person.id for person in prefetched}
    return set(getattr(obj, relation).values_list("id", flat=True))


def can_create_chapter(user) -> bool:
    return user.is_authenticated and user.is_staff


def can_create_event(user) -> bool:
    """Platform organisers create one-off events; chapter organisers create their chapter's."""
    return has_role(user, ORGANISERS) or (user.is_authenticated and user.organised_chapters.exists())


def is_chapter_organiser(user, chapter: Chapter | None) -> bool:
    if chapter is None or not user.is_authenticated:
        return False
    return user.is_staff or user.id in _cached(chapter, "organisers", lambda: _ids(chapter, "organisers"))


def is_chapter_member(user, chapter: Chapter) -> bool:
    if not user.is_authenticated:
        return False
    return _cached(
        chapter, f"member:{user.id}", lambda: ChapterMembership.objects.filter(chapter=chapter, user=user).exists()
    )


def is_organiser(user, event: Event) -> bool:
    """The event's organisers, its chapter's organisers and staff manage it."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.id in _cached(event, "organisers", lambda: _ids(event, "organisers")):
        return True
    return event.chapter_id is not None and is_chapter_organiser(user, event.chapter)


def rsvp_of(user, event: Event) -> Rsvp | None:
    if not user.is_authenticated:
        return None
    return _cached(event, f"rsvp:{user.id}", lambda: Rsvp.objects.filter(event=event, user=user).first())


def is_going(user, event: Event) -> bool:
    rsvp = rsvp_of(user, event)
    return rsvp is not None and rsvp.status == Rsvp.Status.GOING


def is_speaker(user, event: Event) -> bool:
    if not user.is_authenticated:
        return False
    return _cached(event, f"speaker:{user.id}", lambda: event.talks.filter(speakers=user).exists())


def can_view_event(user, event: Event) -> bool:
    return event.state != Event.State.DRAFT or is_organiser(user, event)


def can_manage_event(user, event: Event) -> bool:
    return is_organiser(user, event)


def can_see_location(user, event: Event) -> bool:
    """The address and the call link, when organisers keep them for confirmed attendees."""
    if event.address_visibility == Event.AddressVisibility.EVERYONE:
        return True
    return is_going(user, event) or is_speaker(user, event) or is_organiser(user, event)


def can_manage_chapter(user, chapter: Chapter) -> bool:
    return is_chapter_organiser(user, chapter)


def can_decide_talk(user, talk: Talk) -> bool:
    return is_chapter_organiser(user, talk.chapter) or (talk.event is not None and is_organiser(user, talk.event))


# Chat rooms (used by apps.chat once merged).

def can_view_event_room(user, event: Event) -> bool:
    """Attendees going, speakers and organisers read an event's room."""
    if not user.is_authenticated or not can_view_event(user, event):
        return False
    return is_going(user, event) or is_speaker(user, event) or is_organiser(user, event)


def can_post_in_event_room(user, event: Event) -> bool:
    """Same people as may read, while the event is not cancelled."""
    return event.state != Event.State.CANCELLED and can_view_event_room(user, event)


def can_view_chapter_room(user, chapter: Chapter) -> bool:
    return is_chapter_member(user, chapter) or is_chapter_organiser(user, chapter)


def can_post_in_chapter_room(user, chapter: Chapter) -> bool:
    return can_view_chapter_room(user, chapter)
