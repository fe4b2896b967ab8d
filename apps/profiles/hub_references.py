"""Profiles shown on a Hub repository's page: the public members who own it."""

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.hub.references import RepositoryReference
from apps.profiles.choices import Visibility
from apps.profiles.models import Profile


def profile_owners(hf_username: str):
    """Public profiles linked to a Hub account (UPPER(hf_username) has its own index)."""
    return Profile.objects.filter(
        hf_username__iexact=hf_username, hf_verified=True, visibility=Visibility.PUBLIC, user__is_active=True
    ).only("handle", "display_name")


def profiles_owning(*, kind: str, repo_id: str) -> list[RepositoryReference]:
    profiles = profile_owners(repo_id.split("/", 1)[0])
    return [
        RepositoryReference(
            section=_("Profiles"),
            label=profile.display_name or profile.handle,
            url=reverse("profiles:detail", kwargs={"handle": profile.handle}),
        )
        for profile in profiles
    ]
