"""The schedule of a hackathon as an iCalendar file, in the hackathon's own time zone."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from apps.hackathons.models import Hackathon


def _event(hackathon: Hackathon, key: str, summary: str, start, end=None, description: str = "") -> Event:
    event = Event()
    event.add("uid", f"hackathon-{hackathon.pk}-{key}@{settings.SITE_URL.split('://')[-1]}")
    event.add("summary", f"{hackathon.title}: {summary}")
    event.add("dtstart", timezone.localtime(start, hackathon.tz))
    event.add("dtend", timezone.localtime(end or start, hackathon.tz))
    event.add("dtstamp", hackathon.updated_at)
    event.add("url", f"{settings.SITE_URL}/hackathons/{hackathon.slug}/")
    if hackathon.venue:
        event.add("location", hackathon.venue)
    if description:
        event.add("description", description)
    if hackathon.state == Hackathon.State.CANCELLED:
        event.add("status", "CANCELLED")
    return event


def hackathon_ics(hackathon: Hackathon) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Hackathons//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", hackathon.title)
    calendar.add("x-wr-timezone", hackathon.timezone)
    h = hackathon
    calendar.add_component(_event(h, "registration", _("Registration"), h.registration_opens_at, h.registration_closes_at))
    calendar.add_component(
        _event(h, "hacking", _("Hacking"), h.hacking_starts_at, h.hacking_ends_at, description=h.summary)
    )
    calendar.add_component(_event(h, "judging", _("Judging"), h.hacking_ends_at, h.judging_ends_at))
    calendar.add_component(_event(h, "results", _("Results"), h.results_at))
    calendar.add_missing_timezones()
    return calendar.to_ical()
