"""Places at an event: capacity, admission and a first-come waitlist.

Hackathon registrations and meetup RSVPs decide the same way; the caller holds a row
lock on the event (`select_for_update`) while it counts and decides, so two requests
never both take the last place.
"""

import enum
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from apps.core.errors import InvalidInput

Place = TypeVar("Place")


class Admission(enum.Enum):
    ADMIT = "admit"
    WAITLIST = "waitlist"
    PENDING = "pending"  # the organisers decide first


def has_room(*, capacity: int | None, taken: int, wanted: int = 1) -> bool:
    """Whether `wanted` more places fit; no capacity means no limit."""
    return capacity is None or taken + wanted <= capacity


def admission(*, capacity: int | None, taken: int, wanted: int = 1, needs_approval: bool = False) -> Admission:
    if needs_approval:
        return Admission.PENDING
    return Admission.ADMIT if has_room(capacity=capacity, taken=taken, wanted=wanted) else Admission.WAITLIST


def fill_from_waitlist(
    *, capacity: int | None, taken: int, queue: Iterable[Place], places_of: Callable[[Place], int],
    admit: Callable[[Place], None],
) -> list[Place]:
    """Admit people from the front of the queue while their whole party fits.

    The queue is first come, first served: when the person at the front does not fit,
    nobody behind them jumps ahead.
    """
    admitted = []
    for candidate in queue:
        wanted = places_of(candidate)
        if not has_room(capacity=capacity, taken=taken, wanted=wanted):
            break
        admit(candidate)
        taken += wanted
        admitted.append(candidate)
    return admitted


def invitation_emails(emails) -> list[str]:
    """The addresses an organiser pasted for an invitation-only event, normalised; a bad one
    refuses the whole list, naming it."""
    cleaned, bad = set(), []
    for email in (e.strip().lower() for e in emails if e.strip()):
        try:
            validate_email(email)
        except ValidationError:
            bad.append(email[:80])
        else:
            cleaned.add(email)
    if bad:
        raise InvalidInput(errors={"emails": [_("Not valid e-mail addresses: %(list)s") % {"list": ", ".join(bad[:10])}]})
    return sorted(cleaned)
