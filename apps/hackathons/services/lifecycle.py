"""Creating hackathons, editing their schedule and moving them through the lifecycle."""

import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, ProtectedError, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.calendar import weeks_ahead
from apps.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from apps.hackathons import events, permissions
from apps.hackathons.models import (
    Hackathon,
    HackathonTransition,
    JudgeAssignment,
    Registration,
    ReminderSent,
    RubricCriterion,
    Track,
)
from apps.hackathons.selectors import user_by_handle
from apps.hackathons.services.common import fresh, local_time, lock_hackathon, require_organiser

logger = logging.getLogger(__name__)
State = Hackathon.State

MAX_TEAM_SIZE = 100  # the columns are small integers; no real team comes near
MAX_CAPACITY = 100_000
TRACKS_EDITABLE = (State.DRAFT, State.PUBLISHED, State.REGISTRATION_OPEN)
SCHEDULE_FIELDS = [
    "registration_opens_at", "registration_closes_at", "hacking_starts_at",
    "hacking_ends_at", "judging_ends_at", "results_at",
]
EDITABLE_FIELDS = [
    "title", "summary", "description", "cover_image", "rules", "prizes", "languages", "format",
    "venue", "timezone", "join_policy", "allowed_email_domains", "capacity", "min_team_size",
    "max_team_size", *SCHEDULE_FIELDS,
]


