"""Signal receivers: a profile for every new account, and proven Hub/GitHub usernames."""

from allauth.account.signals import user_signed_up
from allauth.socialaccount.signals import social_account_added, social_account_removed, social_account_updated
from django.dispatch import receiver


@receiver(user_signed_up, dispatch_uid="profiles.create_on_signup")
def create_profile_on_signup(sender, request, user, **kwargs):
    from apps.profiles.services import profile_ensure

    profile_ensure(user=user)


@receiver(social_account_added, dispatch_uid="profiles.linked_account_added")
@receiver(social_account_updated, dispatch_uid="profiles.linked_account_updated")
def take_proven_usernames(sender, request, sociallogin, **kwargs):
    from apps.profiles.services import linked_accounts_refresh

    linked_accounts_refresh(user=sociallogin.account.user)


@receiver(social_account_removed, dispatch_uid="profiles.linked_account_removed")
def drop_proof_of_removed_account(sender, request, socialaccount, **kwargs):
    from apps.profiles.services import linked_accounts_refresh

    linked_accounts_refresh(user=socialaccount.user)
