"""A meetup's attendees and a chapter's members as announcement audiences.

Registered from `MeetupsConfig.ready`; see apps/notifications/audiences.py for the contract.
Who may announce is decided by apps/meetups/permissions.py, like every other meetup check.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.meetups.models import Chapter, ChapterMembership, Event, Rsvp, Talk
from apps.meetups.permissions import is_chapter_organiser, is_organiser
from apps.notifications.audiences import AudienceProvider

EVENT_SUBSETS = {
    "attendees": _("Everyone with an RSVP (going, offered a place or on the waitlist)"),
    "going": _("People going"),
    "waitlisted": _("People on the waitlist"),
    "offered": _("People offered a place who have not confirmed yet"),
    "speakers": _("Speakers of its talks"),
}
_EVENT_STATUSES = {
    "attendees": [Rsvp.Status.GOING, Rsvp.Status.OFFERED, Rsvp.Status.WAITLISTED],
    "going": [Rsvp.Status.GOING],
    "waitlisted": [Rsvp.Status.WAITLISTED],
    "offered": [Rsvp.Status.OFFERED],
}


def _event(params) -> Event | None:
    return Event.objects.filter(slug=params.get("meetup", "")).first()


def _chapter(params) -> Chapter | None:
    return Chapter.objects.filter(slug=params.get("chapter", "")).first()


def _event_recipients(params):
    users = get_user_model().objects.all()
    event = _event(params)
    subset = params.get("subset", "attendees")
    if event is None or subset not in EVENT_SUBSETS:
        return users.none()
    if subset == "speakers":
        talks = Talk.objects.filter(event=event).exclude(status=Talk.Status.DECLINED)
        return users.filter(meetup_talks__in=talks).distinct()
    rsvps = Rsvp.objects.filter(event=event, status__in=_EVENT_STATUSES[subset])
    return users.filter(pk__in=rsvps.values("user_id"))


def _describe_event(params) -> str:
    event = _event(params)
    subset = EVENT_SUBSETS.get(params.get("subset", "attendees"), "")
    return f"{event.title if event else '?'} · {subset}"


def _chapter_recipients(params):
    users = get_user_model().objects.all()
    chapter = _chapter(params)
    if chapter is None:
        return users.none()
    return users.filter(pk__in=ChapterMembership.objects.filter(chapter=chapter).values("user_id"))


def _describe_chapter(params) -> str:
    chapter = _chapter(params)
    members = _("Members of the chapter")
    return f"{chapter.name if chapter else '?'} · {members}"


MEETUP_ATTENDEES = AudienceProvider(
    key="meetup",
    label=_("Attendees of a meetup"),
    recipients=_event_recipients,
    can_announce=lambda user, params: (event := _event(params)) is not None and is_organiser(user, event),
    describe=_describe_event,
    subsets=EVENT_SUBSETS,
    query_params=("meetup",),
    about=lambda params: (event.title, reverse("meetups:event", args=[event.slug])) if (event := _event(params)) else None,
)

CHAPTER_MEMBERS = AudienceProvider(
    key="chapter",
    label=_("Members of a chapter"),
    recipients=_chapter_recipients,
    can_announce=lambda user, params: is_chapter_organiser(user, _chapter(params)),
    describe=_describe_chapter,
    query_params=("chapter",),
    about=lambda params: (chapter.name, reverse("meetups:chapter", args=[chapter.slug])) if (chapter := _chapter(params)) else None,
)
