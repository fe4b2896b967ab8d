"""Meetups as iCalendar: one event, a chapter's feed, a member's personal feed."""

from django.conf import settings
from django.urls import reverse

from apps.core.calendar import CalendarEntry, calendar_ics, calendar_links
from apps.meetups.models import Event


def _entry(event: Event, with_hidden: bool) -> CalendarEntry:
    show = with_hidden or event.address_visibility == Event.AddressVisibility.EVERYONE
    place = ", ".join(part for part in (event.venue, event.address if show else "") if part)
    online = event.online_url if show else ""
    return CalendarEntry(
        uid=f"meetup-{event.pk}",
        summary=event.title,
        start=event.starts_at,
        end=event.ends_at,
        time_zone=event.timezone,
        url=settings.SITE_URL + reverse("meetups:event", args=[event.slug]),
        location=place or online,
        description="\n\n".join(part for part in (event.description, online) if part),
        cancelled=event.state == Event.State.CANCELLED,
        updated_at=event.updated_at,
    )


def events_ics(events, *, name: str, with_hidden: bool = False) -> bytes:
    """`with_hidden` adds addresses kept for attendees (the caller checked `can_see_location`)."""
    events = list(events)
    return calendar_ics(
        name=name, entries=[_entry(e, with_hidden) for e in events], product="Meetups",
        time_zone=events[0].timezone if len(events) == 1 else "",
    )


def event_calendar_links(event: Event, *, with_hidden: bool) -> dict[str, str]:
    """Google and Outlook links for the event page, with the place only for those who may see it."""
    return calendar_links(_entry(event, with_hidden))
