"""Every write of meetups: chapters, events, RSVPs with a waitlist, check-in, talks, feeds."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.core import seats
from apps.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from apps.core.images import image_reencoded
from apps.meetups import permissions
from apps.meetups.models import (
    LANGUAGES,
    MAX_QUESTIONS,
    CalendarFeed,
    CallForSpeakers,
    Chapter,
    ChapterMembership,
    Event,
    EventTransition,
    Invitation,
    Question,
    Rsvp,
    Talk,
    TalkRepository,
)
from apps.notifications.services import notify

Status = Rsvp.Status
State = Event.State
ACTIVE = (Status.GOING, Status.PENDING, Status.WAITLISTED, Status.OFFERED)
LOCATION_FIELDS = ("starts_at", "ends_at", "venue", "address", "online_url", "timezone")
MAX_COVER_BYTES = 5 * 1024 * 1024
COVER_SIZE = (1600, 900)
EVENT_FIELDS = (
    "title", "description", "timezone", "starts_at", "ends_at", "venue", "address", "online_url",
    "address_visibility", "languages", "tags", "join_policy", "capacity", "rsvp_deadline", "max_guests",
    "waitlist_mode", "offer_hours", "cover_image",
)


def _event_url(event: Event) -> str:
    return reverse("meetups:event", args=[event.slug])


def _when(event: Event, moment) -> str:
    return f"{date_format(timezone.localtime(moment, event.tz), 'DATETIME_FORMAT')} ({event.timezone})"


def _tell(kind: str, event: Event, recipients, title, body="") -> None:
    notify(recipients=recipients, kind=f"meetups.{kind}", title=title, body=body, url=_event_url(event))


def _unique_slug(model, text: str) -> str:
    base = slugify(text)[:120] or "meetup"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _lock(event_id: int) -> Event:
    """The event row serialises every decision about its places."""
    return Event.objects.select_for_update(of=("self",)).select_related("chapter").get(pk=event_id)


def _require_organiser(actor, event: Event) -> None:
    if actor is None or not permissions.is_organiser(actor, event):
        raise NotAllowed(_("Only the organisers of this event can do that."))


def places_taken(event: Event) -> int:
    """Places held by people going and by open offers, guests included."""
    return Rsvp.objects.filter(event=event, status__in=Rsvp.HOLDS_PLACE).aggregate(
        n=Sum(F("guests") + 1, default=0)
    )["n"]


# Chapters


@transaction.atomic
def chapter_create(*, actor, name: str, region: str, description: str = "", organisers=()) -> Chapter:
    if not permissions.can_create_chapter(actor):
        raise NotAllowed(_("Only staff can create chapters."))
    if not name.strip():
        raise InvalidInput(errors={"name": [_("Give the chapter a name.")]})
    chapter = Chapter.objects.create(
        name=name.strip(), slug=_unique_slug(Chapter, name), region=region, description=description
    )
    chapter.organisers.set(list(organisers) or [actor])
    return chapter


@transaction.atomic
def chapter_join(*, user, chapter: Chapter) -> ChapterMembership:
    if not user.is_authenticated:
        raise NotAllowed()
    membership, _created = ChapterMembership.objects.get_or_create(chapter=chapter, user=user)
    return membership


@transaction.atomic
def chapter_leave(*, user, chapter: Chapter) -> None:
    if not ChapterMembership.objects.filter(chapter=chapter, user=user).delete()[0]:
        raise Conflict(_("You are not a member of this chapter."))


# Events


def event_schedule_errors(fields: dict) -> dict[str, list[str]]:
    """Field errors of an event's times; the form asks too, so they show as soon as they are typed."""
    errors = {}
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if starts and ends and ends <= starts:
        errors["ends_at"] = [_("The event must end after it starts.")]
    deadline = fields.get("rsvp_deadline")
    if deadline and starts and deadline > starts:
        errors["rsvp_deadline"] = [_("The RSVP deadline must be before the event starts.")]
    return errors