def schedule_errors(values: dict, *, require_future: bool, now=None) -> dict[str, list[str]]:
    """Field errors of a schedule: every date present, in order, and in the future if asked."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    for field in SCHEDULE_FIELDS:
        value = values.get(field)
        if value is None:
            errors[field] = [_("This date is required.")]
        elif timezone.is_naive(value):
            errors[field] = [_("The date needs a time zone.")]
    if errors:
        return errors
    pairs = [  # (earlier, later, must be strictly later, message)
        ("registration_opens_at", "registration_closes_at", True, _("Registration must close after it opens.")),
        ("registration_opens_at", "hacking_starts_at", False, _("Hacking cannot start before registration opens.")),
        ("hacking_starts_at", "hacking_ends_at", True, _("Hacking must end after it starts.")),
        ("registration_closes_at", "hacking_ends_at", False, _("Registration must close before hacking ends.")),
        ("hacking_ends_at", "judging_ends_at", False, _("Judging cannot end before hacking ends.")),
        ("judging_ends_at", "results_at", False, _("Results cannot come before judging ends.")),
    ]
    for earlier, later, strict, message in pairs:
        if values[later] < values[earlier] or (strict and values[later] == values[earlier]):
            errors.setdefault(later, []).append(message)
    if require_future:
        for field in SCHEDULE_FIELDS:
            if values[field] <= now:
                errors.setdefault(field, []).append(_("This date must be in the future to publish."))
    return errors


def _validate(values: dict, *, require_future: bool) -> None:
    errors = schedule_errors(values, require_future=require_future)
    tz = values.get("timezone")
    if tz is not None and tz not in zoneinfo.available_timezones():
        errors["timezone"] = [_("Unknown time zone.")]
    mn, mx = values.get("min_team_size", 1), values.get("max_team_size", 1)
    if mn < 1:
        errors["min_team_size"] = [_("Teams have at least one member.")]
    elif mx < mn:
        errors["max_team_size"] = [_("The maximum team size cannot be below the minimum.")]
    for name in ("min_team_size", "max_team_size"):
        if values.get(name, 1) > MAX_TEAM_SIZE:
            errors[name] = [_("Teams have at most %(max)s members.") % {"max": MAX_TEAM_SIZE}]
    if (values.get("capacity") or 0) > MAX_CAPACITY:
        errors["capacity"] = [_("The capacity is at most %(max)s.") % {"max": MAX_CAPACITY}]
    if values.get("join_policy") == Hackathon.JoinPolicy.DOMAIN and not values.get("allowed_email_domains", "").strip():
        errors["allowed_email_domains"] = [_("List at least one e-mail domain.")]
    if values.get("format") in (Hackathon.Format.VENUE, Hackathon.Format.HYBRID) and not values.get("venue", "").strip():
        errors["venue"] = [_("Say where the venue is.")]
    if not str(values.get("title", "")).strip():
        errors["title"] = [_("A title is required.")]
    if errors:
        raise InvalidInput(errors=errors)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:150] or "hackathon"
    slug, n = base, 2
    while Hackathon.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def hackathon_create(*, actor, organisers=(), tracks: list[str] = (), **fields) -> Hackathon:
    """A new hackathon in draft, with its creator as first organiser."""
    if not permissions.can_create_hackathon(actor):
        raise NotAllowed(_("Only organisers can create hackathons."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected fields: {sorted(unknown)}")
    values = {f.name: f.get_default() for f in Hackathon._meta.concrete_fields if f.name in EDITABLE_FIELDS}
    values.update(fields)
    names = list(dict.fromkeys(name.strip() for name in tracks if name.strip()))  # once each, in order
    _validate(values, require_future=False)
    if any(len(name) > Track._meta.get_field("name").max_length for name in names):
        raise InvalidInput(errors={"tracks": [_("A track name has at most 120 characters.")]})
    hackathon = Hackathon.objects.create(slug=_unique_slug(values["title"]), created_by=actor, **values)
    hackathon.organisers.add(actor, *organisers)
    for position, name in enumerate(names):
        Track.objects.create(hackathon=hackathon, name=name, position=position)
    return hackathon


@transaction.atomic
def hackathon_duplicate(*, actor, hackathon: Hackathon) -> Hackathon:
    """A new draft from one the organiser runs: its texts, settings, tracks and judging criteria,
    every date whole weeks later; never its people (registrations, teams, judges) or their work."""
    require_organiser(actor, hackathon)
    shift = weeks_ahead(hackathon.registration_opens_at)
    values = {name: getattr(hackathon, name) for name in EDITABLE_FIELDS if name != "cover_image"}
    values.update({name: getattr(hackathon, name) + shift for name in SCHEDULE_FIELDS})
    values["title"] = _("%(title)s (copy)") % {"title": hackathon.title}
    values["title"] = values["title"][:Hackathon._meta.get_field("title").max_length]
    copy = Hackathon.objects.create(slug=_unique_slug(values["title"]), created_by=actor, **values)
    copy.organisers.add(actor)
    Track.objects.bulk_create(
        Track(hackathon=copy, name=t.name, description=t.description, position=t.position)
        for t in hackathon.tracks.all()
    )
    RubricCriterion.objects.bulk_create(
        RubricCriterion(hackathon=copy, name=c.name, description=c.description, weight=c.weight,
                        max_score=c.max_score, position=c.position)
        for c in hackathon.criteria.all()
    )
    return copy


@transaction.atomic
def hackathon_update(*, actor, hackathon: Hackathon, **fields) -> Hackathon:
    require_organiser(actor, hackathon)
    hackathon = lock_hackathon(hackathon.pk)
    if hackathon.state in (State.FINISHED, State.CANCELLED):
        raise Conflict(_("A finished or cancelled hackathon cannot be edited."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected fields: {sorted(unknown)}")
    values = {name: getattr(hackathon, name) for name in EDITABLE_FIELDS}
    values.update(fields)
    _validate(values, require_future=False)
    _validate_against_people(hackathon, values)
    old_capacity = hackathon.capacity
    for name, value in fields.items():
        setattr(hackathon, name, value)
    hackathon.save()
    if values["capacity"] is None or (old_capacity is not None and values["capacity"] > old_capacity):
        from apps.hackathons.services.registrations import _promote_waitlist

        _promote_waitlist(hackathon)  # more room: the waitlist moves up, first come first served
    return hackathon


def _validate_against_people(hackathon: Hackathon, values: dict) -> None:
    """Limits never drop below what people already hold (the caller holds the hackathon lock).

    Capacity below the confirmed registrations and a maximum team size below the
    largest team are refused: nobody loses a confirmed place or a team seat silently.
    """
    errors = {}
    capacity = values.get("capacity")
    if capacity is not None and capacity != hackathon.capacity:
        confirmed = hackathon.registrations.filter(status=Registration.Status.CONFIRMED).count()
        if capacity < confirmed:
            errors["capacity"] = [
                _("%(n)s people already have a confirmed place; the capacity cannot go below that.") % {"n": confirmed}
            ]
    max_size = values.get("max_team_size")
    if max_size is not None and max_size < hackathon.max_team_size:
        largest = (
            hackathon.teams.annotate(n=Count("memberships")).order_by("-n").values_list("n", flat=True).first() or 0
        )
        if max_size < largest:
            errors["max_team_size"] = [
                _("A team already has %(n)s members; the maximum team size cannot go below that.") % {"n": largest}
            ]
    if errors:
        raise InvalidInput(errors=errors)


@transaction.atomic
def hackathon_organiser_add(*, actor, hackathon: Hackathon, handle: str):
    """Add the person with this talent-profile handle (or username) as an organiser."""
    require_organiser(actor, hackathon)
    user = user_by_handle(handle, viewer=actor)
    if user is None:
        raise InvalidInput(errors={"handle": [_("Nobody has that handle.")]})
    hackathon.organisers.add(user)
    hackathon.__dict__.pop("_organiser_ids", None)  # the permission cache of the caller's copy
    return user


@transaction.atomic
def hackathon_organiser_remove(*, actor, hackathon: Hackathon, user) -> None:
    """Take someone off the organisers (themselves included); at least one always stays.

    The hackathon row lock serialises two organisers removing each other at once.
    """
    require_organiser(actor, hackathon)
    caller_copy, hackathon = hackathon, lock_hackathon(hackathon.pk)
    organiser_ids = set(hackathon.organisers.values_list("id", flat=True))
    if not actor.is_staff and actor.pk not in organiser_ids:  # removed meanwhile
        raise NotAllowed(_("Only the organisers of this hackathon can do that."))
    if user.pk not in organiser_ids:
        raise NotFound(_("This person is not an organiser of this hackathon."))
    if organiser_ids == {user.pk}:
        raise Conflict(
            _("A hackathon needs at least one organiser. Add another organiser first."),
            errors={"organiser": [_("A hackathon needs at least one organiser. Add another organiser first.")]},
        )
    hackathon.organisers.remove(user)
    caller_copy.__dict__.pop("_organiser_ids", None)


@transaction.atomic
def track_add(*, actor, hackathon: Hackathon, name: str, description: str = "") -> Track:
    require_organiser(actor, hackathon)
    hackathon = fresh(hackathon)
    if hackathon.state not in TRACKS_EDITABLE:
        raise Conflict(_("Tracks can only change before hacking starts."))
    name = name.strip()
    if not name:
        raise InvalidInput(errors={"name": [_("A name is required.")]})
    position = hackathon.tracks.count()
    try:
        with transaction.atomic():
            return Track.objects.create(hackathon=hackathon, name=name, description=description, position=position)
    except IntegrityError:
        raise InvalidInput(errors={"name": [_("There is already a track with this name.")]}) from None


@transaction.atomic
def track_remove(*, actor, track: Track) -> None:
    """Remove a track before hacking starts; never one a submission uses, nor the last one once published."""
    require_organiser(actor, track.hackathon)
    hackathon = lock_hackathon(track.hackathon_id)
    if hackathon.state not in TRACKS_EDITABLE:
        raise Conflict(_("Tracks can only change before hacking starts."))
    # Locking the row makes a submission being saved for it right now finish first.
    track = Track.objects.select_for_update().get(pk=track.pk)
    if track.submissions.exists():
        raise Conflict(_("This track already has submissions."))
    if hackathon.state != State.DRAFT and hackathon.tracks.count() == 1:
        raise Conflict(_("A published hackathon needs at least one track. Add another track first."))
    try:
        with transaction.atomic():
            track.delete()
    except ProtectedError:
        raise Conflict(_("This track already has submissions.")) from None


# --- Lifecycle -----------------------------------------------------------------


def _pre_publish(h: Hackathon, now) -> list[str]:
    problems = []
    errors = schedule_errors({f: getattr(h, f) for f in SCHEDULE_FIELDS}, require_future=True, now=now)
    if errors:
        problems.append(_("Every date of the schedule must be in order and in the future."))
    if not h.tracks.exists():
        problems.append(_("Add at least one track or challenge."))
    return problems


def _pre_open_registration(h: Hackathon, now) -> list[str]:
    if now >= h.registration_closes_at:
        return [_("The registration deadline has already passed.")]
    return []


def _pre_start_hacking(h: Hackathon, now) -> list[str]:
    if not h.registrations.filter(status=Registration.Status.CONFIRMED).exists():
        return [_("Nobody has a confirmed registration yet.")]
    return []


def _pre_start_judging(h: Hackathon, now) -> list[str]:
    if now < h.hacking_ends_at:
        return [_("Hacking ends at %(deadline)s; judging starts after that.") % {"deadline": local_time(h, h.hacking_ends_at)}]
    return []


def _pre_publish_results(h: Hackathon, now) -> list[str]:
    criteria = h.criteria.count()
    if not criteria:
        return [_("Define the judging rubric first.")]
    complete = (
        JudgeAssignment.objects.filter(submission__hackathon=h)
        .annotate(n=Count("scores"))
        .filter(n__gte=criteria)
    )
    if not complete.exists():
        return [_("No submission has been fully scored by a judge yet.")]
    return []


def _pre_cancel(h: Hackathon, now) -> list[str]:
    return []


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    precondition: Callable


TRANSITIONS = {
    t.action: t
    for t in [
        Transition("publish", gettext_lazy("Publish"), (State.DRAFT,), State.PUBLISHED, _pre_publish),
        Transition(
            "open_registration", gettext_lazy("Open registration"), (State.PUBLISHED,),
            State.REGISTRATION_OPEN, _pre_open_registration,
        ),
        Transition(
            "start_hacking", gettext_lazy("Start hacking"), (State.REGISTRATION_OPEN,), State.IN_PROGRESS,
            _pre_start_hacking,
        ),
        Transition(
            "start_judging", gettext_lazy("Close submissions and start judging"), (State.IN_PROGRESS,),
            State.JUDGING, _pre_start_judging,
        ),
        Transition(
            "publish_results", gettext_lazy("Publish results"), (State.JUDGING,), State.FINISHED,
            _pre_publish_results,
        ),
        Transition(
            "cancel", gettext_lazy("Cancel the hackathon"),
            (State.DRAFT, State.PUBLISHED, State.REGISTRATION_OPEN, State.IN_PROGRESS, State.JUDGING),
            State.CANCELLED, _pre_cancel,
        ),
    ]
}


def available_transitions(hackathon: Hackathon) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if hackathon.state in t.sources]


def _participants(hackathon: Hackathon):
    active = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED, Registration.Status.PENDING)
    return [r.user for r in hackathon.registrations.filter(status__in=active).select_related("user")]


def _after_transition(hackathon: Hackathon, transition: Transition, now) -> None:
    organisers = list(hackathon.organisers.all())
    judges = [j.user for j in hackathon.judges.select_related("user")]
    participants = _participants(hackathon)
    state_label = State(hackathon.state).label  # lazy: rendered in each recipient's language
    if transition.action == "start_judging":
        from apps.hackathons.services.judging import assignments_create

        assignments_create(hackathon=hackathon)
    if transition.action == "publish_results":
        events.emit(
            events.RESULTS_PUBLISHED, hackathon, participants + judges + organisers,
            title=lambda: _("Results of %(title)s are out") % {"title": hackathon.title},
            body=lambda: _("See the leaderboard and the gallery of submissions."),
            url=f"/hackathons/{hackathon.slug}/results/",
        )
        return
    recipients = organisers + participants
    if transition.action in ("publish", "start_judging", "cancel"):
        recipients += judges  # on "publish", judges added to the draft learn of it
    events.emit(
        events.PHASE_CHANGED, hackathon, recipients,
        title=lambda: _("%(title)s: %(state)s") % {"title": hackathon.title, "state": state_label},
        body=hackathon.cancellation_reason if transition.action == "cancel" else "",
    )


@transaction.atomic
def hackathon_transition(*, actor, hackathon: Hackathon, action: str, reason: str = "") -> Hackathon:
    """Move a hackathon to its next state; `actor=None` is the scheduler."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidInput(errors={"action": [_("Unknown action.")]})
    if actor is not None:
        require_organiser(actor, hackathon)
    hackathon = lock_hackathon(hackathon.pk)
    if hackathon.state not in transition.sources:
        raise Conflict(
            _("A hackathon that is “%(state)s” cannot do “%(action)s”.")
            % {"state": hackathon.get_state_display(), "action": transition.label}
        )
    now = timezone.now()
    problems = transition.precondition(hackathon, now)
    if action == "cancel" and not reason.strip():
        raise InvalidInput(errors={"reason": [_("Tell participants why the hackathon is cancelled.")]})
    if problems:
        raise Conflict(" ".join(str(p) for p in problems), errors={"action": [str(p) for p in problems]})
    previous = hackathon.state
    hackathon.state = transition.target
    update = ["state", "updated_at"]
    if action == "publish_results":
        hackathon.results_published_at = now
        update.append("results_published_at")
    if action == "cancel":
        hackathon.cancellation_reason = reason.strip()
        update.append("cancellation_reason")
    hackathon.save(update_fields=update)
    HackathonTransition.objects.create(
        hackathon=hackathon, from_state=previous, to_state=hackathon.state, actor=actor, reason=reason.strip()
    )
    _after_transition(hackathon, transition, now)
    return hackathon


