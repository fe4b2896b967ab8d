"""Members' data rights in meetups: their part of the personal-data download, and what
happens to their RSVPs, memberships and calendar feed when they delete their account."""

from django.utils import timezone

from apps.accounts import personal_data as pd
from apps.meetups.models import CalendarFeed, Chapter, ChapterMembership, Event, EventTransition, Rsvp, Talk


def _iso(moment):
    return moment.isoformat() if moment else None


def meetups_export(user) -> dict:
    return {"meetups": {
        "rsvps": [
            {
                "event": r.event.slug, "status": r.status, "guests": r.guests, "answers": r.answers,
                "share_data": r.share_data, "checked_in_at": _iso(r.checked_in_at), "created_at": _iso(r.created_at),
            }
            for r in Rsvp.objects.filter(user=user).select_related("event").order_by("created_at", "id")
        ],
        "chapters": list(ChapterMembership.objects.filter(user=user).order_by("id").values_list("chapter__slug", flat=True)),
        "talks": list(Talk.objects.filter(speakers=user).order_by("id").values("title", "status", "abstract")),
    }}


def meetups_forget(user) -> None:
    """Free their places in events still to come (the waitlist moves up), forget their
    answers, memberships and calendar feed. Talks given stay, as by a deleted member."""
    from apps.meetups.services import ACTIVE, rsvp_cancel

    upcoming = Rsvp.objects.filter(
        user=user, status__in=ACTIVE, event__state=Event.State.PUBLISHED, event__ends_at__gt=timezone.now()
    ).select_related("event")
    for rsvp in upcoming:
        rsvp_cancel(user=user, event=rsvp.event)
    Rsvp.objects.filter(user=user).update(answers={}, share_data=False)
    ChapterMembership.objects.filter(user=user).delete()
    CalendarFeed.objects.filter(user=user).delete()


PERSONAL_DATA = pd.PersonalData(
    app="meetups",
    rules=[
        (Chapter, "organisers", pd.ANONYMISED, "organising is a public role; the chapter keeps its history"),
        (ChapterMembership, "user", pd.DELETED, "memberships end with the account"),
        (Event, "created_by", pd.KEPT, "who created an event is part of its record"),
        (Event, "organisers", pd.ANONYMISED, "organising is a public role; the event keeps its history"),
        (EventTransition, "actor", pd.KEPT, "the event's audit trail"),
        (Rsvp, "user", pd.ANONYMISED, "upcoming places are freed, answers cleared; attendance figures stay"),
        (Talk, "proposed_by", pd.ANONYMISED, "talks given stay, as by a deleted member"),
        (Talk, "speakers", pd.ANONYMISED, "talks given stay, as by a deleted member"),
        (CalendarFeed, "user", pd.DELETED, "the personal feed and its secret address"),
    ],
    export=meetups_export,
    forget=meetups_forget,
)
