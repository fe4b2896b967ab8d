"""Hub catalogue in members' data rights: linked Hub accounts are personal."""

from apps.accounts import personal_data as pd
from apps.hub.models import HubOwner


def hub_forget(user) -> None:
    for owner in HubOwner.objects.filter(members=user):
        owner.members.remove(user)


PERSONAL_DATA = pd.PersonalData(
    app="hub",
    rules=[
        (HubOwner, "members", pd.DELETED, "the person's link to Hub accounts"),
        (HubOwner, "added_by", pd.ANONYMISED, "the catalogue keeps who started tracking an owner"),
    ],
    forget=hub_forget,
)
