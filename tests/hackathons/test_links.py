"""Hackathons and the talent pool: handles, skills on the board, submissions on Hub pages."""

import pytest
from rest_framework.test import APIClient

from apps.hackathons.models import Registration
from apps.hackathons.selectors import user_by_handle
from tests.accounts.factories import UserFactory
from tests.hackathons.factories import hackathon_factory, organiser_factory
from tests.profiles.factories import make_profile

pytestmark = pytest.mark.django_db


def test_handles_are_talent_profile_handles():
    profile = make_profile(handle="ainhoa-nlp")
    viewer = UserFactory()
    assert user_by_handle("@Ainhoa-NLP", viewer=viewer) == profile.user
    assert user_by_handle("nobody-here", viewer=viewer) is None


def test_members_without_a_profile_are_still_found_by_username():
    member = UserFactory(username="sin-perfil")
    assert user_by_handle("sin-perfil", viewer=UserFactory()) == member


def test_hidden_handles_name_nobody_except_for_their_owner_and_staff():
    hidden = make_profile(handle="oculta", visibility="hidden")
    assert user_by_handle("oculta", viewer=UserFactory()) is None
    assert user_by_handle(hidden.user.username, viewer=UserFactory()) is None  # nor by username
    assert user_by_handle("oculta", viewer=hidden.user) == hidden.user
    assert user_by_handle("oculta", viewer=UserFactory(is_staff=True)) == hidden.user


def test_a_participant_cannot_tell_unknown_handles_from_hidden_or_absent_people():
    from tests.hackathons.factories import participant_factory, running_schedule, team_factory

    hackathon = hackathon_factory(state="in_progress", schedule=running_schedule())
    team, (captain, _mate) = team_factory(hackathon)
    hidden = make_profile(handle="oculta", visibility="hidden")
    participant_factory(hackathon, username="x-hidden-participant")
    hidden_participant = make_profile(handle="escondida", visibility="hidden")
    from apps.hackathons.services import registrations

    registrations.registration_create(user=hidden_participant.user, hackathon=hackathon, agreed=True)
    outsider = make_profile(handle="visible-fuera")
    messages = set()
    for handle in ("nadie-jamas", "oculta", hidden.user.username, "escondida", "visible-fuera"):
        response = APIClient()
        response.force_authenticate(captain)
        body = response.post(
            f"/api/hackathons/{hackathon.slug}/teams/{team.id}/invitations/", {"handle": handle}, HTTP_ACCEPT_LANGUAGE="en"
        ).json()
        messages.add(tuple(body["errors"]["handle"]))
    assert messages == {("No confirmed participant of this hackathon has that handle.",)}
    assert outsider.user.is_active


def test_looking_for_team_board_shows_talent_pool_skills_but_not_hidden_ones():
    organiser = organiser_factory()
    hackathon = hackathon_factory(organiser=organiser, state="registration_open")
    open_profile = make_profile(skills=[("nlp", 3)], looking_for_team=True)
    hidden_profile = make_profile(skills=[("speech", 3)], visibility="hidden")
    for profile in (open_profile, hidden_profile):
        Registration.objects.create(
            hackathon=hackathon, user=profile.user, status="confirmed", agreed_at=hackathon.created_at
        )
    api = APIClient()
    api.force_authenticate(organiser)
    board = api.get(f"/api/hackathons/{hackathon.slug}/looking-for-team/").json()["results"]
    skills = {row["username"]: row["skills"] for row in board}
    assert skills[hidden_profile.user.username] == []
    assert skills[open_profile.user.username] in (
        ["Natural language processing"], ["Procesamiento del lenguaje natural"]
    )


def test_hub_repository_pages_list_submissions_once_results_are_public(client):
    from django.utils import timezone

    from tests.hackathons.factories import running_schedule, submission_factory, team_factory
    from tests.hub import factories as hub_factories

    hackathon = hackathon_factory(state="in_progress", schedule=running_schedule(), title="Hackatón del habla")
    team, (member, _other) = team_factory(hackathon, name="Las Voces")
    submission_factory(team, member, title="Subtítulos en euskera", repos=[("model", "hitz/whisper-eu")])
    owner = hub_factories.owner("hitz")
    hub_factories.catalogue(owner, [hub_factories.remote("hitz/whisper-eu")])

    assert "Subtítulos en euskera" not in client.get("/models/model/hitz/whisper-eu/").content.decode()
    hackathon.results_published_at = timezone.now()
    hackathon.save(update_fields=["results_published_at"])
    page = client.get("/models/model/hitz/whisper-eu/").content.decode()
    assert "Subtítulos en euskera" in page and "Las Voces" in page and "Hackatón del habla" in page
    assert f"/hackathons/{hackathon.slug}/results/" in page


def _hidden_world():
    from tests.hackathons.factories import running_schedule, team_factory

    hackathon = hackathon_factory(state="in_progress", schedule=running_schedule())
    team, (captain, mate) = team_factory(hackathon)
    make_profile(user=captain, handle="capitana-visible")
    make_profile(user=mate, handle="companera-oculta", visibility="hidden")
    from apps.hackathons.services import registrations

    loner = make_profile(handle="sola-oculta", visibility="hidden", skills=[("nlp", 3)])
    registrations.registration_create(user=loner.user, hackathon=hackathon, agreed=True)
    return hackathon, team, captain, mate, loner.user


def test_the_public_team_list_names_only_members_whose_profile_the_caller_may_see():
    hackathon, team, captain, mate, _loner = _hidden_world()
    url = f"/api/hackathons/{hackathon.slug}/teams/"
    for viewer in (None, UserFactory()):
        client = APIClient()
        if viewer:
            client.force_authenticate(viewer)
        row = client.get(url).json()["results"][0]
        assert row["members"] == ["capitana-visible"] and row["member_count"] == 2
    client = APIClient()
    client.force_authenticate(hackathon.organisers.get())
    assert client.get(url).json()["results"][0]["members"] == ["capitana-visible", "companera-oculta"]
    client.force_authenticate(UserFactory(is_staff=True))
    assert client.get(url).json()["results"][0]["members"] == ["capitana-visible", "companera-oculta"]


def test_the_looking_for_team_board_shows_hidden_profiles_only_to_organisers_and_themselves():
    from tests.hackathons.factories import participant_factory

    hackathon, _team, captain, _mate, loner = _hidden_world()
    seeker = participant_factory(hackathon)
    url = f"/api/hackathons/{hackathon.slug}/looking-for-team/"
    client = APIClient()
    client.force_authenticate(captain)
    assert [r["username"] for r in client.get(url).json()["results"]] == [seeker.username]
    client.force_authenticate(loner)
    assert {r["username"] for r in client.get(url).json()["results"]} == {seeker.username, loner.username}
    client.force_authenticate(hackathon.organisers.get())
    rows = {r["username"]: r for r in client.get(url).json()["results"]}
    assert set(rows) == {seeker.username, loner.username} and rows[loner.username]["skills"] == []
