"""Chat rooms, their messages (a per-room numbered stream), moderation and live Q&A."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Room(models.Model):
    """A conversation attached to one object of another app (a hackathon, a team...).

    `kind` names a registered room kind (`apps.chat.rooms`), which decides who may read,
    post and moderate. `last_sequence` numbers every change in the room's stream.
    """

    kind = models.CharField(max_length=32)
    object_id = models.PositiveBigIntegerField()
    last_sequence = models.PositiveBigIntegerField(default=0)
    is_locked = models.BooleanField(_("read-only"), default=False)
    is_public = models.BooleanField(_("readable by anyone"), default=False)
    qa_enabled = models.BooleanField(_("questions mode"), default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chat room")
        verbose_name_plural = _("chat rooms")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="chat_room_unique_target")]

    def __str__(self):
        return f"{self.kind}:{self.object_id}"

    @property
    def group_name(self) -> str:
        return f"chat.room.{self.pk}"


class Message(models.Model):
    """One message. `sequence` is its place in the room; `revision` the stream number of
    its latest change (creation, edit, deletion, pin), so a client that resumes after
    stream number N asks for every message whose revision is above N."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    sequence = models.PositiveBigIntegerField()
    revision = models.PositiveBigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages")
    client_id = models.CharField(max_length=64)
    body = models.TextField()
    html = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_pinned = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        constraints = [
            models.UniqueConstraint(fields=["room", "sequence"], name="chat_message_unique_sequence"),
            models.UniqueConstraint(fields=["room", "revision"], name="chat_message_unique_revision"),
            models.UniqueConstraint(fields=["room", "author", "client_id"], name="chat_message_unique_client_id"),
        ]
        indexes = [models.Index(fields=["room", "is_pinned"], name="chat_message_pinned_idx", condition=Q(is_pinned=True))]


class Mute(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="mutes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField()
    muted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("mute")
        verbose_name_plural = _("mutes")
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="chat_mute_unique")]


class ModerationAction(models.Model):
    """The moderation log, visible to the room's organisers."""

    class Kind(models.TextChoices):
        DELETE = "delete", _("Deleted a message")
        MUTE = "mute", _("Muted a member")
        UNMUTE = "unmute", _("Lifted a mute")
        LOCK = "lock", _("Locked the room")
        UNLOCK = "unlock", _("Unlocked the room")
        PIN = "pin", _("Pinned a message")
        UNPIN = "unpin", _("Unpinned a message")
        CLOSE = "close", _("Closed the room")
        REOPEN = "reopen", _("Reopened the room")
        SETTINGS = "settings", _("Changed the room settings")
        HIDE_QUESTION = "hide_question", _("Hid a question")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="moderation_actions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        indexes = [models.Index(fields=["room", "-created_at"], name="chat_modlog_room_idx")]


class Report(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message report")
        verbose_name_plural = _("message reports")
        constraints = [models.UniqueConstraint(fields=["message", "reporter"], name="chat_report_once")]


class ReadMarker(models.Model):
    """How far a member has read a room (a message sequence number), for unread counts."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_sequence = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("read marker")
        verbose_name_plural = _("read markers")
        constraints = [models.UniqueConstraint(fields=["user", "room"], name="chat_read_marker_unique")]


class Question(models.Model):
    """A question in a room's Q&A; `anonymous` hides the author from attendees, never from organisers."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.CharField(max_length=500)
    anonymous = models.BooleanField(default=False)
    vote_count = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moved on by every change (a vote, answered, hidden), under the row's lock: live frames
    # can arrive out of order, and a page keeps the one with the highest.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Q&A question")
        verbose_name_plural = _("Q&A questions")
        indexes = [models.Index(fields=["room", "-vote_count", "created_at"], name="chat_question_order_idx")]


class QuestionVote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("question vote")
        verbose_name_plural = _("question votes")
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="chat_question_vote_once")]
