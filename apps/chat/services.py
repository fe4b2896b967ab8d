"""Writes: messages (a numbered stream per room), moderation, reading, live Q&A.

Every write is stored first; the live broadcast goes to the room's channel-layer group
after commit. A lost broadcast is found by the client as a gap in stream numbers and
filled from the database.
"""

import json
import logging
import re
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.chat.models import Message, ModerationAction, Mute, Question, QuestionVote, ReadMarker, Report, Room
from apps.chat.payloads import message_payload, question_payload
from apps.chat.rooms import room_kind
from apps.chat.selectors import RoomAccess, room_access
from apps.core.errors import ApplicationError, Conflict, InvalidInput, NotAllowed, NotFound
from apps.core.live import group_send_many
from apps.core.rich_text import render_markdown

logger = logging.getLogger(__name__)

CHAT_TAGS = {"a", "b", "blockquote", "br", "code", "em", "i", "li", "ol", "p", "pre", "strong", "ul"}
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")
CLIENT_ID_UNIQUE = "chat_message_unique_client_id"


class RateLimited(ApplicationError):
    status_code = 429
    default_message = _("You are sending messages too fast; wait a few seconds.")


def _broadcast(group: str, message: dict) -> None:
    """Send after commit; a failing channel layer is logged and never undoes the write."""

    def send():
        try:
            group_send_many([(group, message)])
        except Exception:
            logger.exception("chat broadcast to %s failed", group)

    transaction.on_commit(send, robust=True)


def _broadcast_message(message: Message) -> None:
    # Encoded once here: every socket of the room sends this text as it is (it is the same for every viewer).
    frame = json.dumps({"type": "message", "message": message_payload(message)})
    _broadcast(message.room.group_name, {"type": "chat.message", "text": frame})


def _require(access: RoomAccess, allowed: bool) -> None:
    if not access.can_read:
        raise NotFound(_("This room does not exist or is not open to you."))
    if not allowed:
        raise NotAllowed()


def _require_open(room: Room) -> None:
    if room.closed_at is not None:
        raise Conflict(_("This room is closed."))


def _lock_room(room: Room) -> Room:
    return Room.objects.select_for_update().get(pk=room.pk)


def _next_revision(room: Room) -> int:
    """The next stream number; the caller holds the room row lock until commit, so numbers
    are committed in order and a client never sees a later one before an earlier one exists."""
    Room.objects.filter(pk=room.pk).update(last_sequence=F("last_sequence") + 1)
    room.last_sequence += 1
    return room.last_sequence


def _check_rate(room: Room, user) -> None:
    """At most CHAT_RATE_LIMIT_MESSAGES per CHAT_RATE_LIMIT_SECONDS per member per room (shared cache: Redis)."""
    window = settings.CHAT_RATE_LIMIT_SECONDS
    key = f"chat:rate:{room.pk}:{user.pk}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window * 2)
        count = 1
    if count > settings.CHAT_RATE_LIMIT_MESSAGES:
        raise RateLimited()


def _render(body: str) -> str:
    return str(render_markdown(body, tags=CHAT_TAGS))


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput(errors={"body": [_("Write a message first.")]})
    limit = settings.CHAT_MESSAGE_MAX_LENGTH
    if len(body) > limit:
        raise InvalidInput(errors={"body": [_("Messages can be at most %(limit)s characters long.") % {"limit": limit}]})
    return body


def _notify_mentions(*, message: Message, access: RoomAccess) -> None:
    from apps.notifications.services import notify

    names = {name.lower().rstrip(".") for name in MENTION.findall(message.body)}
    if not names:
        return
    candidates = get_user_model().objects.filter(is_active=True, username__iregex=r"^(%s)$" % "|".join(map(re.escape, names)))
    recipients = [
        user for user in candidates.exclude(pk=message.author_id) if room_access(user, access.room).can_read
    ]
    if not recipients:
        return
    author, title = str(message.author), access.title
    notify(
        recipients=recipients,
        kind="chat.mention",
        title=lambda: _("%(author)s mentioned you in %(room)s") % {"author": author, "room": title},
        body=lambda: message.body[:300],
        url=access.url,
    )