def _clean_event(fields: dict, questions) -> None:
    errors = event_schedule_errors(fields)
    if "title" in fields and not str(fields["title"]).strip():
        errors["title"] = [_("Give the event a title.")]
    codes = [code.strip() for code in str(fields.get("languages", "es")).split(",") if code.strip()]
    known = {code for code, _label in LANGUAGES}
    if not codes or set(codes) - known:
        errors["languages"] = [_("Use language codes among: %(codes)s.") % {"codes": ", ".join(sorted(known))}]
    if not (fields.get("venue") or fields.get("address") or fields.get("online_url")):
        errors["venue"] = [_("Give a venue or address, an online URL, or both.")]
    if questions is not None and len(questions) > MAX_QUESTIONS:
        errors["questions"] = [_("At most %(n)d questions.") % {"n": MAX_QUESTIONS}]
    if errors:
        raise InvalidInput(errors=errors)


def _set_questions(event: Event, questions) -> None:
    """Replace the questions position by position, so answers already given keep their question."""
    if questions is None:
        return
    wanted = [q for q in questions if str(q.get("text", "")).strip()]
    existing = list(event.questions.order_by("position", "id"))
    for position, q in enumerate(wanted):
        text, required = str(q["text"]).strip()[:200], bool(q.get("required"))
        if position < len(existing):
            row = existing[position]
            row.text, row.required, row.position = text, required, position
            row.save(update_fields=["text", "required", "position"])
        else:
            Question.objects.create(event=event, text=text, required=required, position=position)
    Question.objects.filter(pk__in=[row.pk for row in existing[len(wanted):]]).delete()


def _cover_attach(event: Event, cover) -> None:
    """Store a re-encoded copy of the uploaded cover; the old file goes once the change is committed."""
    content = image_reencoded(cover, field="cover", max_bytes=MAX_COVER_BYTES, size=COVER_SIZE, crop=False)
    old = event.cover_image.name
    event.cover_image.save(content.name, content, save=False)
    if old:
        storage = event.cover_image.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def event_create(*, actor, chapter: Chapter | None = None, questions=None, cover=None, **fields) -> Event:
    """A new event, as a draft its organisers publish when ready."""
    if chapter is not None and not permissions.is_chapter_organiser(actor, chapter):
        raise NotAllowed(_("Only the chapter's organisers can add events to it."))
    if chapter is None and not permissions.can_create_event(actor):
        raise NotAllowed(_("Only organisers can create events."))
    fields = {k: v for k, v in fields.items() if k in EVENT_FIELDS}
    _clean_event(fields, questions)
    event = Event(chapter=chapter, created_by=actor, slug=_unique_slug(Event, fields["title"]), **fields)
    event.title = event.title.strip()
    event.full_clean(exclude=["slug", "cover_image"])
    if cover:
        _cover_attach(event, cover)
    event.save()
    event.organisers.add(actor)
    _set_questions(event, questions)
    EventTransition.objects.create(event=event, action="create", from_state=State.DRAFT, to_state=State.DRAFT, actor=actor)
    return event


@transaction.atomic
def event_update(*, actor, event: Event, questions=None, cover=None, **fields) -> Event:
    """Edit an event; attendees hear when the time or place changes, a raised capacity admits the waitlist."""
    _require_organiser(actor, event)
    event = _lock(event.pk)
    if event.state in (State.CANCELLED, State.FINISHED):
        raise Conflict(_("A cancelled or finished event cannot be changed."))
    fields = {k: v for k, v in fields.items() if k in EVENT_FIELDS}
    merged = {name: getattr(event, name) for name in EVENT_FIELDS} | fields
    _clean_event(merged, questions)
    moved = [name for name in LOCATION_FIELDS if name in fields and fields[name] != getattr(event, name)]
    for name, value in fields.items():
        setattr(event, name, value)
    event.full_clean(exclude=["slug", "cover_image"])
    if cover:
        _cover_attach(event, cover)
    event.save()
    _set_questions(event, questions)
    if moved and event.state == State.PUBLISHED:
        EventTransition.objects.create(
            event=event, action="change", from_state=event.state, to_state=event.state, actor=actor,
            reason=", ".join(moved),
        )
        people = [r.user for r in event.rsvps.filter(status__in=ACTIVE).select_related("user")]
        _tell(
            "event_changed", event, people,
            title=lambda: _("%(title)s has changed: check the time and place") % {"title": event.title},
            body=lambda: _("Now: %(when)s. %(where)s") % {"when": _when(event, event.starts_at), "where": event.venue},
        )
    _fill_places(event)
    return event


