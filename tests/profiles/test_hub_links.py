"""Profiles and the Hub catalogue: linked accounts are tracked and shown both ways."""

import pytest

from apps.hub.models import HubOwner
from tests.hub import factories as hub_factories
from tests.profiles.factories import make_profile


@pytest.mark.django_db
def test_linking_a_hub_username_tracks_it_with_the_member_allowed_to_sync(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        profile = make_profile(hf_username="ainhoa-nlp")
    owner = HubOwner.objects.get(name="ainhoa-nlp")
    assert owner.kind == "user"
    assert list(owner.members.all()) == [profile.user]
    assert queued  # the first sync is queued after commit


@pytest.mark.django_db
def test_hidden_profiles_do_not_publish_their_hub_account():
    make_profile(hf_username="secreta", visibility="hidden")
    assert not HubOwner.objects.filter(name="secreta").exists()


@pytest.mark.django_db
def test_profile_page_lists_the_members_repositories_and_the_repository_links_back(client):
    profile = make_profile(hf_username="ainhoa-nlp", display_name="Ainhoa Etxeberria")
    owner = HubOwner.objects.get(name="ainhoa-nlp")
    hub_factories.catalogue(owner, [hub_factories.remote("ainhoa-nlp/latxa-mini", downloads=174)])

    page = client.get(f"/talent/{profile.handle}/").content.decode()
    assert "ainhoa-nlp/latxa-mini" in page
    assert "/models/model/ainhoa-nlp/latxa-mini/" in page

    repository = client.get("/models/model/ainhoa-nlp/latxa-mini/").content.decode()
    assert "Ainhoa Etxeberria" in repository
    assert f"/talent/{profile.handle}/" in repository


@pytest.mark.django_db
def test_repository_pages_never_name_members_only_profiles(client):
    make_profile(hf_username="discreto", display_name="Persona Discreta", visibility="members")
    owner = HubOwner.objects.get(name="discreto")
    hub_factories.catalogue(owner, [hub_factories.remote("discreto/modelo")])
    assert "Persona Discreta" not in client.get("/models/model/discreto/modelo/").content.decode()
