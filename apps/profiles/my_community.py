"""Profiles' share of "My community": the steps of the guided setup still to do."""

from apps.core.my_community import MyCommunityPart
from apps.profiles.selectors import first_steps_remaining


def profiles_part(*, user, now, horizon) -> MyCommunityPart:
    return MyCommunityPart({"first_steps": first_steps_remaining(user)})