def message_send(*, user, room: Room, client_id: str, body: str) -> tuple[Message, bool]:
    """Store a message once per client id (a resend returns the stored one, `created` False)."""
    client_id = (client_id or "").strip()[:64]
    if not client_id:
        raise InvalidInput(errors={"client_id": [_("A client id is required.")]})
    body = _clean_body(body)
    try:
        return _message_store(user=user, room=room, client_id=client_id, body=body), True
    except IntegrityError as error:
        if getattr(error.__cause__, "diag", None) is None or error.__cause__.diag.constraint_name != CLIENT_ID_UNIQUE:
            raise
    return Message.objects.select_related("author__profile", "room").get(room=room, author=user, client_id=client_id), False


@transaction.atomic
def _message_store(*, user, room: Room, client_id: str, body: str) -> Message:
    """Three queries on every message: the stream number with the room's current state and
    the member's mute (this takes the room's row lock until commit, so numbers are committed
    in order), access (the room kind's roles in one), the insert."""
    muted_until = _next_message_sequence(room, user)
    access = room_access(user, room)
    _require(access, access.can_post)
    _require_open(room)
    if room.is_locked and not access.can_moderate:
        raise Conflict(_("This room is read-only for now."))
    if muted_until is not None:
        raise NotAllowed(
            _("You are muted in this room until %(time)s.") % {"time": timezone.localtime(muted_until).strftime("%H:%M")}
        )
    message = Message.objects.create(
        room=room,
        sequence=room.last_sequence,
        revision=room.last_sequence,
        author=user,
        client_id=client_id,
        body=body,
        html=_render(body),
    )
    # After the insert: a resend (unique client id) is not counted; a refusal rolls it all back.
    _check_rate(room, user)
    _broadcast_message(message)
    if "@" in body:
        _notify_mentions(message=message, access=access)
    return message


def _next_message_sequence(room: Room, user):
    """Take the room's next stream number (and its row lock, until commit) in one UPDATE … RETURNING
    that also reads the room's state and the member's mute; `room` is refreshed; returns the mute's end or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Room._meta.db_table} SET last_sequence = last_sequence + 1 WHERE id = %s
            RETURNING last_sequence, is_locked, is_public, closed_at,
                (SELECT until FROM {Mute._meta.db_table} WHERE room_id = %s AND user_id = %s AND until > %s)
            """,
            [room.pk, room.pk, user.pk, timezone.now()],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("This room does not exist or is not open to you."))
    room.last_sequence, room.is_locked, room.is_public, room.closed_at, muted_until = row
    return muted_until


def _message_for_change(message_id: int) -> tuple[Message, Room]:
    message = Message.objects.select_related("room", "author__profile").filter(pk=message_id).first()
    if message is None:
        raise NotFound(_("This message does not exist."))
    room = _lock_room(message.room)
    message = Message.objects.select_related("author__profile").get(pk=message.pk)
    message.room = room
    return message, room


def _within_edit_window(message: Message) -> bool:
    return timezone.now() - message.created_at <= timedelta(seconds=settings.CHAT_EDIT_WINDOW_SECONDS)


@transaction.atomic
def message_edit(*, user, message_id: int, body: str) -> Message:
    message, room = _message_for_change(message_id)
    access = room_access(user, room)
    _require(access, access.can_post and message.author_id == user.pk)
    _require_open(room)
    if message.deleted_at is not None:
        raise Conflict(_("This message was deleted."))
    if not _within_edit_window(message):
        raise Conflict(_("Messages can only be edited shortly after they are sent."))
    message.body = _clean_body(body)
    message.html = _render(message.body)
    message.edited_at = timezone.now()
    message.revision = _next_revision(room)
    message.save(update_fields=["body", "html", "edited_at", "revision"])
    _broadcast_message(message)
    return message


def _log(room: Room, actor, kind: str, *, message=None, target_user=None, detail: str = "") -> None:
    ModerationAction.objects.create(
        room=room, actor=actor, kind=kind, message=message, target_user=target_user, detail=detail[:300]
    )


