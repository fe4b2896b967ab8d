"""A hackathon's participants as an announcement audience (see apps/notifications/audiences.py)."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.hackathons.models import Hackathon, Registration, TeamMembership
from apps.hackathons.permissions import is_organiser
from apps.notifications.audiences import AudienceProvider

SUBSETS = {
    "participants": _("Everyone registered (confirmed, waiting for approval or on the waitlist)"),
    "confirmed": _("Confirmed participants"),
    "waitlisted": _("People on the waitlist"),
    "teams": _("Members of a team"),
}
_STATUSES = {
    "participants": [Registration.Status.PENDING, Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
    "confirmed": [Registration.Status.CONFIRMED],
    "waitlisted": [Registration.Status.WAITLISTED],
}


def _hackathon(params) -> Hackathon | None:
    return Hackathon.objects.filter(slug=params.get("hackathon", "")).first()


def _recipients(params):
    users = get_user_model().objects.all()
    hackathon = _hackathon(params)
    subset = params.get("subset", "participants")
    if hackathon is None or subset not in SUBSETS:
        return users.none()
    if subset == "teams":
        members = TeamMembership.objects.filter(hackathon=hackathon)
        if params.get("team"):
            members = members.filter(team_id=params["team"])
        return users.filter(pk__in=members.values("user_id"))
    registered = Registration.objects.filter(hackathon=hackathon, status__in=_STATUSES[subset])
    return users.filter(pk__in=registered.values("user_id"))


def _can_announce(user, params) -> bool:
    hackathon = _hackathon(params)
    return hackathon is not None and is_organiser(user, hackathon)


def _describe(params) -> str:
    hackathon = _hackathon(params)
    subset = SUBSETS.get(params.get("subset", "participants"), "")
    return f"{hackathon.title if hackathon else '?'} · {subset}"


def _about(params) -> tuple[str, str] | None:
    hackathon = _hackathon(params)
    return (hackathon.title, reverse("hackathons:detail", args=[hackathon.slug])) if hackathon else None


HACKATHON_PARTICIPANTS = AudienceProvider(
    key="hackathon",
    label=_("Participants of a hackathon"),
    recipients=_recipients,
    can_announce=_can_announce,
    describe=_describe,
    subsets=SUBSETS,
    query_params=("hackathon", "team"),
    about=_about,
)