TRANSITIONS = {
    "publish": ((State.DRAFT,), State.PUBLISHED),
    "cancel": ((State.DRAFT, State.PUBLISHED), State.CANCELLED),
    "finish": ((State.PUBLISHED,), State.FINISHED),
}


@transaction.atomic
def event_transition(*, actor, event: Event, action: str, reason: str = "") -> Event:
    """Publish, cancel (with a reason attendees are told) or finish an event; each step is audited."""
    _require_organiser(actor, event)
    if action not in TRANSITIONS:
        raise InvalidInput(errors={"action": [_("Unknown action.")]})
    event = _lock(event.pk)
    sources, target = TRANSITIONS[action]
    if event.state not in sources:
        raise Conflict(_("That step is not possible while the event is %(state)s.") % {"state": event.get_state_display().lower()})
    if action == "cancel" and not reason.strip():
        raise InvalidInput(errors={"reason": [_("Tell attendees why the event is cancelled.")]})
    if action == "finish" and timezone.now() < event.starts_at:
        raise Conflict(_("An event can only be finished once it has started."))
    EventTransition.objects.create(
        event=event, action=action, from_state=event.state, to_state=target, actor=actor, reason=reason.strip()
    )
    event.state = target
    if action == "cancel":
        event.cancellation_reason = reason.strip()
        offers = event.rsvps.filter(status=Status.OFFERED)
        offers.update(status=Status.WAITLISTED, offer_expires_at=None)
        people = [r.user for r in event.rsvps.filter(status__in=ACTIVE).select_related("user")]
        _tell(
            "event_cancelled", event, people,
            title=lambda: _("%(title)s is cancelled") % {"title": event.title}, body=event.cancellation_reason,
        )
    event.save(update_fields=["state", "cancellation_reason", "updated_at"])
    return event


@transaction.atomic
def invitations_add(*, actor, event: Event, emails: list[str]) -> int:
    _require_organiser(actor, event)
    created = Invitation.objects.bulk_create(
        [Invitation(event=event, email=e) for e in seats.invitation_emails(emails)], ignore_conflicts=True
    )
    return len(created)


# RSVPs


def _refuse_closed(event: Event, now) -> None:
    if event.state == State.CANCELLED:
        raise Conflict(_("This event was cancelled."))
    if event.state == State.FINISHED or now >= event.ends_at:
        raise Conflict(_("This event is over."))
    if event.state != State.PUBLISHED:
        raise Conflict(_("This event is not open for RSVPs yet."))
    if event.rsvp_deadline and now >= event.rsvp_deadline:
        raise Conflict(_("The RSVP deadline has passed (%(when)s).") % {"when": _when(event, event.rsvp_deadline)})


def _clean_answers(event: Event, answers: dict) -> dict:
    answers = {str(k): str(v).strip()[:1000] for k, v in (answers or {}).items()}
    cleaned, errors = {}, {}
    for question in event.questions.all():
        value = answers.get(str(question.id), "")
        if question.required and not value:
            errors[f"question_{question.id}"] = [_("Please answer this question.")]
        cleaned[str(question.id)] = value
    if errors:
        raise InvalidInput(_("Some answers are missing."), errors=errors)
    return cleaned


def _queue(event: Event):
    return event.rsvps.filter(status=Status.WAITLISTED).select_related("user").order_by("queued_at", "id")


