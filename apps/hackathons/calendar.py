"""The schedule of a hackathon as an iCalendar file, in the hackathon's own time zone."""

from django.conf import settings
from django.utils.translation import gettext as _

from apps.core.calendar import CalendarEntry, calendar_ics, calendar_links
from apps.hackathons.models import Hackathon


def hackathon_ics(hackathon: Hackathon) -> bytes:
    h = hackathon
    milestones = [
        ("registration", _("Registration"), h.registration_opens_at, h.registration_closes_at, ""),
        ("hacking", _("Hacking"), h.hacking_starts_at, h.hacking_ends_at, h.summary),
        ("judging", _("Judging"), h.hacking_ends_at, h.judging_ends_at, ""),
        ("results", _("Results"), h.results_at, None, ""),
    ]
    entries = [
        CalendarEntry(
            uid=f"hackathon-{h.pk}-{key}",
            summary=f"{h.title}: {label}",
            start=start,
            end=end,
            time_zone=h.timezone,
            url=f"{settings.SITE_URL}/hackathons/{h.slug}/",
            location=h.venue,
            description=description,
            cancelled=h.state == Hackathon.State.CANCELLED,
            updated_at=h.updated_at,
        )
        for key, label, start, end, description in milestones
    ]
    return calendar_ics(name=h.title, entries=entries, product="Hackathons", time_zone=h.timezone)


def hackathon_calendar_links(hackathon: Hackathon) -> dict[str, str]:
    """Google and Outlook links for the hacking days, the part people block in their calendars."""
    h = hackathon
    return calendar_links(CalendarEntry(
        uid=f"hackathon-{h.pk}-hacking", summary=h.title, start=h.hacking_starts_at, end=h.hacking_ends_at,
        time_zone=h.timezone, url=f"{settings.SITE_URL}/hackathons/{h.slug}/", location=h.venue, description=h.summary,
    ))
