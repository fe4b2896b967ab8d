"""Meetup-event rooms (people going, speakers, organisers) and chapter rooms (members, organisers).

Access follows the meetups app's own permission functions. When an RSVP stops holding a
place, a speaker leaves a talk or a member leaves a chapter, the person's open sockets in the
affected room re-check their access (and close with 4403 if it is gone).
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import reverse

from apps.chat.rooms import register_room_kind
from apps.meetups import permissions
from apps.meetups.models import Chapter, ChapterMembership, Event, Rsvp, Talk


def _access_changed(kind: str, object_id: int | None, user_ids) -> None:
    from apps.chat.services import room_access_changed

    if object_id is not None and user_ids:
        room_access_changed(kind=kind, object_id=object_id, user_ids=list(user_ids))


def _rsvp_saved(sender, instance: Rsvp, update_fields=None, **kwargs):
    # Only a status away from "going" can take access away; reminders and check-ins don't.
    if instance.status == Rsvp.Status.GOING or (update_fields and "status" not in update_fields):
        return
    _access_changed("meetup_event", instance.event_id, [instance.user_id])


def _rsvp_deleted(sender, instance: Rsvp, **kwargs):
    _access_changed("meetup_event", instance.event_id, [instance.user_id])


def _membership_deleted(sender, instance: ChapterMembership, **kwargs):
    _access_changed("chapter", instance.chapter_id, [instance.user_id])


def _speakers_changed(sender, instance: Talk, action: str, pk_set=None, **kwargs):
    if action == "pre_clear":
        instance._chat_speakers_before = list(instance.speakers.values_list("pk", flat=True))
    elif action == "post_remove":
        _access_changed("meetup_event", instance.event_id, pk_set)
    elif action == "post_clear":
        _access_changed("meetup_event", instance.event_id, getattr(instance, "_chat_speakers_before", []))


def _event_moderators(event: Event):
    """The event's organisers and its chapter's: the people `permissions.is_organiser` lets moderate."""
    organisers = Q(organised_meetups=event)
    if event.chapter_id is not None:
        organisers |= Q(organised_chapters=event.chapter_id)
    return get_user_model().objects.filter(organisers).distinct()


def register() -> None:
    register_room_kind(
        "meetup_event",
        model=Event,
        resolve=lambda object_id: Event.objects.select_related("chapter").filter(pk=object_id).first(),
        can_read=permissions.can_view_event_room,
        can_post=permissions.can_post_in_event_room,
        can_moderate=permissions.is_organiser,
        can_answer=permissions.is_speaker,
        title=lambda event: event.title,
        url=lambda event: reverse("meetups:event", args=[event.slug]),
        moderators=_event_moderators,
    )
    register_room_kind(
        "chapter",
        model=Chapter,
        resolve=lambda object_id: Chapter.objects.filter(pk=object_id).first(),
        can_read=permissions.can_view_chapter_room,
        can_post=permissions.can_post_in_chapter_room,
        can_moderate=permissions.is_chapter_organiser,
        title=lambda chapter: chapter.name,
        url=lambda chapter: reverse("meetups:chapter", args=[chapter.slug]),
        moderators=lambda chapter: chapter.organisers.all(),
    )
    post_save.connect(_rsvp_saved, sender=Rsvp, dispatch_uid="chat-rsvp")
    post_delete.connect(_rsvp_deleted, sender=Rsvp, dispatch_uid="chat-rsvp-delete")
    post_delete.connect(_membership_deleted, sender=ChapterMembership, dispatch_uid="chat-chapter-membership-delete")
    m2m_changed.connect(_speakers_changed, sender=Talk.speakers.through, dispatch_uid="chat-talk-speakers")
