"""Profiles shown on a Hub repository's page: the public members who own it."""

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.hub.references import RepositoryReference
from apps.profiles.choices import Visibility
from apps.profiles.models import Profile


def profiles_owning(*, kind: str, repo_id: str) -> list[RepositoryReference]:
    owner = repo_id.split("/", 1)[0]
    profiles = Profile.objects.filter(
        hf_username__iexact=owner, hf_verified=True, visibility=Visibility.PUBLIC, user__is_active=True
    ).only("handle", "display_name")
    return [
        RepositoryReference(
            section=_("Profiles"),
            label=profile.display_name or profile.handle,
            url=reverse("profiles:detail", kwargs={"handle": profile.handle}),
        )
        for profile in profiles
    ]