def _fill_places(event: Event) -> list[Rsvp]:
    """Give freed places to the front of the waitlist, at once or as offers (caller holds the lock)."""
    if event.state != State.PUBLISHED or timezone.now() >= event.ends_at:
        return []
    offer = event.waitlist_mode == Event.WaitlistMode.OFFER

    def admit(rsvp: Rsvp) -> None:
        if offer:
            rsvp.status = Status.OFFERED
            rsvp.offer_expires_at = timezone.now() + timedelta(hours=event.offer_hours)
            rsvp.save(update_fields=["status", "offer_expires_at", "updated_at"])
            deadline = _when(event, rsvp.offer_expires_at)
            _tell(
                "place_offered", event, [rsvp.user],
                title=lambda: _("A place at %(title)s is yours if you confirm") % {"title": event.title},
                body=lambda: _("Confirm before %(when)s or it passes to the next person.") % {"when": deadline},
            )
        else:
            rsvp.status = Status.GOING
            rsvp.save(update_fields=["status", "updated_at"])
            _tell("promoted", event, [rsvp.user], title=lambda: _("A place opened up: you are going to %(title)s") % {"title": event.title})

    taken = places_taken(event)
    queue = _queue(event)
    if event.capacity is not None:
        queue = queue[: max(event.capacity - taken, 0)]
    return seats.fill_from_waitlist(
        capacity=event.capacity, taken=taken, queue=queue, places_of=lambda rsvp: rsvp.places, admit=admit
    )


@transaction.atomic
def rsvp_going(*, user, event: Event, guests: int = 0, answers: dict | None = None, share_data: bool = False) -> Rsvp:
    """RSVP yes: going while there is room (guests included), else on the waitlist, or pending approval."""
    if not user.is_authenticated:
        raise NotAllowed(_("Sign in to RSVP."))
    event = _lock(event.pk)
    now = timezone.now()
    _refuse_closed(event, now)
    if event.join_policy == Event.JoinPolicy.INVITE and not Invitation.objects.filter(
        event=event, email__iexact=user.email or ""
    ).exists() and not permissions.is_organiser(user, event):
        raise NotAllowed(_("This event is by invitation only."))
    if guests < 0 or guests > event.max_guests:
        message = (
            _("This event does not allow guests.") if event.max_guests == 0
            else _("You can bring at most %(n)d guests.") % {"n": event.max_guests}
        )
        raise InvalidInput(message, errors={"guests": [message]})
    cleaned = _clean_answers(event, answers or {})
    rsvp = Rsvp.objects.filter(event=event, user=user).first()
    if rsvp and rsvp.status == Status.REMOVED:
        raise NotAllowed(_("The organisers removed you from this event."))
    if rsvp and rsvp.status in ACTIVE:
        raise Conflict(_("You have already RSVPed to this event."))
    rsvp = rsvp or Rsvp(event=event, user=user)
    someone_waiting = event.rsvps.filter(status__in=(Status.WAITLISTED, Status.OFFERED)).exists()
    decision = seats.admission(
        capacity=event.capacity, taken=places_taken(event), wanted=1 + guests,
        needs_approval=event.join_policy == Event.JoinPolicy.APPROVAL,
    )
    if decision == seats.Admission.ADMIT and someone_waiting:
        decision = seats.Admission.WAITLIST  # nobody jumps the queue
    rsvp.status = {
        seats.Admission.ADMIT: Status.GOING, seats.Admission.WAITLIST: Status.WAITLISTED,
        seats.Admission.PENDING: Status.PENDING,
    }[decision]
    rsvp.guests, rsvp.answers, rsvp.share_data = guests, cleaned, share_data
    rsvp.queued_at = now if rsvp.status == Status.WAITLISTED else None
    rsvp.offer_expires_at, rsvp.removal_reason = None, ""
    rsvp.save()
    if rsvp.status == Status.GOING:
        _tell("rsvp_confirmed", event, [user], title=lambda: _("You are going to %(title)s") % {"title": event.title})
    elif rsvp.status == Status.WAITLISTED:
        _tell("waitlisted", event, [user], title=lambda: _("You are on the waitlist for %(title)s") % {"title": event.title})
    return rsvp


@transaction.atomic
def rsvp_cancel(*, user, event: Event) -> Rsvp:
    """RSVP no (or decline an offer); a freed place goes to the waitlist."""
    event = _lock(event.pk)
    rsvp = Rsvp.objects.filter(event=event, user=user).first()
    if rsvp is None or rsvp.status not in ACTIVE:
        raise Conflict(_("You have not RSVPed to this event."))
    if event.state == State.FINISHED or timezone.now() >= event.ends_at:
        raise Conflict(_("This event is over."))
    rsvp.status, rsvp.offer_expires_at, rsvp.checked_in_at, rsvp.queued_at = Status.NOT_GOING, None, None, None
    rsvp.save(update_fields=["status", "offer_expires_at", "checked_in_at", "queued_at", "updated_at"])
    _fill_places(event)
    return rsvp


