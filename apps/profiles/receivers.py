"""Signal receivers: a profile for every new account (a deliberate extension point)."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver


@receiver(user_signed_up, dispatch_uid="profiles.create_on_signup")
def create_profile_on_signup(sender, request, user, **kwargs):
    from apps.profiles.services import profile_ensure

    profile_ensure(user=user)
