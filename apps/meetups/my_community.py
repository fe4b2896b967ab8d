"""Meetups' share of "My community": places held, offered or queued, talks to give."""

from django.utils.translation import gettext as _

from apps.core.my_community import Deadline, MyCommunityPart
from apps.meetups.models import Rsvp
from apps.meetups.selectors import my_upcoming_rsvps, my_upcoming_talks


def meetups_part(*, user, now, horizon) -> MyCommunityPart:
    meetup_places = list(my_upcoming_rsvps(user))
    talks = list(my_upcoming_talks(user))
    deadlines = []
    for rsvp in meetup_places:
        event = rsvp.event
        if rsvp.status == Rsvp.Status.OFFERED and rsvp.offer_expires_at:
            deadlines.append(Deadline(rsvp.offer_expires_at, _("Confirm your place"), event.title,
                                      f"/meetups/events/{event.slug}/"))
        elif rsvp.status == Rsvp.Status.GOING and event.starts_at <= horizon:
            deadlines.append(Deadline(event.starts_at, _("Meetup"), event.title, f"/meetups/events/{event.slug}/"))
    offered = sum(1 for rsvp in meetup_places if rsvp.status == Rsvp.Status.OFFERED)
    return MyCommunityPart({"meetup_places": meetup_places, "talks": talks}, deadlines, to_do=offered)
