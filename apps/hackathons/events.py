"""Domain events of hackathons. Every notification of the app goes through `emit`.

Later issues (webhooks, activity feeds, richer notification preferences) hook in here.
"""

from collections.abc import Iterable

from django.urls import reverse

from apps.notifications.services import Text, notify

PHASE_CHANGED = "hackathons.phase_changed"
TEAM_INVITATION = "hackathons.team_invitation"
REGISTRATION_DECIDED = "hackathons.registration_decided"
WAITLIST_PROMOTED = "hackathons.waitlist_promoted"
DEADLINE_REMINDER = "hackathons.deadline_reminder"
JUDGE_ASSIGNED = "hackathons.judge_assigned"
RESULTS_PUBLISHED = "hackathons.results_published"

EVENTS = {
    PHASE_CHANGED, TEAM_INVITATION, REGISTRATION_DECIDED, WAITLIST_PROMOTED,
    DEADLINE_REMINDER, JUDGE_ASSIGNED, RESULTS_PUBLISHED,
}


def emit(event: str, hackathon, recipients: Iterable, *, title: Text, body: Text = "", url: str = ""):
    """Publish one hackathon event to its recipients (stored, e-mailed after commit)."""
    if event not in EVENTS:
        raise ValueError(f"Unknown hackathon event {event!r}")
    return notify(
        recipients=list(recipients),
        kind=event,
        title=title,
        body=body,
        url=url or reverse("hackathons:detail", args=[hackathon.slug]),
    )
