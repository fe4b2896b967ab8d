"""Talks on speakers' profiles and on Hub repository pages; the header link; chat permissions."""

import pytest

from apps.meetups import permissions, services
from apps.meetups.models import Event
from tests.accounts.factories import UserFactory
from tests.meetups.factories import event_factory
from tests.profiles.factories import make_profile

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "other", "chapter_member", "attendee", "organiser"]


def test_hub_repository_page_lists_talks_that_presented_it(client):
    from tests.hub import factories as hub_factories

    event = event_factory(title="Encuentro Euskadi")
    speaker = UserFactory()
    services.talk_add(actor=event.organisers.get(), event=event, title="Latxa por dentro", speakers=[speaker],
                      repositories=[{"kind": "model", "repo_id": "hitz/latxa"}])
    draft = event_factory(title="Borrador secreto", publish=False)
    services.talk_add(actor=draft.organisers.get(), event=draft, title="Charla oculta", speakers=[speaker],
                      repositories=[{"kind": "model", "repo_id": "hitz/latxa"}])
    hub_factories.catalogue(hub_factories.owner("hitz"), [hub_factories.remote("hitz/latxa")])
    page = client.get("/models/model/hitz/latxa/").content.decode()
    assert "Latxa por dentro" in page and "Encuentro Euskadi" in page
    assert f"/meetups/events/{event.slug}/" in page
    assert "Charla oculta" not in page


def test_speaker_profile_lists_their_talks(client):
    speaker = UserFactory()
    profile = make_profile(speaker)
    event = event_factory(title="IA en Galicia")
    services.talk_add(actor=event.organisers.get(), event=event, title="Modelos en galego", speakers=[speaker])
    page = client.get(f"/talent/{profile.handle}/").content.decode()
    assert "Talks at meetups" in page or "Charlas en encuentros" in page
    assert "Modelos en galego" in page and f"/meetups/events/{event.slug}/" in page


def test_header_link_is_live(client):
    html = client.get("/").content.decode()
    assert 'href="/meetups/"' in html


def test_home_counts_upcoming_meetups(client):
    event_factory()
    event_factory(publish=False)
    assert client.get("/").context["numbers"]["meetups_upcoming"] == 1


def test_chat_room_permissions_per_role(world):
    event, chapter = world["event"], world["chapter"]
    speaker = UserFactory()
    services.talk_add(actor=world["organiser"], event=event, title="T", speakers=[speaker])
    from django.contrib.auth.models import AnonymousUser

    people = {**{role: world[role] for role in ROLES[1:]}, "anonymous": AnonymousUser(), "speaker": speaker}
    expected_event = {"anonymous": False, "other": False, "chapter_member": False, "attendee": True, "organiser": True, "speaker": True}
    expected_chapter = {"anonymous": False, "other": False, "chapter_member": True, "attendee": False, "organiser": True, "speaker": False}
    for role, user in people.items():
        fresh = Event.objects.get(pk=event.pk)
        assert permissions.can_view_event_room(user, fresh) == expected_event[role], role
        assert permissions.can_post_in_event_room(user, fresh) == expected_event[role], role
        assert permissions.can_view_chapter_room(user, chapter) == expected_chapter[role], role
        assert permissions.can_post_in_chapter_room(user, chapter) == expected_chapter[role], role
    services.event_transition(actor=world["organiser"], event=event, action="cancel", reason="x")
    cancelled = Event.objects.get(pk=event.pk)
    assert permissions.can_view_event_room(world["attendee"], cancelled)
    assert not permissions.can_post_in_event_room(world["attendee"], cancelled)


def test_a_talk_on_a_draft_shows_on_the_speakers_profile_only_to_who_may_see_the_draft(client, django_assert_num_queries):
    speaker = UserFactory()
    profile = make_profile(speaker)
    public = event_factory(title="IA en Galicia")
    services.talk_add(actor=public.organisers.get(), event=public, title="Modelos en galego", speakers=[speaker])
    url = f"/talent/{profile.handle}/"
    member = UserFactory()
    client.force_login(member)
    client.get(url)  # draws the profile's shared fragment
    # The session (with whether the viewer's own profile is hidden), the profile, its talks
    # (no draft among them: one query) and the fragments' generations.
    with django_assert_num_queries(4):
        client.get(url)
    draft = event_factory(title="Borrador secreto", publish=False)
    services.talk_add(actor=draft.organisers.get(), event=draft, title="Charla oculta", speakers=[speaker])

    def sees_the_draft(viewer) -> bool:
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        page = client.get(url).content.decode()
        assert "Modelos en galego" in page
        return "Charla oculta" in page

    assert not sees_the_draft(None) and not sees_the_draft(member) and not sees_the_draft(public.organisers.get())
    assert sees_the_draft(draft.organisers.get()) and sees_the_draft(UserFactory(is_staff=True))
