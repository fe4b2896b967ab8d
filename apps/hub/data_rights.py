"""Hub catalogue and members' data rights: linked Hub accounts are personal."""

from django.contrib.auth import get_user_model
from django.dispatch import receiver

from apps.accounts import personal_data as pd
from apps.accounts.signals import account_deleting
from apps.hub.models import HubOwner


def declare_rules() -> None:
    pd.declare_all([
        (HubOwner, "members", pd.DELETED, "the person's link to Hub accounts"),
        (HubOwner, "added_by", pd.ANONYMISED, "the catalogue keeps who started tracking an owner"),
    ])


@receiver(account_deleting, sender=get_user_model(), dispatch_uid="hub.account_deleting")
def hub_account_deleting(sender, user, **kwargs):
    for owner in HubOwner.objects.filter(members=user):
        owner.members.remove(user)