# Which timed move is due, by state: (deadline field, action).
TIMED = {
    State.PUBLISHED: ("registration_opens_at", "open_registration"),
    State.REGISTRATION_OPEN: ("hacking_starts_at", "start_hacking"),
    State.IN_PROGRESS: ("hacking_ends_at", "start_judging"),
}


def hackathons_advance(*, now=None) -> list[tuple[int, str]]:
    """Apply every timed transition that is due; safe to run at any frequency."""
    now = now or timezone.now()
    due = Q()
    for state, (field, _action) in TIMED.items():
        due |= Q(state=state, **{f"{field}__lte": now})
    moved = []
    for hackathon in Hackathon.objects.filter(due).order_by("id"):
        _field, action = TIMED[hackathon.state]
        try:
            hackathon_transition(actor=None, hackathon=hackathon, action=action)
        except Conflict as exc:
            logger.info("hackathon %s cannot %s yet: %s", hackathon.pk, action, exc.message)
            continue
        moved.append((hackathon.pk, action))
    return moved


# --- Deadline reminders -----------------------------------------------------------

REMINDER_LEAD = timezone.timedelta(hours=24)


def _reminders(hackathon: Hackathon):
    """(kind, deadline, who, message) of each reminder that applies to the current state."""
    participants = lambda: _participants(hackathon)  # noqa: E731
    if hackathon.state == State.REGISTRATION_OPEN:
        yield ("registration_closes", hackathon.registration_closes_at, participants,
               gettext_lazy("Registration for %(title)s closes at %(when)s"))
    if hackathon.state in (State.REGISTRATION_OPEN, State.IN_PROGRESS):
        yield ("hacking_ends", hackathon.hacking_ends_at, participants,
               gettext_lazy("Submissions for %(title)s close at %(when)s"))
    if hackathon.state == State.JUDGING:
        yield ("judging_ends", hackathon.judging_ends_at,
               lambda: [j.user for j in hackathon.judges.select_related("user")],
               gettext_lazy("Judging of %(title)s ends at %(when)s"))


def deadline_reminders_send(*, now=None) -> int:
    """Remind people 24 hours before each deadline; each reminder goes out once."""
    now = now or timezone.now()
    sent = 0
    active = Hackathon.objects.filter(
        state__in=[State.REGISTRATION_OPEN, State.IN_PROGRESS, State.JUDGING]
    )
    for hackathon in active:
        for kind, deadline, who, message in _reminders(hackathon):
            if not (now < deadline <= now + REMINDER_LEAD):
                continue
            with transaction.atomic():
                _, created = ReminderSent.objects.get_or_create(hackathon=hackathon, kind=kind)
                if not created:
                    continue
                events.emit(
                    events.DEADLINE_REMINDER, hackathon, who(),
                    title=lambda: message % {"title": hackathon.title, "when": local_time(hackathon, deadline)},
                )
                sent += 1
    return sent

