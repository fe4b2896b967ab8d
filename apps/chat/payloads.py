"""The JSON shapes of messages and questions, shared by the socket and the REST API."""

from apps.chat.models import Message, Question


def author_payload(user) -> dict:
    return {"id": user.pk, "name": str(user), "username": user.username}


def message_payload(message: Message) -> dict:
    deleted = message.deleted_at is not None
    return {
        "id": message.pk,
        "room": message.room_id,
        "sequence": message.sequence,
        "revision": message.revision,
        "client_id": message.client_id,
        "author": author_payload(message.author),
        "body": "" if deleted else message.body,
        "html": "" if deleted else message.html,
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": deleted,
        "pinned": message.is_pinned,
    }


def question_payload(question: Question, *, show_author: bool, voted: bool = False) -> dict:
    """Anonymous questions show their author only to moderators (`show_author`)."""
    visible = show_author or not question.anonymous
    return {
        "id": question.pk,
        "room": question.room_id,
        "body": question.body,
        "anonymous": question.anonymous,
        "author": author_payload(question.author) if visible else None,
        "votes": question.vote_count,
        "voted": voted,
        "answered": question.answered_at is not None,
        "hidden": question.hidden_at is not None,
        "created_at": question.created_at.isoformat(),
        "revision": question.revision,
    }