@transaction.atomic
def rsvp_offer_accept(*, user, event: Event) -> Rsvp:
    event = _lock(event.pk)
    rsvp = Rsvp.objects.filter(event=event, user=user).first()
    if rsvp is None or rsvp.status != Status.OFFERED:
        raise Conflict(_("You have no place offered at this event."))
    if rsvp.offer_expires_at <= timezone.now():
        raise Conflict(_("This offer has expired."))
    if event.state != State.PUBLISHED:
        raise Conflict(_("This event is no longer open for RSVPs."))
    rsvp.status, rsvp.offer_expires_at, rsvp.queued_at = Status.GOING, None, None
    rsvp.save(update_fields=["status", "offer_expires_at", "queued_at", "updated_at"])
    _tell("rsvp_confirmed", event, [user], title=lambda: _("You are going to %(title)s") % {"title": event.title})
    return rsvp


def offers_expire(now=None) -> int:
    """Pass every unclaimed offer past its deadline to the next person (the scheduled task)."""
    now = now or timezone.now()
    event_ids = set(Rsvp.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now).values_list("event_id", flat=True))
    expired = 0
    for event_id in sorted(event_ids):
        with transaction.atomic():
            event = _lock(event_id)
            lapsed = list(event.rsvps.filter(status=Status.OFFERED, offer_expires_at__lte=now).select_related("user"))
            for rsvp in lapsed:
                rsvp.status, rsvp.offer_expires_at, rsvp.queued_at = Status.NOT_GOING, None, None
                rsvp.save(update_fields=["status", "offer_expires_at", "queued_at", "updated_at"])
            if lapsed:
                _tell(
                    "offer_expired", event, [r.user for r in lapsed],
                    title=lambda: _("Your offered place at %(title)s has expired") % {"title": event.title},
                )
            expired += len(lapsed)
            _fill_places(event)
    return expired


@transaction.atomic
def rsvp_promote(*, actor, rsvp: Rsvp) -> Rsvp:
    """Organisers admit someone waiting (for approval or on the waitlist) by hand, within capacity."""
    _require_organiser(actor, rsvp.event)
    event = _lock(rsvp.event_id)
    rsvp = Rsvp.objects.select_for_update().select_related("user").get(pk=rsvp.pk)
    if rsvp.status not in (Status.PENDING, Status.WAITLISTED, Status.OFFERED):
        raise Conflict(_("Only people waiting can be promoted."))
    holds = rsvp.places if rsvp.status == Status.OFFERED else 0
    if not seats.has_room(capacity=event.capacity, taken=places_taken(event) - holds, wanted=rsvp.places):
        if rsvp.status != Status.PENDING:
            raise Conflict(_("The event is full: raise the capacity first."))
        rsvp.status, rsvp.queued_at = Status.WAITLISTED, timezone.now()
        rsvp.save(update_fields=["status", "queued_at", "updated_at"])
        _tell("waitlisted", event, [rsvp.user], title=lambda: _("You are on the waitlist for %(title)s") % {"title": event.title})
        return rsvp
    rsvp.status, rsvp.offer_expires_at, rsvp.queued_at = Status.GOING, None, None
    rsvp.save(update_fields=["status", "offer_expires_at", "queued_at", "updated_at"])
    _tell("promoted", event, [rsvp.user], title=lambda: _("You are going to %(title)s") % {"title": event.title})
    return rsvp


