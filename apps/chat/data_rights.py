"""Members' data rights in chat: their messages and questions in the download; on account
deletion the text goes (messages stay in the room's stream), with its copies."""

import re

from django.utils import timezone

from apps.accounts import personal_data as pd
from apps.chat.models import Message, ModerationAction, Mute, Question, QuestionVote, ReadMarker, Report
from apps.chat.services import _render
from apps.notifications.data_rights import notifications_forget


def chat_export(user) -> dict:
    messages = Message.objects.filter(author=user).order_by("created_at", "id")
    questions = Question.objects.filter(author=user).order_by("created_at", "id")
    return {"chat": {
        "messages": [
            {"room": m.room_id, "body": m.body, "created_at": m.created_at.isoformat(), "deleted": m.deleted_at is not None}
            for m in messages
        ],
        "questions": [
            {"room": q.room_id, "body": q.body, "anonymous": q.anonymous, "created_at": q.created_at.isoformat()}
            for q in questions
        ],
    }}


def chat_forget(user) -> None:
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
        names=[str(user)], texts=own_words, quoting_kinds=["chat.mention"], replacement=pd.anonymous_name(user),
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
    renamed = "@" + pd.anonymous_name(user)
    for message in Message.objects.filter(body__icontains="@" + user.username).exclude(author=user).only("body"):
        body = mention.sub(renamed, message.body)
        if body != message.body:
            Message.objects.filter(pk=message.pk).update(body=body, html=_render(body))


PERSONAL_DATA = pd.PersonalData(
    app="chat",
    rules=[
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
    ],
    export=chat_export,
    forget=chat_forget,
)
