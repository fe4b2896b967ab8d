from fractions import Fraction

import pytest

from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.hackathons.models import Hackathon, JudgeAssignment
from apps.hackathons.selectors import judging_progress, leaderboard
from apps.hackathons.services import judging
from apps.hackathons.services.lifecycle import hackathon_transition
from tests.accounts.factories import UserFactory
from tests.hackathons.factories import (
    hackathon_factory,
    judge_factory,
    running_schedule,
    start_judging,
    submission_factory,
    team_factory,
)

pytestmark = pytest.mark.django_db
State = Hackathon.State


def judged_hackathon(**fields):
    """A running hackathon with a two-criterion rubric: Impact (weight 2, 0-10), Technique (1, 0-5)."""
    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule(), **fields)
    organiser = hackathon.organisers.get()
    impact = judging.criterion_add(actor=organiser, hackathon=hackathon, name="Impacto", weight=2, max_score=10)
    technique = judging.criterion_add(actor=organiser, hackathon=hackathon, name="Técnica", weight=1, max_score=5)
    return hackathon, organiser, impact, technique


def test_rubric_needs_positive_weights_and_only_organisers_change_it():
    hackathon, organiser, *_ = judged_hackathon()
    with pytest.raises(InvalidInput) as exc:
        judging.criterion_add(actor=organiser, hackathon=hackathon, name="x", weight=0, max_score=0)
    assert set(exc.value.errors) == {"weight", "max_score"}
    with pytest.raises(NotAllowed):
        judging.criterion_add(actor=UserFactory(), hackathon=hackathon, name="y")
    start_judging(hackathon, organiser)
    with pytest.raises(Conflict):
        judging.criterion_add(actor=organiser, hackathon=hackathon, name="Tarde")


def test_judge_with_conflict_of_interest_is_not_assigned_and_cannot_score():
    hackathon, organiser, impact, technique = judged_hackathon()
    team, (a, b) = team_factory(hackathon)
    conflicted = judging.judge_add(actor=organiser, hackathon=hackathon, handle=a.username)
    submission = submission_factory(team, a)
    start_judging(hackathon, organiser)
    assert not JudgeAssignment.objects.filter(judge=conflicted).exists()
    JudgeAssignment.objects.create(judge=conflicted, submission=submission)  # even if forced by hand
    with pytest.raises(NotAllowed, match="belong"):
        judging.scorecard_submit(user=a, submission=submission, scores={impact.id: (10, ""), technique.id: (5, "")})


def test_scores_are_validated_and_only_during_judging():
    hackathon, organiser, impact, technique = judged_hackathon()
    team, (a, _) = team_factory(hackathon)
    submission = submission_factory(team, a)
    judge = judge_factory(hackathon, organiser)
    with pytest.raises(NotAllowed):  # not assigned before judging starts
        judging.scorecard_submit(user=judge.user, submission=submission, scores={})
    start_judging(hackathon, organiser)
    with pytest.raises(InvalidInput) as exc:
        judging.scorecard_submit(user=judge.user, submission=submission, scores={impact.id: (11, "")})
    assert set(exc.value.errors) == {f"criterion_{impact.id}", f"criterion_{technique.id}"}
    with pytest.raises(NotAllowed):
        judging.scorecard_submit(user=UserFactory(), submission=submission, scores={})
    judging.scorecard_submit(user=judge.user, submission=submission, scores={impact.id: (7, "Bien"), technique.id: (3, "")})
    assert judging_progress(hackathon=hackathon) == [{"judge": judge, "assigned": 1, "completed": 1}]


def test_leaderboard_on_a_hand_computed_example_with_ties():
    """Judge score = (2·impact/10 + 1·technique/5) / 3; submission score = mean over judges.

    D: J1 (10,5)=1,   J2 (10,5)=1                 -> 1
    C: J1 (6,3)=3/5,  J2 (7,4)=11/15, J3 (8,2)=2/3 -> 2/3, three judges
    A: J1 (10,5)=1,   J2 (5,0)=1/3                -> 2/3, two judges, submitted before B
    B: J1 (8,2)=2/3,  J2 (8,2)=2/3                -> 2/3, two judges
    E: nobody scored                              -> 0
    Expected order: D, C (more judges), A (earlier), B, E.
    """
    hackathon, organiser, impact, technique = judged_hackathon()
    subs = {}
    for name in "ABCDE":
        team, (member, _) = team_factory(hackathon, name=f"Equipo {name}")
        subs[name] = submission_factory(team, member, title=f"Proyecto {name}")
    j1, j2, j3 = (judge_factory(hackathon, organiser) for _ in range(3))
    start_judging(hackathon, organiser)
    marks = {
        (j1, "D"): (10, 5), (j2, "D"): (10, 5),
        (j1, "C"): (6, 3), (j2, "C"): (7, 4), (j3, "C"): (8, 2),
        (j1, "A"): (10, 5), (j2, "A"): (5, 0),
        (j1, "B"): (8, 2), (j2, "B"): (8, 2),
    }
    for (judge, name), (i, t) in marks.items():
        judging.scorecard_submit(
            user=judge.user, submission=subs[name], scores={impact.id: (i, ""), technique.id: (t, "")}
        )
    rows = leaderboard(user=organiser, hackathon=hackathon)
    assert [(r.position, r.submission.title, r.score, r.judges) for r in rows] == [
        (1, "Proyecto D", Fraction(1), 2),
        (2, "Proyecto C", Fraction(2, 3), 3),
        (3, "Proyecto A", Fraction(2, 3), 2),
        (4, "Proyecto B", Fraction(2, 3), 2),
        (5, "Proyecto E", Fraction(0), 0),
    ]
    assert rows[1].percent == 66.67
    # Reading twice gives the same order.
    assert [r.submission.id for r in leaderboard(user=organiser, hackathon=hackathon)] == [r.submission.id for r in rows]


def test_scores_hidden_until_results_are_published():
    hackathon, organiser, impact, technique = judged_hackathon()
    team, (member, _) = team_factory(hackathon)
    submission = submission_factory(team, member)
    judge = judge_factory(hackathon, organiser)
    start_judging(hackathon, organiser)
    judging.scorecard_submit(user=judge.user, submission=submission, scores={impact.id: (5, ""), technique.id: (5, "")})
    for viewer in (member, judge.user, UserFactory()):
        with pytest.raises(NotAllowed):
            leaderboard(user=viewer, hackathon=hackathon)
    hackathon_transition(actor=organiser, hackathon=hackathon, action="publish_results")
    hackathon.refresh_from_db()
    assert leaderboard(user=UserFactory(), hackathon=hackathon)[0].score == Fraction(2, 3)


def test_judge_added_during_judging_gets_assignments_at_once():
    hackathon, organiser, *_ = judged_hackathon()
    team, (member, _) = team_factory(hackathon)
    submission_factory(team, member)
    start_judging(hackathon, organiser)
    hackathon.refresh_from_db()
    late = judge_factory(hackathon, organiser)
    assert late.assignments.count() == 1
    with pytest.raises(InvalidInput):
        judging.judge_add(actor=organiser, hackathon=hackathon, handle=late.user.username)
