"""Signal receivers: a profile for every new account, and proven Hub/GitHub usernames."""

from allauth.account.signals import user_signed_up
from allauth.socialaccount.signals import social_account_added, social_account_removed, social_account_updated
from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.accounts.models import User


@receiver(user_signed_up, dispatch_uid="profiles.create_on_signup")
def create_profile_on_signup(sender, request, user, **kwargs):
    from apps.profiles.services import first_steps_begin, profile_ensure

    profile_ensure(user=user)
    first_steps_begin(user=user)


@receiver(social_account_added, dispatch_uid="profiles.linked_account_added")
@receiver(social_account_updated, dispatch_uid="profiles.linked_account_updated")
def take_proven_usernames(sender, request, sociallogin, **kwargs):
    from apps.profiles.services import linked_accounts_refresh

    linked_accounts_refresh(user=sociallogin.account.user)


@receiver(social_account_removed, dispatch_uid="profiles.linked_account_removed")
def drop_proof_of_removed_account(sender, request, socialaccount, **kwargs):
    from apps.profiles.services import linked_accounts_refresh

    linked_accounts_refresh(user=socialaccount.user)


@receiver(post_save, sender=User, dispatch_uid="profiles.relist_on_account_change")
def relist_when_account_switched(sender, instance, update_fields=None, **kwargs):
    """An account switched off (or on) in the admin leaves (or rejoins) the talent pool at once."""
    if update_fields is not None and "is_active" not in update_fields:
        return
    from apps.profiles.choices import listing_of
    from apps.profiles.models import Profile
    from apps.profiles.services import talent_pool_refresh

    stale = [
        pk for pk, visibility, listed_for in
        Profile.objects.filter(user=instance).values_list("pk", "visibility", "listed_for")
        if listing_of(visibility, instance.is_active) != listed_for
    ]
    if stale:
        talent_pool_refresh(profile_ids=stale)


@receiver(post_save, sender="profiles.Profile", dispatch_uid="profiles.relist_on_profile_save")
def relist_when_profile_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    """Any save of a profile, through a service or not (the admin, a shell), keeps who finds
    it and the pool's counts right at once."""
    if raw:
        return
    from apps.profiles.services import talent_pool_refresh

    talent_pool_refresh(profile_ids=[instance.pk])
