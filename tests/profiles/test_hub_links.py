"""Profiles and the Hub catalogue: linked accounts are tracked and shown both ways."""

import pytest

from apps.hub.models import HubOwner
from tests.hub import factories as hub_factories
from tests.profiles.factories import make_profile


@pytest.mark.django_db
def test_linking_a_hub_username_tracks_it_with_the_member_allowed_to_sync(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        profile = make_profile(hf_username="ainhoa-nlp", proven=True)
    owner = HubOwner.objects.get(name="ainhoa-nlp")
    assert owner.kind == "user"
    assert list(owner.members.all()) == [profile.user]
    assert queued  # the first sync is queued after commit


@pytest.mark.django_db
def test_hidden_profiles_do_not_publish_their_hub_account():
    make_profile(hf_username="secreta", visibility="hidden", proven=True)
    assert not HubOwner.objects.filter(name="secreta").exists()


@pytest.mark.django_db
def test_profile_page_lists_the_members_repositories_and_the_repository_links_back(client):
    profile = make_profile(hf_username="ainhoa-nlp", display_name="Ainhoa Etxeberria", proven=True)
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
    make_profile(hf_username="discreto", display_name="Persona Discreta", visibility="members", proven=True)
    owner = HubOwner.objects.get(name="discreto")
    hub_factories.catalogue(owner, [hub_factories.remote("discreto/modelo")])
    assert "Persona Discreta" not in client.get("/models/model/discreto/modelo/").content.decode()


@pytest.mark.django_db
def test_a_typed_username_without_proof_is_unverified_and_trusted_nowhere(client):
    """Anyone could type an organisation's name and appear behind its repositories."""
    from apps.hub.permissions import can_sync_owner

    owner = HubOwner.objects.create(name="bsc-lt", kind="org")
    hub_factories.catalogue(owner, [hub_factories.remote("bsc-lt/salamandra-7b")])
    claimant = make_profile(hf_username="bsc-lt", display_name="Falso Dueño")
    assert not claimant.hf_verified
    assert not owner.members.filter(pk=claimant.user_id).exists()
    assert not can_sync_owner(claimant.user, owner)
    assert "Falso Dueño" not in client.get("/models/model/bsc-lt/salamandra-7b/").content.decode()
    page = client.get(f"/talent/{claimant.handle}/").content.decode()
    assert "bsc-lt/salamandra-7b" not in page
    assert "data-unverified" in page


@pytest.mark.django_db
def test_connecting_the_hugging_face_login_verifies_and_tracks():
    from allauth.socialaccount.models import SocialLogin
    from allauth.socialaccount.signals import social_account_added

    from tests.profiles.factories import prove_login

    profile = make_profile()
    account = prove_login(profile.user, "huggingface", "ainhoa-nlp")
    social_account_added.send(sender=SocialLogin, request=None, sociallogin=SocialLogin(account=account))
    profile.refresh_from_db()
    assert profile.hf_username == "ainhoa-nlp" and profile.hf_verified
    assert HubOwner.objects.get(name="ainhoa-nlp").members.filter(pk=profile.user_id).exists()

    # Typing another name afterwards makes it unverified again.
    from apps.profiles.services import profile_update

    profile = profile_update(actor=profile.user, profile=profile, data={"hf_username": "otra-org"})
    assert not profile.hf_verified


def test_hugging_face_and_github_logins_use_pkce(settings):
    from importlib import reload

    import community.settings.base as base

    env = {"HF_OAUTH_CLIENT_ID": "x", "HF_OAUTH_CLIENT_SECRET": "y", "GITHUB_CLIENT_ID": "a", "GITHUB_CLIENT_SECRET": "b"}
    import os

    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        reload(base)
        hf = base.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]["settings"]
        assert hf["oauth_pkce_enabled"] is True
        assert base.SOCIALACCOUNT_PROVIDERS["github"]["OAUTH_PKCE_ENABLED"] is True
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reload(base)
