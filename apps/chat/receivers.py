"""Close a member's chat sockets when their session ends (log-out, password change or reset)."""

from allauth.account.signals import password_changed, password_reset
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from apps.chat.services import session_changed


@receiver(user_logged_out, dispatch_uid="chat-logged-out")
@receiver(password_changed, dispatch_uid="chat-password-changed")
@receiver(password_reset, dispatch_uid="chat-password-reset")
def _session_ended(sender, user=None, **kwargs):
    if user is not None and user.pk:
        session_changed(user_id=user.pk)