@transaction.atomic
def message_delete(*, user, message_id: int) -> Message:
    """Authors delete their own within the edit window; moderators any, and it is logged."""
    message, room = _message_for_change(message_id)
    access = room_access(user, room)
    own = message.author_id == user.pk and _within_edit_window(message)
    _require(access, access.can_moderate or (own and access.can_post))
    if message.deleted_at is not None:
        return message
    message.deleted_at = timezone.now()
    message.deleted_by = user
    message.is_pinned = False
    message.revision = _next_revision(room)
    message.save(update_fields=["deleted_at", "deleted_by", "is_pinned", "revision"])
    if message.author_id != user.pk:
        _log(room, user, ModerationAction.Kind.DELETE, message=message, target_user=message.author, detail=message.body[:300])
    _broadcast_message(message)
    return message


@transaction.atomic
def message_pin(*, user, message_id: int, pinned: bool) -> Message:
    message, room = _message_for_change(message_id)
    access = room_access(user, room)
    _require(access, access.can_moderate)
    if message.deleted_at is not None:
        raise Conflict(_("This message was deleted."))
    if message.is_pinned == pinned:
        return message
    message.is_pinned = pinned
    message.revision = _next_revision(room)
    message.save(update_fields=["is_pinned", "revision"])
    _log(room, user, ModerationAction.Kind.PIN if pinned else ModerationAction.Kind.UNPIN, message=message)
    _broadcast_message(message)
    return message


@transaction.atomic
def message_report(*, user, message_id: int, reason: str = "") -> Report:
    """Tell the room's moderators about a message (once per member and message)."""
    from apps.notifications.services import notify

    message = Message.objects.select_related("room", "author__profile").filter(pk=message_id).first()
    if message is None:
        raise NotFound(_("This message does not exist."))
    access = room_access(user, message.room)
    _require(access, user.is_authenticated)
    if message.author_id == user.pk:
        raise InvalidInput(_("You cannot report your own message; edit or delete it instead."))
    try:
        with transaction.atomic():
            report = Report.objects.create(message=message, reporter=user, reason=(reason or "")[:500])
    except IntegrityError:
        raise Conflict(_("You already reported this message.")) from None
    moderators = room_kind(message.room.kind).moderators(access.target)
    title = access.title
    notify(
        recipients=moderators,
        kind="chat.report",
        title=lambda: _("A message in %(room)s was reported") % {"room": title},
        body=lambda: message.body[:300],
        url=access.url,
    )
    return report


@transaction.atomic
def member_mute(*, user, room: Room, member_id: int, minutes: int) -> Mute | None:
    """Mute a member for `minutes` (0 lifts the mute)."""
    room = _lock_room(room)
    access = room_access(user, room)
    _require(access, access.can_moderate)
    member = get_user_model().objects.filter(pk=member_id).first()
    if member is None:
        raise InvalidInput(errors={"member": [_("No such member.")]})
    if not 0 <= minutes <= 60 * 24 * 30:
        raise InvalidInput(errors={"minutes": [_("Mute for between 1 minute and 30 days.")]})
    if minutes == 0:
        Mute.objects.filter(room=room, user=member).delete()
        _log(room, user, ModerationAction.Kind.UNMUTE, target_user=member)
        return None
    mute, _created = Mute.objects.update_or_create(
        room=room, user=member, defaults={"until": timezone.now() + timedelta(minutes=minutes), "muted_by": user}
    )
    _log(room, user, ModerationAction.Kind.MUTE, target_user=member, detail=f"{minutes} min")
    return mute


def room_state_payload(room: Room) -> dict:
    return {
        "id": room.pk,
        "locked": room.is_locked,
        "public": room.is_public,
        "qa": room.qa_enabled,
        "closed": room.closed_at is not None,
        "last_sequence": room.last_sequence,
    }


@transaction.atomic
def room_update(*, user, room: Room, locked=None, public=None, qa=None, closed=None) -> Room:
    """Moderators lock the room (read-only), open it to every reader, switch Q&A, close it."""
    room = _lock_room(room)
    access = room_access(user, room)
    _require(access, access.can_moderate)
    Kind = ModerationAction.Kind
    if locked is not None and locked != room.is_locked:
        room.is_locked = locked
        _log(room, user, Kind.LOCK if locked else Kind.UNLOCK)
    if closed is not None and closed != (room.closed_at is not None):
        room.closed_at = timezone.now() if closed else None
        _log(room, user, Kind.CLOSE if closed else Kind.REOPEN)
    for field, value, label in (("is_public", public, "public"), ("qa_enabled", qa, "qa")):
        if value is not None and value != getattr(room, field):
            setattr(room, field, value)
            _log(room, user, Kind.SETTINGS, detail=f"{label}={value}")
    room.save(update_fields=["is_locked", "closed_at", "is_public", "qa_enabled"])
    _broadcast(room.group_name, {"type": "chat.room", "room": room_state_payload(room)})
    return room


