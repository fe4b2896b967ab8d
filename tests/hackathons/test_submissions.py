import pytest

from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.hackathons.models import Hackathon, Submission
from apps.hackathons.selectors import submissions_referencing
from apps.hackathons.services.submissions import is_valid_repo_id, submission_save
from tests.hackathons.factories import (
    hackathon_factory,
    past_hacking_schedule,
    running_schedule,
    submission_factory,
    team_factory,
)

pytestmark = pytest.mark.django_db
State = Hackathon.State


def running(**fields):
    return hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule(), **fields)


@pytest.mark.parametrize(
    "repo_id,valid",
    [
        ("bigscience/bloom", True),
        ("BSC-LT/salamandra-7b", True),
        ("user_1/data.set_v2", True),
        ("a/" + "b" * 96, True),
        ("a/" + "b" * 97, False),
        ("bloom", False),
        ("a/b/c", False),
        ("-owner/name", False),
        ("owner/name.", False),
        ("owner/na--me", False),
        ("owner/na..me", False),
        ("owner/na me", False),
        ("owner/ñandú", False),
    ],
)
def test_repo_ids_follow_hub_rules(repo_id, valid):
    assert is_valid_repo_id(repo_id) is valid


def test_one_submission_per_team_and_track_is_updated_in_place():
    hackathon = running()
    team, (a, b) = team_factory(hackathon)
    first = submission_factory(team, a)
    second = submission_factory(team, b, title="Versión 2", repos=[("dataset", "org/bulos"), ("space", "org/demo")])
    assert first.pk == second.pk
    assert Submission.objects.get().title == "Versión 2"
    assert sorted(second.repositories.values_list("kind", "repo_id")) == [("dataset", "org/bulos"), ("space", "org/demo")]


def test_invalid_repo_ids_are_named_in_the_field_error():
    team, (a, _) = team_factory(running())
    with pytest.raises(InvalidInput) as exc:
        submission_factory(team, a, repos=[("model", "not-a-repo"), ("model", "ok/fine")])
    assert "not-a-repo" in exc.value.errors["repositories"][0]


def test_late_submission_is_refused_with_a_clear_message():
    hackathon = running()
    team, (a, _) = team_factory(hackathon)
    submission = submission_factory(team, a)
    Hackathon.objects.filter(pk=hackathon.pk).update(**past_hacking_schedule())
    with pytest.raises(Conflict, match="submission deadline was") as exc:
        submission_factory(team, a, title="Cambio tardío")
    assert "Europe/Madrid" in str(exc.value.message)
    submission.refresh_from_db()
    assert submission.title == "Detector de bulos"


def test_refused_before_hacking_starts_for_outsiders_and_below_minimum():
    not_started = hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule())
    team, (a, b) = team_factory(not_started)
    with pytest.raises(Conflict, match="open when hacking starts"):
        submission_factory(team, a)
    hackathon = running(min_team_size=3)
    team, (a, b) = team_factory(hackathon)
    _other, (outsider, _) = team_factory(hackathon)
    with pytest.raises(NotAllowed):
        submission_factory(team, outsider)
    with pytest.raises(Conflict, match="at least 3"):
        submission_factory(team, a)


def test_track_of_another_hackathon_is_refused():
    team, (a, _) = team_factory(running())
    foreign = running().tracks.get()
    with pytest.raises(InvalidInput):
        submission_save(user=a, team=team, track=foreign, title="t", description="d")


def test_submissions_referencing_finds_public_submissions_by_repo():
    hackathon = running()
    team, (a, _) = team_factory(hackathon)
    submission = submission_factory(team, a, repos=[("model", "org/modelo")])
    assert list(submissions_referencing(["org/modelo"])) == []  # results not published yet
    assert list(submissions_referencing(["org/modelo"], public_only=False)) == [submission]
    Hackathon.objects.filter(pk=hackathon.pk).update(state=State.FINISHED, results_published_at=hackathon.hacking_ends_at)
    assert list(submissions_referencing(["org/otro", "org/modelo"])) == [submission]
    assert list(submissions_referencing(["org/modelo"], kind="dataset")) == []  # same name, other kind
    assert list(submissions_referencing(["org/modelo"], kind="model")) == [submission]
