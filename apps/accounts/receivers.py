"""Sign-up hook: a new member starts in the language they signed up in."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver
from django.utils import translation

from apps.accounts import services


@receiver(user_signed_up, dispatch_uid="accounts.language_on_signup")
def remember_signup_language(sender, request, user, **kwargs):
    services.user_language_set(user=user, language=translation.get_language() or "")
