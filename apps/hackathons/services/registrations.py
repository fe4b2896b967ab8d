"""Registrations: capacity with a waitlist, join policies, approval and check-in."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core import seats
from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.hackathons import events
from apps.hackathons.models import Hackathon, Registration, RegistrationInvite, TeamMembership
from apps.hackathons.services.common import local_time, lock_hackathon, require_organiser

Status = Registration.Status
Policy = Hackathon.JoinPolicy
ADMISSION_STATUS = {
    seats.Admission.ADMIT: Status.CONFIRMED,
    seats.Admission.WAITLIST: Status.WAITLISTED,
    seats.Admission.PENDING: Status.PENDING,
}


def registration_is_open(hackathon: Hackathon, now=None) -> bool:
    now = now or timezone.now()
    return hackathon.state in (Hackathon.State.REGISTRATION_OPEN, Hackathon.State.IN_PROGRESS) and (
        now < hackathon.registration_closes_at
    )


def _confirmed_count(hackathon: Hackathon) -> int:
    return hackathon.registrations.filter(status=Status.CONFIRMED).count()


def _has_room(hackathon: Hackathon) -> bool:
    return seats.has_room(capacity=hackathon.capacity, taken=_confirmed_count(hackathon))


def _check_policy(hackathon: Hackathon, user) -> None:
    email = (user.email or "").lower()
    if hackathon.join_policy == Policy.INVITE:
        if not RegistrationInvite.objects.filter(hackathon=hackathon, email__iexact=email).exists():
            raise NotAllowed(_("This hackathon is by invitation only."))
    if hackathon.join_policy == Policy.DOMAIN:
        domain = email.rpartition("@")[2]
        if domain not in hackathon.email_domain_list():
            raise NotAllowed(
                _("Registration is limited to e-mail addresses at: %(domains)s.")
                % {"domains": ", ".join(hackathon.email_domain_list())}
            )


@transaction.atomic
def registration_create(
    *, user, hackathon: Hackathon, agreed: bool, motivation: str = "", looking_for: str = ""
) -> Registration:
    """Register; confirmed while there is room, waitlisted when full, pending when approval is needed."""
    if not user.is_authenticated:
        raise NotAllowed()
    if not agreed:
        raise InvalidInput(errors={"agreed": [_("You need to accept the participation agreement.")]})
    # The hackathon row is the lock that serialises capacity decisions.
    hackathon = lock_hackathon(hackathon.pk)
    if not registration_is_open(hackathon):
        raise Conflict(_("Registration for this hackathon is not open."))
    _check_policy(hackathon, user)
    existing = Registration.objects.filter(hackathon=hackathon, user=user).first()
    if existing and existing.status == Status.REJECTED:
        raise Conflict(_("Your registration was not accepted by the organisers."))
    if existing and existing.is_active:
        raise Conflict(_("You are already registered."))
    status = ADMISSION_STATUS[
        seats.admission(
            capacity=hackathon.capacity, taken=_confirmed_count(hackathon),
            needs_approval=hackathon.join_policy == Policy.APPROVAL,
        )
    ]
    registration = existing or Registration(hackathon=hackathon, user=user)
    registration.status = status
    registration.motivation = motivation.strip()
    registration.looking_for = looking_for.strip()[:300]
    registration.agreed_at = timezone.now()
    registration.decision_reason = ""
    registration.save()
    return registration


def _promote_waitlist(hackathon: Hackathon) -> list[Registration]:
    """Fill free places from the waitlist, first come first served (caller holds the lock)."""
    def admit(registration):
        registration.status = Status.CONFIRMED
        registration.save(update_fields=["status", "updated_at"])
        events.emit(
            events.WAITLIST_PROMOTED, hackathon, [registration.user],
            title=lambda: _("A place opened up: you are in %(title)s") % {"title": hackathon.title},
        )

    taken = _confirmed_count(hackathon)
    queue = hackathon.registrations.filter(status=Status.WAITLISTED).select_related("user").order_by("created_at", "id")
    if hackathon.capacity is not None:
        queue = queue[: max(hackathon.capacity - taken, 0)]
    return seats.fill_from_waitlist(
        capacity=hackathon.capacity, taken=taken, queue=queue, places_of=lambda registration: 1, admit=admit
    )


@transaction.atomic
def registration_cancel(*, user, hackathon: Hackathon) -> Registration:
    """Withdraw; the first person on the waitlist takes the freed place."""
    hackathon = lock_hackathon(hackathon.pk)
    registration = Registration.objects.filter(hackathon=hackathon, user=user).first()
    if registration is None or not registration.is_active:
        raise Conflict(_("You are not registered."))
    if hackathon.state in (Hackathon.State.JUDGING, Hackathon.State.FINISHED):
        raise Conflict(_("Registrations cannot be withdrawn after hacking ends."))
    membership = TeamMembership.objects.filter(hackathon=hackathon, user=user).select_related("team").first()
    if membership:
        from apps.hackathons.services.teams import team_leave

        team_leave(user=user, team=membership.team)
    was_confirmed = registration.status == Status.CONFIRMED
    registration.status = Status.CANCELLED
    registration.checked_in_at = None
    registration.save(update_fields=["status", "checked_in_at", "updated_at"])
    if was_confirmed:
        _promote_waitlist(hackathon)
    return registration


@transaction.atomic
def registration_decide(*, actor, registration: Registration, approve: bool, reason: str = "") -> Registration:
    """Organisers approve (confirmed, or waitlisted when full) or reject with a reason."""
    hackathon = registration.hackathon
    require_organiser(actor, hackathon)
    hackathon = lock_hackathon(hackathon.pk)
    registration = Registration.objects.select_for_update().select_related("user").get(pk=registration.pk)
    if registration.status not in (Status.PENDING, Status.WAITLISTED):
        raise Conflict(_("Only pending or waitlisted registrations can be decided."))
    if not approve and not reason.strip():
        raise InvalidInput(errors={"reason": [_("Give the person a reason.")]})
    if approve:
        registration.status = Status.CONFIRMED if _has_room(hackathon) else Status.WAITLISTED
    else:
        registration.status = Status.REJECTED
    registration.decision_reason = reason.strip()
    registration.decided_by = actor
    registration.save(update_fields=["status", "decision_reason", "decided_by", "updated_at"])
    titles = {
        Status.CONFIRMED: gettext_lazy("Your registration for %(title)s is confirmed"),
        Status.WAITLISTED: gettext_lazy("You are on the waitlist for %(title)s"),
        Status.REJECTED: gettext_lazy("Your registration for %(title)s was not accepted"),
    }
    events.emit(
        events.REGISTRATION_DECIDED, hackathon, [registration.user],
        title=lambda: titles[registration.status] % {"title": hackathon.title},
        body=registration.decision_reason,
    )
    return registration


@transaction.atomic
def registration_remove(*, actor, registration: Registration, reason: str) -> Registration:
    """Organisers take someone out of the hackathon (a code-of-conduct breach, a no-show),
    with a reason they are told: they leave their team and the waitlist moves up.

    The team keeps its submissions; a team left empty without submissions is dissolved.
    """
    require_organiser(actor, registration.hackathon)
    hackathon = lock_hackathon(registration.hackathon_id)
    registration = Registration.objects.select_for_update().select_related("user").get(pk=registration.pk)
    if hackathon.state in (Hackathon.State.FINISHED, Hackathon.State.CANCELLED):
        raise Conflict(_("This hackathon is over."))
    if not registration.is_active:
        raise Conflict(_("Only active registrations can be removed."))
    if not reason.strip():
        raise InvalidInput(errors={"reason": [_("Give the person a reason.")]})
    membership = TeamMembership.objects.filter(hackathon=hackathon, user=registration.user).select_related("team").first()
    if membership is not None:
        team = membership.team
        membership.delete()
        if not team.memberships.exists() and not team.submissions.exists():
            team.delete()
    was_confirmed = registration.status == Status.CONFIRMED
    registration.status = Status.REJECTED
    registration.decision_reason = reason.strip()
    registration.decided_by = actor
    registration.checked_in_at = None
    registration.save(update_fields=["status", "decision_reason", "decided_by", "checked_in_at", "updated_at"])
    events.emit(
        events.REGISTRATION_DECIDED, hackathon, [registration.user],
        title=lambda: _("The organisers removed you from %(title)s") % {"title": hackathon.title},
        body=registration.decision_reason,
    )
    if was_confirmed:
        _promote_waitlist(hackathon)
    return registration


@transaction.atomic
def registration_check_in(*, actor, registration: Registration) -> Registration:
    """Organisers check people in at the venue, from the day hacking starts until it ends."""
    hackathon = registration.hackathon
    require_organiser(actor, hackathon)
    if not hackathon.is_in_person:
        raise Conflict(_("Check-in is only for events at a venue."))
    now = timezone.now()
    first_day = timezone.localtime(hackathon.hacking_starts_at, hackathon.tz).date()
    if timezone.localtime(now, hackathon.tz).date() < first_day or now >= hackathon.hacking_ends_at:
        raise Conflict(
            _("Check-in opens on the day hacking starts (%(when)s).")
            % {"when": local_time(hackathon, hackathon.hacking_starts_at)}
        )
    if registration.status != Status.CONFIRMED:
        raise Conflict(_("Only confirmed participants can check in."))
    if registration.checked_in_at is None:
        registration.checked_in_at = now
        registration.save(update_fields=["checked_in_at", "updated_at"])
    return registration


@transaction.atomic
def registration_invites_add(*, actor, hackathon: Hackathon, emails: list[str]) -> int:
    require_organiser(actor, hackathon)
    created = RegistrationInvite.objects.bulk_create(
        [RegistrationInvite(hackathon=hackathon, email=e) for e in seats.invitation_emails(emails)], ignore_conflicts=True
    )
    return len(created)
