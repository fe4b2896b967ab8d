"""Hackathons' share of "My community": registrations and teams, with the milestones ahead."""

from apps.core.my_community import Deadline, MyCommunityPart
from apps.hackathons.models import Hackathon, Registration, TeamMembership

FINISHED = [Hackathon.State.FINISHED, Hackathon.State.CANCELLED, Hackathon.State.DRAFT]


def hackathons_part(*, user, now, horizon) -> MyCommunityPart:
    registrations = list(
        Registration.objects.filter(user=user).exclude(status__in=["rejected", "cancelled"])
        .exclude(hackathon__state__in=FINISHED).select_related("hackathon").order_by("hackathon__hacking_starts_at")
    )
    teams = list(
        TeamMembership.objects.filter(user=user).exclude(team__hackathon__state__in=FINISHED)
        .select_related("team__hackathon").order_by("team__name")
    )
    deadlines = [
        Deadline(moment, str(label), registration.hackathon.title, f"/hackathons/{registration.hackathon.slug}/")
        for registration in registrations
        for _key, label, moment in registration.hackathon.schedule()
        if now <= moment <= horizon
    ]
    return MyCommunityPart({"registrations": registrations, "teams": teams}, deadlines)
