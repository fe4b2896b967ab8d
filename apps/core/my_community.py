"""Reads for "My community" (/me/): what a member has going on across the platform.

One query per source, whatever the member's history, so the page stays constant-time.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.compute.models import AllocationRequest, ReviewerAssignment
from apps.compute.selectors import my_requests
from apps.hackathons.models import Hackathon, Registration, TeamMembership
from apps.hub.models import HubRepository
from apps.meetups.models import Rsvp
from apps.meetups.selectors import my_upcoming_rsvps, my_upcoming_talks
from apps.notifications.selectors import notification_list
from apps.profiles.selectors import first_steps_remaining

HORIZON_DAYS = 60
FINISHED = [Hackathon.State.FINISHED, Hackathon.State.CANCELLED, Hackathon.State.DRAFT]
OPEN_REQUESTS = [AllocationRequest.Status.DRAFT, AllocationRequest.Status.CHANGES_REQUESTED,
                 AllocationRequest.Status.SUBMITTED, AllocationRequest.Status.UNDER_REVIEW,
                 AllocationRequest.Status.APPROVED, AllocationRequest.Status.ACTIVE]


@dataclass
class Deadline:
    when: datetime | date
    label: str
    title: str
    url: str


def _day(moment) -> date:
    return timezone.localdate(moment) if isinstance(moment, datetime) else moment


def my_community(*, user) -> dict:
    """Everything the page shows, with the deadlines of the next two months merged in date order."""
    now = timezone.now()
    horizon = now + timedelta(days=HORIZON_DAYS)
    registrations = list(
        Registration.objects.filter(user=user).exclude(status__in=["rejected", "cancelled"])
        .exclude(hackathon__state__in=FINISHED).select_related("hackathon").order_by("hackathon__hacking_starts_at")
    )
    teams = list(
        TeamMembership.objects.filter(user=user).exclude(team__hackathon__state__in=FINISHED)
        .select_related("team__hackathon").order_by("team__name")
    )
    requests = list(my_requests(user=user).filter(status__in=OPEN_REQUESTS).order_by("-created_at")[:10])
    reviews = list(
        ReviewerAssignment.objects.filter(reviewer=user, status=ReviewerAssignment.Status.ASSIGNED,
                                          request__status__in=[AllocationRequest.Status.SUBMITTED,
                                                               AllocationRequest.Status.UNDER_REVIEW])
        .select_related("request__call").order_by("request__call__review_deadline")
    )
    unread = list(notification_list(user=user, unread_only=True)[:5])
    repositories = list(
        HubRepository.objects.filter(owner__members=user, removed_at__isnull=True)
        .select_related("owner").order_by("-downloads", "repo_id")[:8]
    )

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
    for registration in registrations:
        hackathon = registration.hackathon
        for _key, label, moment in hackathon.schedule():
            if now <= moment <= horizon:
                deadlines.append(Deadline(moment, str(label), hackathon.title, f"/hackathons/{hackathon.slug}/"))
    for assignment in reviews:
        call = assignment.request.call
        deadlines.append(Deadline(call.review_deadline, _("Review deadline"), assignment.request.title,
                                  f"/compute/reviews/{assignment.pk}/"))
    for request in requests:
        grant = getattr(request, "grant", None)
        if grant is not None and now.date() <= grant.end_date <= horizon.date():
            deadlines.append(Deadline(grant.end_date, _("Grant ends"), request.title, f"/compute/requests/{request.pk}/"))
    deadlines.sort(key=lambda d: _day(d.when))
    for request in requests:
        grant = getattr(request, "grant", None)
        request.used_percent = int(request.used * 100 / grant.units) if grant is not None and grant.units else None
    return {
        "deadlines": deadlines, "registrations": registrations, "teams": teams, "requests": requests,
        "reviews": reviews, "unread": unread, "repositories": repositories,
        "meetup_places": meetup_places, "talks": talks, "first_steps": first_steps_remaining(user),
        "to_do": len(reviews) + sum(1 for r in requests if r.status == AllocationRequest.Status.CHANGES_REQUESTED)
        + sum(1 for rsvp in meetup_places if rsvp.status == Rsvp.Status.OFFERED),
    }
