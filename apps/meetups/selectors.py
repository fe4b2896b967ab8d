"""Every read of meetups, already filtered by what the viewer may see."""

from datetime import datetime, time

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.accounts.selectors import named_people
from apps.core.statements import CompiledQuery
from apps.meetups import permissions
from apps.meetups.models import Chapter, Event, Rsvp, Talk

GOING = Rsvp.Status.GOING
# What the list of events shows (apps.core.summaries); talks have their own topic, "meetups".
EVENT_LIST_TOPICS = ("meetup-events",)
# A speaker's talks read for their profile, at most (it shows 20; drafts may drop out).
TALKS_READ_MAX = 100


def events_visible_to(user) -> QuerySet[Event]:
    """Published, cancelled and finished events for everyone; drafts for their organisers."""
    visible = ~Q(state=Event.State.DRAFT)
    if user.is_authenticated:
        if user.is_staff:
            return Event.objects.all()
        visible |= Q(organisers=user) | Q(chapter__organisers=user)
    return Event.objects.filter(pk__in=Event.objects.filter(visible).values("pk"))


def event_list_audience(user) -> tuple:
    """Whose view of the list a member shares: staff see every draft, an organiser the
    drafts they or their chapters organise (named, so a new one shows at once), everyone
    else the rest."""
    if user.is_authenticated and user.is_staff:
        return ("staff",)
    if not user.is_authenticated:
        return ("published",)
    drafts = Event.objects.filter(Q(organisers=user) | Q(chapter__organisers=user), state=Event.State.DRAFT)
    return ("published", *sorted(set(drafts.values_list("pk", flat=True))))


