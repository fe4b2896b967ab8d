"""iCalendar files for every app that schedules things (hackathons, meetups).

Apps describe their events as `CalendarEntry` items; this module alone knows the
iCalendar format, so the files the platform hands out never drift apart.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event


def weeks_ahead(first: datetime, *, now: datetime | None = None) -> timedelta:
    """How far a copy of an event moves: whole weeks (at least one) that bring its first date
    past now, so the copy keeps its original's weekday and time of day."""
    now = now or timezone.now()
    weeks = max(1, (now - first).days // 7 + 1)
    while first + timedelta(weeks=weeks) <= now:
        weeks += 1
    return timedelta(weeks=weeks)


@dataclass(frozen=True)
class CalendarEntry:
    uid: str  # stable across downloads, e.g. "meetup-12"; the site's host is appended
    summary: str
    start: datetime
    end: datetime | None
    time_zone: str
    url: str = ""
    location: str = ""
    description: str = ""
    cancelled: bool = False
    updated_at: datetime | None = None


def _event(entry: CalendarEntry) -> Event:
    tz = zoneinfo.ZoneInfo(entry.time_zone)
    event = Event()
    event.add("uid", f"{entry.uid}@{settings.SITE_URL.split('://')[-1]}")
    event.add("summary", entry.summary)
    event.add("dtstart", timezone.localtime(entry.start, tz))
    event.add("dtend", timezone.localtime(entry.end or entry.start, tz))
    event.add("dtstamp", entry.updated_at or timezone.now())
    if entry.url:
        event.add("url", entry.url)
    if entry.location:
        event.add("location", entry.location)
    if entry.description:
        event.add("description", entry.description)
    if entry.cancelled:
        event.add("status", "CANCELLED")
    return event


def calendar_ics(*, name: str, entries: list[CalendarEntry], product: str, time_zone: str = "") -> bytes:
    """One calendar with its time zone definitions, ready to serve as text/calendar."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    if time_zone:
        calendar.add("x-wr-timezone", time_zone)
    for entry in entries:
        calendar.add_component(_event(entry))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_links(entry: CalendarEntry) -> dict[str, str]:
    """One-tap "add to calendar" links for web calendars, beside the .ics (which Apple Calendar
    and desktop programs open): each service's documented compose URL, times in UTC."""
    start, end = entry.start.astimezone(UTC), (entry.end or entry.start).astimezone(UTC)
    details = "\n\n".join(part for part in (entry.url, entry.description) if part)[:1500]
    return {
        "google": "https://calendar.google.com/calendar/render?" + urlencode({
            "action": "TEMPLATE", "text": entry.summary, "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
            "details": details, "location": entry.location, "ctz": entry.time_zone,
        }),
        "outlook": "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode({
            "path": "/calendar/action/compose", "rru": "addevent", "subject": entry.summary,
            "startdt": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "enddt": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "body": details, "location": entry.location,
        }),
    }
