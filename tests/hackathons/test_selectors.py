"""The hackathons app's reads, called directly: which hackathons and submissions each role
sees, whose handles a team list shows, and the figures of the home page and the organiser pages."""

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.core.errors import NotAllowed, NotFound
from apps.hackathons import selectors
from apps.hackathons.models import Hackathon, Registration
from apps.hackathons.services.lifecycle import hackathon_transition
from apps.hackathons.services.registrations import registration_cancel, registration_check_in
from apps.profiles.choices import Visibility
from tests.accounts.factories import UserFactory
from tests.hackathons.factories import (
    hackathon_factory,
    organiser_factory,
    participant_factory,
    running_schedule,
    team_factory,
)
from tests.profiles.factories import make_profile

pytestmark = pytest.mark.django_db
State = Hackathon.State


def listed(user, **filters) -> set[int]:
    return set(selectors.hackathon_list(user=user, **filters).values_list("pk", flat=True))


def test_a_draft_is_listed_only_for_its_organisers_and_staff():
    draft = hackathon_factory()
    published = hackathon_factory(state=State.PUBLISHED)
    co_organiser = UserFactory()
    draft.organisers.add(co_organiser)
    for viewer in (draft.organisers.first(), co_organiser, UserFactory(is_staff=True)):
        assert listed(viewer) == {draft.pk, published.pk}, viewer
    for viewer in (organiser_factory(), UserFactory(), AnonymousUser()):
        assert listed(viewer) == {published.pk}, viewer


def test_hackathon_get_answers_not_found_for_a_draft_to_anyone_but_its_organisers():
    draft = hackathon_factory()
    assert selectors.hackathon_get(user=draft.organisers.first(), slug=draft.slug) == draft
    for viewer in (organiser_factory(), UserFactory(), AnonymousUser()):
        with pytest.raises(NotFound):
            selectors.hackathon_get(user=viewer, slug=draft.slug)
    with pytest.raises(NotFound):
        selectors.hackathon_get(user=draft.organisers.first(), slug="no-such-hackathon")


def test_the_list_counts_confirmed_participants_only_and_filters_by_period():
    open_one = hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule())
    finished = hackathon_factory(state=State.FINISHED)
    _stays, leaves = participant_factory(open_one), participant_factory(open_one)
    registration_cancel(user=leaves, hackathon=open_one)
    row = selectors.hackathon_list(user=AnonymousUser()).get(pk=open_one.pk)
    assert row.participant_count == 1
    assert listed(AnonymousUser(), period="upcoming") == {open_one.pk}
    assert listed(AnonymousUser(), period="past") == {finished.pk}


def test_home_numbers_leave_drafts_and_cancelled_hackathons_out():
    for state in (State.DRAFT, State.PUBLISHED, State.REGISTRATION_OPEN, State.IN_PROGRESS, State.JUDGING,
                  State.FINISHED, State.CANCELLED):
        hackathon_factory(state=state)
    assert selectors.hackathon_numbers() == {
        "hackathons_upcoming": 2, "hackathons_running": 2, "hackathons_finished": 1,
    }


def test_submissions_are_for_organisers_and_judges_until_results_are_published(world):
    w = world
    hackathon = w["hackathon"]
    for role in ("organiser", "judge"):
        assert list(selectors.submissions_for_hackathon(user=w[role], hackathon=hackathon)) == [w["submission"]]
    for viewer in (w["participant"], w["other"], AnonymousUser()):
        with pytest.raises(NotAllowed):
            selectors.submissions_for_hackathon(user=viewer, hackathon=hackathon)
    hackathon_transition(actor=w["organiser"], hackathon=hackathon, action="publish_results")
    hackathon.refresh_from_db()
    assert list(selectors.submissions_for_hackathon(user=AnonymousUser(), hackathon=hackathon)) == [w["submission"]]


def test_a_team_list_shows_hidden_members_handles_only_to_organisers():
    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule())
    team, (shown, hidden) = team_factory(hackathon)
    make_profile(user=shown, handle="visible-ana")
    make_profile(user=hidden, handle="oculto-bo", visibility=Visibility.HIDDEN)
    teams = list(selectors.teams_for_hackathon(hackathon=hackathon))
    assert selectors.visible_member_handles(viewer=UserFactory(), hackathon=hackathon, teams=teams) == {
        shown.pk: "visible-ana",
    }
    assert selectors.visible_member_handles(viewer=hidden, hackathon=hackathon, teams=teams) == {
        shown.pk: "visible-ana", hidden.pk: "oculto-bo",
    }
    assert selectors.visible_member_handles(viewer=hackathon.organisers.first(), hackathon=hackathon, teams=teams) == {
        shown.pk: "visible-ana", hidden.pk: "oculto-bo",
    }
    assert teams[0].member_count == 2


def test_registration_counts_name_every_status_and_the_checked_in():
    hackathon = hackathon_factory(
        state=State.IN_PROGRESS, schedule=running_schedule(), format=Hackathon.Format.VENUE, venue="Bilbao"
    )
    organiser = hackathon.organisers.first()
    here, _absent = participant_factory(hackathon), participant_factory(hackathon)
    registration_check_in(actor=organiser, registration=Registration.objects.get(hackathon=hackathon, user=here))
    counts = selectors.registration_counts(hackathon=hackathon)
    assert counts == {**{status: 0 for status in Registration.Status.values}, "confirmed": 2, "checked_in": 1}


def test_team_for_user_is_nobodys_for_anonymous_and_outsiders():
    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule())
    team, (captain, _mate) = team_factory(hackathon)
    assert selectors.team_for_user(user=captain, hackathon=hackathon) == team
    assert selectors.team_for_user(user=participant_factory(hackathon), hackathon=hackathon) is None
    assert selectors.team_for_user(user=AnonymousUser(), hackathon=hackathon) is None
