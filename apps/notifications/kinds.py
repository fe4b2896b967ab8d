"""Every kind of notification the platform sends, with its label and default channel.

In-app notifications are always kept; a kind's default says how it also reaches e-mail
for members who never chose otherwise:

- `email`, each one by e-mail: what asks the member to act or to change their plans
  soon, or decides something about them (waitlist offers, decisions, invitations,
  mentions, reminders, an event they go to changing or being cancelled).
- `digest`: routine activity worth knowing but not worth an e-mail each (a hackathon
  moving to its next phase, a Hub sync that failed and will be retried, being put on a
  waitlist, an offer that lapsed).
- `off`, only on the site: receipts of what the member just did there themselves.

A kind's group (the part before the first dot) is its heading on the settings page and
its filter in the notification centre. Kinds missing here default to e-mail, and a test
checks every kind the code emits is registered.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.notifications.models import NotificationPreference

Mode = NotificationPreference.Mode

GROUPS = {
    "profiles": _("Contact requests"),
    "hackathons": _("Hackathons"),
    "compute": _("Compute allocations"),
    "hub": _("Hugging Face Hub"),
    "meetups": _("Meetups"),
    "announcements": _("Announcements"),
    "chat": _("Chat"),
}

# Stored as a preference for this pseudo-kind with mode `off`: no e-mail at all.
ALL_EMAIL = "all"


@dataclass(frozen=True)
class Kind:
    key: str
    label: Promise
    default: str = Mode.EMAIL

    @property
    def group(self) -> str:
        return self.key.split(".", 1)[0]


_KINDS = [
    Kind("profiles.contact_request", _("Someone wants to get in touch with me")),
    Kind("hackathons.team_invitation", _("Invitations to join a team")),
    Kind("hackathons.registration_decided", _("Decisions on my registration")),
    Kind("hackathons.waitlist_promoted", _("A place for me after the waitlist")),
    Kind("hackathons.deadline_reminder", _("Deadline reminders")),
    Kind("hackathons.judge_assigned", _("Submissions assigned to me as a judge")),
    Kind("hackathons.results_published", _("Results are published")),
    Kind("hackathons.phase_changed", _("A hackathon moves to its next phase"), Mode.DIGEST),
    Kind("compute.submitted", _("Requests submitted (mine, or to calls I manage)")),
    Kind("compute.changes_requested", _("Changes asked for on my request")),
    Kind("compute.decision", _("Decisions on my request")),
    Kind("compute.review_assigned", _("Requests assigned to me for review")),
    Kind("compute.review_reminder", _("Reminders of reviews I owe")),
    Kind("compute.review_conflict", _("Reviewers declaring a conflict of interest")),
    Kind("compute.change_requested", _("Changes requested on grants I manage")),
    Kind("compute.usage_threshold", _("A grant's usage passes a threshold")),
    Kind("compute.grant_reminder", _("A grant of mine is about to end")),
    Kind("compute.grant_expired", _("A grant of mine has ended")),
    Kind("compute.scheduler_drift", _("A cluster I operate differs from the platform's grants")),
    Kind("hub.sync_failed", _("Synchronisation with the Hub failed"), Mode.DIGEST),
    Kind("meetups.place_offered", _("A place is offered to me from the waitlist")),
    Kind("meetups.promoted", _("Organisers let me in")),
    Kind("meetups.event_changed", _("An event I go to changes time or place")),
    Kind("meetups.event_cancelled", _("An event I go to is cancelled")),
    Kind("meetups.reminder", _("Reminders the day before")),
    Kind("meetups.removed", _("Organisers remove me from an event")),
    Kind("meetups.talk_decided", _("Decisions on my talk proposals")),
    Kind("meetups.waitlisted", _("I am put on a waitlist"), Mode.DIGEST),
    Kind("meetups.offer_expired", _("A place offered to me expired"), Mode.DIGEST),
    Kind("meetups.rsvp_confirmed", _("Confirmation of my own RSVP"), Mode.OFF),
    Kind("announcements.message", _("Announcements from organisers and staff")),
    Kind("chat.mention", _("Mentions of me")),
    Kind("chat.report", _("Messages reported to me as organiser")),
]

KINDS: dict[str, Kind] = {kind.key: kind for kind in _KINDS}


def default_mode(kind: str) -> str:
    registered = KINDS.get(kind)
    return registered.default if registered else Mode.EMAIL


def kinds_by_group() -> dict[str, list[Kind]]:
    """The registered kinds under their headings, in the order of `GROUPS`."""
    return {group: [kind for kind in _KINDS if kind.group == group] for group in GROUPS}