@transaction.atomic
def rsvp_remove(*, actor, rsvp: Rsvp, reason: str) -> Rsvp:
    """Organisers take someone off the event with a reason they are told; the waitlist moves up."""
    _require_organiser(actor, rsvp.event)
    if not reason.strip():
        raise InvalidInput(errors={"reason": [_("Give the person a reason.")]})
    event = _lock(rsvp.event_id)
    rsvp = Rsvp.objects.select_for_update().select_related("user").get(pk=rsvp.pk)
    if rsvp.status not in ACTIVE:
        raise Conflict(_("Only people who RSVPed can be removed."))
    rsvp.status, rsvp.removal_reason = Status.REMOVED, reason.strip()
    rsvp.offer_expires_at = rsvp.checked_in_at = rsvp.queued_at = None
    rsvp.save(update_fields=["status", "removal_reason", "offer_expires_at", "checked_in_at", "queued_at", "updated_at"])
    _tell(
        "removed", event, [rsvp.user],
        title=lambda: _("The organisers removed you from %(title)s") % {"title": event.title}, body=rsvp.removal_reason,
    )
    _fill_places(event)
    return rsvp


@transaction.atomic
def rsvp_check_in(*, actor, event: Event, code: str = "", rsvp: Rsvp | None = None, undo: bool = False) -> Rsvp:
    """Check a confirmed attendee in at the door by code (typed or scanned) or from the list; or undo."""
    _require_organiser(actor, event)
    if rsvp is None:
        rsvp = Rsvp.objects.filter(event=event, checkin_code=code.strip().upper()).select_related("user").first()
        if rsvp is None:
            raise NotFound(_("No attendee of this event has that code."))
    elif rsvp.event_id != event.pk:
        raise NotFound()
    if event.state == State.CANCELLED:
        raise Conflict(_("This event was cancelled."))
    if rsvp.status != Status.GOING:
        raise Conflict(_("Only attendees who are going can be checked in."))
    rsvp.checked_in_at = None if undo else (rsvp.checked_in_at or timezone.now())
    rsvp.save(update_fields=["checked_in_at", "updated_at"])
    return rsvp


def reminders_send(now=None) -> int:
    """Remind everyone going, once, in the 24 hours before the event (the scheduled task)."""
    now = now or timezone.now()
    due = Rsvp.objects.filter(
        status=Status.GOING, reminded_at__isnull=True, event__state=State.PUBLISHED,
        event__starts_at__gt=now, event__starts_at__lte=now + timedelta(hours=24),
    )
    sent = 0
    for event_id in sorted(set(due.values_list("event_id", flat=True))):
        with transaction.atomic():
            event = Event.objects.get(pk=event_id)
            rows = list(due.filter(event_id=event_id).select_for_update(skip_locked=True).select_related("user"))
            # Marked in the same transaction as the notifications: a second run finds nothing to do.
            Rsvp.objects.filter(pk__in=[r.pk for r in rows]).update(reminded_at=now)
            _tell(
                "reminder", event, [r.user for r in rows],
                title=lambda: _("Tomorrow: %(title)s") % {"title": event.title},
                body=lambda: _("Starts %(when)s.") % {"when": _when(event, event.starts_at)},
            )
            sent += len(rows)
    return sent


# Talks and the call for speakers


def _set_repositories(talk: Talk, repositories) -> None:
    rows, bad = [], []
    for item in repositories or []:
        kind, repo_id = item.get("kind", "model"), str(item.get("repo_id", "")).strip()
        if kind not in ("model", "dataset") or repo_id.count("/") != 1 or len(repo_id) > 193:
            bad.append(repo_id[:80])
        else:
            rows.append(TalkRepository(talk=talk, kind=kind, repo_id=repo_id))
    if bad:
        raise InvalidInput(errors={"repositories": [_("Use Hub repository ids like owner/name: %(list)s") % {"list": ", ".join(bad)}]})
    TalkRepository.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def talk_add(*, actor, event: Event, title: str, speakers, abstract: str = "", language: str = "es",
             starts_at=None, duration_minutes: int = 20, repositories=()) -> Talk:
    """Organisers put a talk straight on an event's agenda."""
    _require_organiser(actor, event)
    if not title.strip():
        raise InvalidInput(errors={"title": [_("Give the talk a title.")]})
    if starts_at and not (event.starts_at <= starts_at < event.ends_at):
        raise InvalidInput(errors={"starts_at": [_("The talk must start during the event.")]})
    talk = Talk.objects.create(
        event=event, chapter=event.chapter, title=title.strip(), abstract=abstract, language=language,
        starts_at=starts_at, duration_minutes=duration_minutes, status=Talk.Status.ACCEPTED, proposed_by=actor,
    )
    talk.speakers.set(list(speakers))
    _set_repositories(talk, repositories)
    return talk


