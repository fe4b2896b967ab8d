"""The groups of notification kinds members can silence by e-mail, in one place.

A kind's group is the part before the first dot ("compute.decision" → "compute").
"""

from django.utils.translation import gettext_lazy as _

GROUPS = {
    "profiles": _("Contact requests and profile activity"),
    "hackathons": _("Hackathons: invitations, registrations, deadlines and results"),
    "compute": _("Compute allocations: requests, reviews, decisions and usage"),
    "hub": _("Hugging Face Hub synchronisation problems"),
    "meetups": _("Meetups: RSVPs, waitlist offers, changes, reminders and talk proposals"),
    "announcements": _("Announcements from organisers and the community's staff"),
    "chat": _("Chat: mentions of you and messages reported to you as organiser"),
}

# Stored as an opt-out group: no e-mail at all.
ALL_EMAIL = "all"


def group_of(kind: str) -> str:
    return kind.split(".", 1)[0]
