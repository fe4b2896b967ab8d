"""Small checks shared by the service modules."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.core.errors import NotAllowed
from apps.hackathons import permissions
from apps.hackathons.models import Hackathon


def require_organiser(actor, hackathon: Hackathon) -> None:
    if actor is None or not permissions.is_organiser(actor, hackathon):
        raise NotAllowed(_("Only the organisers of this hackathon can do that."))


def local_time(hackathon: Hackathon, moment) -> str:
    """A datetime in the hackathon's time zone, formatted for messages."""
    return f"{date_format(timezone.localtime(moment, hackathon.tz), 'DATETIME_FORMAT')} ({hackathon.timezone})"


def lock_hackathon(hackathon_id: int) -> Hackathon:
    return Hackathon.objects.select_for_update().get(pk=hackathon_id)


def teams_open(hackathon: Hackathon, now=None) -> bool:
    """Teams form and change from registration until hacking ends; then they lock."""
    now = now or timezone.now()
    return hackathon.state in (Hackathon.State.REGISTRATION_OPEN, Hackathon.State.IN_PROGRESS) and (
        now < hackathon.hacking_ends_at
    )


def fresh(hackathon: Hackathon) -> Hackathon:
    """The current row: services decide on state, never on a caller's stale copy."""
    return Hackathon.objects.get(pk=hackathon.pk)
