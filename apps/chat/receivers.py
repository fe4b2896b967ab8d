"""Close a member's chat sockets when their session ends (log-out, password change or reset);
members' data rights (the personal-data download and account deletion)."""

import re

from allauth.account.signals import password_changed, password_reset
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from apps.accounts import personal_data as pd
from apps.accounts.personal_data import anonymous_name
from apps.accounts.signals import account_deleting, personal_data_requested
from apps.chat.models import Message, ModerationAction, Mute, Question, QuestionVote, ReadMarker, Report
from apps.chat.services import _render, session_changed
from apps.notifications.data_rights import notifications_forget


@receiver(user_logged_out, dispatch_uid="chat-logged-out")
@receiver(password_changed, dispatch_uid="chat-password-changed")
@receiver(password_reset, dispatch_uid="chat-password-reset")
def _session_ended(sender, user=None, **kwargs):
    if user is not None and user.pk:
        session_changed(user_id=user.pk)


@receiver(personal_data_requested, sender=get_user_model(), dispatch_uid="chat.personal_data")
def chat_personal_data(sender, user, **kwargs):
    messages = Message.objects.filter(author=user).order_by("created_at", "id")
    questions = Question.objects.filter(author=user).order_by("created_at", "id")
    return "chat", {
        "messages": [
            {"room": m.room_id, "body": m.body, "created_at": m.created_at.isoformat(), "deleted": m.deleted_at is not None}
            for m in messages
        ],
        "questions": [
            {"room": q.room_id, "body": q.body, "anonymous": q.anonymous, "created_at": q.created_at.isoformat()}
            for q in questions
        ],
    }


@receiver(account_deleting, sender=get_user_model(), dispatch_uid="chat.account_deleting")
def chat_account_deleting(sender, user, **kwargs):
    """Messages stay (shown as by a deleted member) but their text goes, with its copies in
    notifications and the moderation log; mentions of the member in others' messages name
    the anonymised account; reading state and votes go."""
    own_words = [
        *Message.objects.filter(author=user).exclude(body="").values_list("body", flat=True),
        *Question.objects.filter(author=user).exclude(body="").values_list("body", flat=True),
    ]
    # A mention notification's body is its author's message (as first written: edits later
    # do not reach it), so a title naming the member is enough to empty it.
    notifications_forget(
        names=[str(user)], texts=own_words, quoting_kinds=["chat.mention"], replacement=anonymous_name(user),
    )
    ModerationAction.objects.filter(
        target_user=user, kind__in=[ModerationAction.Kind.DELETE, ModerationAction.Kind.HIDE_QUESTION]
    ).update(detail="")
    _mentions_rename(user)
    Message.objects.filter(author=user, deleted_at__isnull=True).update(body="", html="", deleted_at=timezone.now())
    Message.objects.filter(author=user).exclude(body="").update(body="", html="")  # removed earlier, text kept
    Question.objects.filter(author=user).update(body="", hidden_at=timezone.now())
    ReadMarker.objects.filter(user=user).delete()
    Mute.objects.filter(user=user).delete()
    Report.objects.filter(reporter=user).delete()
    QuestionVote.objects.filter(user=user).delete()


def _mentions_rename(user) -> None:
    """"@name" of the member in others' messages becomes the anonymised account's name."""
    mention = re.compile(r"(?<![\w@])@%s(?![\w+-]|\.[\w+-])" % re.escape(user.username), re.IGNORECASE)
    renamed = "@" + anonymous_name(user)
    for message in Message.objects.filter(body__icontains="@" + user.username).exclude(author=user).only("body"):
        body = mention.sub(renamed, message.body)
        if body != message.body:
            Message.objects.filter(pk=message.pk).update(body=body, html=_render(body))


def declare_personal_data_rules() -> None:
    pd.declare_all([
        (Message, "author", pd.ANONYMISED, "messages stay in the room's stream, their text is removed"),
        (Message, "deleted_by", pd.KEPT, "who removed a message is part of the moderation record"),
        (Mute, "user", pd.DELETED, "mutes of the person end with the account"),
        (Mute, "muted_by", pd.KEPT, "moderation record"),
        (ModerationAction, "actor", pd.KEPT, "moderation log seen by the room's organisers"),
        (ModerationAction, "target_user", pd.KEPT, "moderation log seen by the room's organisers"),
        (Report, "reporter", pd.DELETED, "reports the person made"),
        (ReadMarker, "user", pd.DELETED, "reading state"),
        (Question, "author", pd.ANONYMISED, "questions stay in the Q&A, their text is removed"),
        (QuestionVote, "user", pd.DELETED, "votes the person cast"),
    ])
