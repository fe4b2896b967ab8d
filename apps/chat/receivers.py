"""Close a member's chat sockets when their session ends (log-out, password change or reset);
members' data rights (the personal-data download and account deletion)."""

from allauth.account.signals import password_changed, password_reset
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from apps.chat.models import Message, Mute, Question, ReadMarker, Report
from apps.chat.services import session_changed
from apps.profiles.signals import account_deleting, personal_data_requested


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
    """Messages stay (shown as by a deleted member) but their text goes; reading state and votes go."""
    Message.objects.filter(author=user, deleted_at__isnull=True).update(body="", html="", deleted_at=timezone.now())
    Question.objects.filter(author=user).update(body="", hidden_at=timezone.now())
    ReadMarker.objects.filter(user=user).delete()
    Mute.objects.filter(user=user).delete()
    Report.objects.filter(reporter=user).delete()
