"""Tabs and forms match what the person may do; closed forms are read-only with the reason."""

import pytest

from apps.hackathons.models import Hackathon

from tests.hackathons.factories import (
    hackathon_factory,
    past_hacking_schedule,
    running_schedule,
    submission_factory,
    team_factory,
)

pytestmark = pytest.mark.django_db


def test_the_team_tab_is_only_for_people_who_may_open_it(client, world):
    hackathon = world["hackathon"]
    page = f"/hackathons/{hackathon.slug}/"
    team_link = f'href="/hackathons/{hackathon.slug}/team/"'
    for role, shown in [("participant", True), ("organiser", True), ("judge", False), ("other", False),
                        ("anonymous", False)]:
        client.logout()
        if world[role] is not None:
            client.force_login(world[role])
        for url in (page, f"/hackathons/{hackathon.slug}/results/"):
            assert (team_link in client.get(url).content.decode()) is shown, (role, url)


def test_a_submission_after_the_deadline_is_shown_read_only_with_the_reason(client):
    hackathon = hackathon_factory(state=Hackathon.State.IN_PROGRESS, schedule=running_schedule())
    team, (member, _mate) = team_factory(hackathon)
    submission_factory(team, member)
    Hackathon.objects.filter(pk=hackathon.pk).update(**past_hacking_schedule())
    client.force_login(member)
    track = hackathon.tracks.get()
    body = client.get(f"/hackathons/{hackathon.slug}/submit/{track.pk}/").content.decode()
    assert 'disabled aria-describedby="submission-closed"' in body
    assert 'id="submission-closed"' in body


def test_a_scorecard_after_judging_is_read_only(client, world):
    hackathon = world["hackathon"]
    client.force_login(world["judge"])
    url = f"/hackathons/{hackathon.slug}/judging/{world['submission'].pk}/"
    assert "disabled" not in client.get(url).content.decode()
    Hackathon.objects.filter(pk=hackathon.pk).update(state=Hackathon.State.FINISHED)
    body = client.get(url).content.decode()
    assert 'disabled aria-describedby="scoring-closed"' in body