def read_mark(*, user, room: Room, sequence: int) -> None:
    """Move the member's read marker forward (never back)."""
    if not user.is_authenticated:
        return
    sequence = min(max(int(sequence), 0), room.last_sequence)
    marker, created = ReadMarker.objects.get_or_create(room=room, user=user, defaults={"last_read_sequence": sequence})
    if not created and marker.last_read_sequence < sequence:
        ReadMarker.objects.filter(pk=marker.pk, last_read_sequence__lt=sequence).update(last_read_sequence=sequence)


def room_access_changed(*, kind: str, object_id: int, user_ids: list[int]) -> None:
    """Another app changed who may use a room: the members' open sockets re-check and close if needed."""
    room = Room.objects.filter(kind=kind, object_id=object_id).only("id").first()
    if room is None:
        return
    _broadcast(room.group_name, {"type": "chat.access", "user_ids": list(user_ids)})


# --- Live Q&A ---------------------------------------------------------------------------


def _broadcast_question(question: Question) -> None:
    # Encoded once per audience: moderators see anonymous authors, everyone else does not.
    def frame(show_author: bool) -> str:
        return json.dumps({"type": "question", "question": question_payload(question, show_author=show_author)})

    _broadcast(
        question.room.group_name,
        {"type": "chat.question", "text": frame(show_author=False), "moderator_text": frame(show_author=True)},
    )


def _question_for_change(question_id: int) -> Question:
    # `of=("self",)`: the profile (the author's public name) is an outer join PostgreSQL will not lock.
    question = (
        Question.objects.select_for_update(of=("self",))
        .select_related("room", "author__profile").filter(pk=question_id).first()
    )
    if question is None:
        raise NotFound(_("This question does not exist."))
    return question


@transaction.atomic
def question_ask(*, user, room: Room, body: str, anonymous: bool = False) -> Question:
    access = room_access(user, room)
    _require(access, access.can_post)
    _require_open(room)
    if not room.qa_enabled:
        raise Conflict(_("Questions are not open in this room."))
    body = (body or "").strip()
    if not body:
        raise InvalidInput(errors={"body": [_("Write your question first.")]})
    if len(body) > 500:
        raise InvalidInput(errors={"body": [_("Questions can be at most 500 characters long.")]})
    _check_rate(room, user)
    question = Question.objects.create(room=room, author=user, body=body, anonymous=anonymous)
    _broadcast_question(question)
    return question


@transaction.atomic
def question_vote(*, user, question_id: int) -> Question:
    """One vote per member and question; voting again changes nothing."""
    question = _question_for_change(question_id)
    access = room_access(user, question.room)
    _require(access, access.can_post)
    if question.hidden_at is not None:
        raise NotFound(_("This question does not exist."))
    _vote, created = QuestionVote.objects.get_or_create(question=question, user=user)
    if created:
        question.vote_count = F("vote_count") + 1
        question.revision = F("revision") + 1
        question.save(update_fields=["vote_count", "revision"])
        question.refresh_from_db(fields=["vote_count", "revision"])
        _broadcast_question(question)
    return question


@transaction.atomic
def question_mark(*, user, question_id: int, answered=None, hidden=None) -> Question:
    question = _question_for_change(question_id)
    access = room_access(user, question.room)
    _require(access, access.can_answer)
    now = timezone.now()
    if answered is not None:
        question.answered_at = now if answered else None
    if hidden is not None:
        question.hidden_at = now if hidden else None
        if hidden:
            _log(question.room, user, ModerationAction.Kind.HIDE_QUESTION, target_user=question.author, detail=question.body)
    question.revision += 1  # the row is locked (`_question_for_change`)
    question.save(update_fields=["answered_at", "hidden_at", "revision"])
    _broadcast_question(question)
    return question