def _with_counts(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.select_related("chapter").annotate(
        going_count=Sum("rsvps__guests", filter=Q(rsvps__status=GOING), default=0)
        + Count("rsvps", filter=Q(rsvps__status=GOING)),
    )


def event_list(*, user, region: str = "", chapter: str = "", mode: str = "", language: str = "",
               date_from=None, date_to=None, period: str = "upcoming") -> QuerySet[Event]:
    queryset = events_visible_to(user)
    now = timezone.now()
    if period == "upcoming":
        queryset = queryset.filter(ends_at__gt=now).exclude(state=Event.State.CANCELLED)
    elif period == "past":
        queryset = queryset.filter(ends_at__lte=now)
    if region:
        queryset = queryset.filter(chapter__region=region)
    if chapter:
        queryset = queryset.filter(chapter__slug=chapter)
    if mode == "online":
        queryset = queryset.exclude(online_url="")
    elif mode == "in_person":
        queryset = queryset.filter(~Q(venue="") | ~Q(address=""))
    if language:
        queryset = queryset.filter(languages__contains=language)
    if date_from:
        queryset = queryset.filter(starts_at__gte=timezone.make_aware(datetime.combine(date_from, time.min)))
    if date_to:
        queryset = queryset.filter(starts_at__lte=timezone.make_aware(datetime.combine(date_to, time.max)))
    queryset = _with_counts(queryset)
    return queryset.order_by("-starts_at", "-id") if period == "past" else queryset.order_by("starts_at", "id")


def event_get(*, user, slug: str) -> Event:
    event = get_object_or_404(
        Event.objects.select_related("chapter").prefetch_related(
            Prefetch("organisers", queryset=named_people()), Prefetch("chapter__organisers", queryset=named_people())
        ), slug=slug
    )
    if not permissions.can_view_event(user, event):
        raise Http404
    return event


def agenda(event: Event) -> QuerySet[Talk]:
    return (
        event.talks.filter(status=Talk.Status.ACCEPTED)
        .select_related("proposed_by__profile")
        .prefetch_related("speakers__profile", "repositories")
        .order_by("starts_at", "id")
    )


def going_count(event: Event) -> int:
    return Rsvp.objects.filter(event=event, status=GOING).aggregate(n=Sum("guests", default=0) + Count("id"))["n"]


def event_rsvps(event: Event, *, statuses=None) -> QuerySet[Rsvp]:
    """The organiser's view of who RSVPed, in queue order for the waitlist."""
    queryset = Rsvp.objects.filter(event=event).select_related("user__profile")
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset.order_by("queued_at", "created_at", "id")


def event_stats(event: Event) -> dict:
    """Attendance, no-shows and first-timers for the organiser dashboard."""
    going = Rsvp.objects.filter(event=event, status=GOING)
    arrived = Q(checked_in_at__isnull=False)
    numbers = going.aggregate(
        going=Count("id"), checked_in=Count("id", filter=arrived),
        # People at the door: each RSVP comes with its guests, who are let in with it.
        guests_total=Coalesce(Sum("guests"), 0), guests_checked_in=Coalesce(Sum("guests", filter=arrived), 0),
    )
    numbers["people"] = numbers["going"] + numbers.pop("guests_total")
    numbers["people_checked_in"] = numbers["checked_in"] + numbers.pop("guests_checked_in")
    earlier = Rsvp.objects.filter(
        user=OuterRef("user"), status=GOING, checked_in_at__isnull=False, event__starts_at__lt=event.starts_at
    )
    first_timers = going.filter(checked_in_at__isnull=False).exclude(Exists(earlier)).count()
    finished = event.state == Event.State.FINISHED or event.ends_at <= timezone.now()
    no_shows = numbers["going"] - numbers["checked_in"] if finished else 0
    return {
        **numbers,
        "first_timers": first_timers,
        "no_show_rate": round(100 * no_shows / numbers["going"]) if finished and numbers["going"] else None,
    }


def chapter_list() -> QuerySet[Chapter]:
    now = timezone.now()
    return Chapter.objects.annotate(
        member_count=Count("memberships", distinct=True),
        upcoming_count=Count(
            "events", filter=Q(events__state=Event.State.PUBLISHED, events__ends_at__gt=now), distinct=True
        ),
    ).order_by("name", "id")


def chapter_get(*, slug: str) -> Chapter:
    return get_object_or_404(
        Chapter.objects.prefetch_related(Prefetch("organisers", queryset=named_people())).annotate(member_count=Count("memberships")), slug=slug
    )


def chapter_events(*, user, chapter: Chapter, past: bool) -> QuerySet[Event]:
    return event_list(user=user, chapter=chapter.slug, period="past" if past else "upcoming")


def proposals(chapter: Chapter) -> QuerySet[Talk]:
    return chapter.talks.filter(event__isnull=True).select_related("proposed_by__profile").prefetch_related("repositories").order_by("-created_at", "-id")


def my_events(user) -> QuerySet[Event]:
    """Events a member is going to (their personal calendar feed)."""
    return Event.objects.filter(rsvps__user=user, rsvps__status=GOING).exclude(state=Event.State.DRAFT).select_related("chapter").order_by("starts_at", "id")


def my_upcoming_rsvps(user) -> QuerySet[Rsvp]:
    """A member's places in upcoming published events: going, offered (with its deadline) or queued."""
    return (
        Rsvp.objects.filter(
            user=user, status__in=[GOING, Rsvp.Status.OFFERED, Rsvp.Status.WAITLISTED],
            event__state=Event.State.PUBLISHED, event__ends_at__gt=timezone.now(),
        )
        .select_related("event")
        .order_by("event__starts_at", "event_id")
    )


def my_upcoming_talks(user) -> QuerySet[Talk]:
    """Talks a member gives at upcoming published events (proposed or accepted, not declined)."""
    return (
        Talk.objects.filter(speakers=user, event__state=Event.State.PUBLISHED, event__ends_at__gt=timezone.now())
        .exclude(status=Talk.Status.DECLINED)
        .select_related("event")
        .order_by("event__starts_at", "starts_at", "id")
    )


def _accepted_talks(speaker_id: int) -> QuerySet[Talk]:
    return (
        Talk.objects.filter(speakers=speaker_id, status=Talk.Status.ACCEPTED)
        .select_related("event")
        .order_by("-event__starts_at", "-id")[:TALKS_READ_MAX]
    )


# Read on every view of a talent profile: compiled once.
_accepted_talks_of = CompiledQuery(_accepted_talks, speaker_id=int)


def talks_by_speaker(user, *, viewer, limit: int = 20) -> list[Talk]:
    """A member's accepted talks on events the viewer may see, newest first, for their
    talent profile (read on every view of it).

    Read without `events_visible_to`'s subquery, which cost more to build than the read
    itself: every event but a draft is visible to everyone, so only talks on drafts are
    checked against it, in a second query when there are any."""
    talks = _accepted_talks_of.list(speaker_id=user.pk)
    drafts = {talk.event_id for talk in talks if talk.event.state == Event.State.DRAFT}
    if drafts:
        visible = set(events_visible_to(viewer).filter(pk__in=drafts).values_list("pk", flat=True))
        talks = [talk for talk in talks if talk.event.state != Event.State.DRAFT or talk.event_id in visible]
    return talks[:limit]


def talks_referencing(*, kind: str, repo_id: str) -> QuerySet[Talk]:
    return (
        Talk.objects.filter(
            status=Talk.Status.ACCEPTED, repositories__kind=kind, repositories__repo_id__iexact=repo_id,
            event__state__in=(Event.State.PUBLISHED, Event.State.FINISHED),
        )
        .select_related("event")
        .distinct()
        .order_by("-event__starts_at", "-id")
    )


def meetup_numbers() -> dict[str, int]:
    """Counts for the home page, in one query (registered for `apps.core.selectors.platform_numbers`)."""
    return {"meetups_upcoming": Event.objects.filter(state=Event.State.PUBLISHED, ends_at__gt=timezone.now()).count()}