@transaction.atomic
def call_for_speakers_open(*, actor, chapter: Chapter, description: str = "", closes_at=None) -> CallForSpeakers:
    if not permissions.is_chapter_organiser(actor, chapter):
        raise NotAllowed(_("Only the chapter's organisers can do that."))
    call, _created = CallForSpeakers.objects.update_or_create(
        chapter=chapter, defaults={"description": description, "closes_at": closes_at, "is_open": True}
    )
    return call


@transaction.atomic
def call_for_speakers_close(*, actor, chapter: Chapter) -> None:
    if not permissions.is_chapter_organiser(actor, chapter):
        raise NotAllowed(_("Only the chapter's organisers can do that."))
    CallForSpeakers.objects.filter(chapter=chapter).update(is_open=False)


def speakers_by_username(names) -> list:
    """Members named by username, all of them or a clear error."""
    from apps.accounts.models import User

    names = {name.strip().lstrip("@") for name in names if name.strip()}
    found = list(User.objects.filter(username__in=names, is_active=True))
    if not names or len(found) != len(names):
        raise InvalidInput(errors={"speakers": [_("Every speaker must be a member (by username).")]})
    return found


@transaction.atomic
def talk_propose(*, user, chapter: Chapter, title: str, abstract: str = "", language: str = "es",
                 duration_minutes: int = 20, repositories=()) -> Talk:
    """A member answers a chapter's call for speakers."""
    if not user.is_authenticated:
        raise NotAllowed(_("Sign in to propose a talk."))
    call = CallForSpeakers.objects.filter(chapter=chapter).first()
    if call is None or not call.is_open or (call.closes_at and call.closes_at <= timezone.now()):
        raise Conflict(_("This chapter's call for speakers is not open."))
    errors = {}
    if not title.strip():
        errors["title"] = [_("Give the talk a title.")]
    if not abstract.strip():
        errors["abstract"] = [_("Tell the organisers what the talk is about.")]
    if errors:
        raise InvalidInput(errors=errors)
    talk = Talk.objects.create(
        chapter=chapter, title=title.strip(), abstract=abstract.strip(), language=language,
        duration_minutes=duration_minutes, proposed_by=user,
    )
    talk.speakers.add(user)
    _set_repositories(talk, repositories)
    return talk


@transaction.atomic
def talk_decide(*, actor, talk: Talk, accept: bool | None, note: str = "", event: Event | None = None, starts_at=None) -> Talk:
    """Accept (optionally onto an event's agenda) or decline a proposal with a note to the speaker.

    `accept` None (a form sent without its button) is refused: it must not count as a decline."""
    if not permissions.can_decide_talk(actor, talk):
        raise NotAllowed(_("Only the chapter's organisers can decide on talks."))
    if accept is None:
        raise InvalidInput(errors={"accept": [_("Choose whether to accept or decline the talk.")]})
    if talk.status != Talk.Status.PROPOSED:
        raise Conflict(_("This proposal was already decided."))
    if event is not None and (event.chapter_id != talk.chapter_id or not permissions.is_organiser(actor, event)):
        raise InvalidInput(errors={"event": [_("Choose an event of this chapter.")]})
    talk.status = Talk.Status.ACCEPTED if accept else Talk.Status.DECLINED
    talk.decision_note = note.strip()
    if accept and event is not None:
        talk.event, talk.starts_at = event, starts_at
    talk.save()
    title = (
        (lambda: _("Your talk “%(title)s” was accepted") % {"title": talk.title}) if accept
        else (lambda: _("Your talk “%(title)s” was not accepted") % {"title": talk.title})
    )
    notify(
        recipients=list(talk.speakers.all()), kind="meetups.talk_decided", title=title, body=talk.decision_note,
        url=reverse("meetups:chapter", args=[talk.chapter.slug]),
    )
    return talk


# Personal calendar feed


def feed_for(user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def feed_reset(*, user) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    feed = feed_for(user)
    feed.token = CalendarFeed._meta.get_field("token").default()
    feed.save(update_fields=["token"])
    return feed
