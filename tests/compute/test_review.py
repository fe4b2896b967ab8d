from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.compute import permissions
from apps.compute.models import Call, ReviewerAssignment
from apps.compute.services import decisions, requests, review
from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.compute.factories import assigned, make_call, make_request, manager_of
from workers.compute import run_grant_calendar

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("a", "b"), [
    ("Universidad de Granada", "universidad  granada"),
    ("Universitat Politècnica de València (UPV)", "universitat politecnica valencia"),
    ("Barcelona Supercomputing Center", "BARCELONA SUPERCOMPUTING CENTER."),
])
def test_affiliations_are_compared_normalised(a, b):
    assert review.normalise_affiliation(a) == review.normalise_affiliation(b)


def test_reviewer_sharing_the_applicant_affiliation_cannot_be_assigned():
    call = make_call()
    reviewer = call.reviewers.first()
    review.reviewer_profile_set(user=reviewer, affiliation="UNIVERSIDAD DE GRANADA")
    allocation = make_request(call=call, affiliation="Universidad de Granada")
    with pytest.raises(Conflict) as error:
        assigned(call=call, allocation=allocation, reviewer=reviewer)
    assert "reviewer" in error.value.errors
    assert not ReviewerAssignment.objects.exists()


def test_reviewer_sharing_a_collaborator_affiliation_or_part_of_the_team_is_refused():
    call = make_call()
    reviewer, member_reviewer = call.reviewers.all()
    review.reviewer_profile_set(user=reviewer, affiliation="Barcelona Supercomputing Center")
    allocation = make_request(call=call, affiliation="UPV", collaborators=[
        requests.Collaborator(UserFactory(), "barcelona supercomputing center"),
        requests.Collaborator(member_reviewer, "UPV"),
    ])
    for person in (reviewer, member_reviewer):
        with pytest.raises(Conflict):
            assigned(call=call, allocation=allocation, reviewer=person)


def test_self_declared_conflict_removes_the_reviewer_for_good():
    call = make_call()
    allocation = make_request(call=call)
    assignment = assigned(call=call, allocation=allocation)
    review.conflict_declare(actor=assignment.reviewer, assignment=assignment, note="Former student")
    assert not permissions.can_view_request(assignment.reviewer, allocation)
    with pytest.raises(Conflict):
        assigned(call=call, allocation=allocation, reviewer=assignment.reviewer)


def test_only_panel_reviewers_and_only_by_managers():
    call = make_call()
    allocation = make_request(call=call)
    with pytest.raises(InvalidInput):
        assigned(call=call, allocation=allocation, reviewer=UserFactory())
    with pytest.raises(NotAllowed):
        review.reviewer_assign(actor=allocation.applicant, request=allocation, reviewer=call.reviewers.first())


def test_assignment_starts_review_and_notifies_the_reviewer():
    call = make_call()
    allocation = make_request(call=call)
    assignment = assigned(call=call, allocation=allocation)
    allocation.refresh_from_db()
    assert allocation.status == "under_review"
    assert Notification.objects.filter(recipient=assignment.reviewer, kind="compute.review_assigned").exists()


def test_csv_assignment_is_all_or_nothing_with_line_errors():
    call = make_call()
    first, second = make_request(call=call), make_request(call=call)
    reviewer = call.reviewers.first()
    content = (f"request_id,reviewer_email\n{first.pk},{reviewer.email}\n"
               f"999999,{reviewer.email}\n{second.pk},nobody@example.org\n")
    with pytest.raises(InvalidInput) as error:
        review.reviewers_assign_csv(actor=manager_of(call), call=call, content=content)
    assert set(error.value.errors) == {"line 3", "line 4"}
    assert not ReviewerAssignment.objects.exists()
    done = review.reviewers_assign_csv(
        actor=manager_of(call), call=call,
        content=f"{first.pk},{reviewer.email}\n{second.pk},{reviewer.email.upper()}\n")
    assert len(done) == 2


def test_scoring_needs_every_criterion_and_computes_the_weighted_score():
    call = make_call()
    allocation = make_request(call=call)
    assignment = assigned(call=call, allocation=allocation)
    merit, feasibility, openness = call.criteria.all()
    with pytest.raises(InvalidInput) as error:
        review.review_submit(actor=assignment.reviewer, assignment=assignment,
                             scores={merit.pk: 9}, recommendation="approve")
    assert f"criterion_{feasibility.pk}" in error.value.errors
    with pytest.raises(NotAllowed):
        review.review_submit(actor=UserFactory(), assignment=assignment,
                             scores={merit.pk: 9, feasibility.pk: 6, openness.pk: 3}, recommendation="approve")
    done = review.review_submit(actor=assignment.reviewer, assignment=assignment,
                                scores={merit.pk: 9, feasibility.pk: 6, openness.pk: 3}, recommendation="approve")
    assert done.weighted_score == Decimal("7.00")  # (9×3 + 6×2 + 3×1) / 6


@pytest.mark.parametrize(("visibility", "before_own", "after_own"), [
    (Call.ScoreVisibility.NEVER, False, False),
    (Call.ScoreVisibility.AFTER_OWN, False, True),
    (Call.ScoreVisibility.ALWAYS, True, True),
])
def test_reviewers_see_each_other_scores_only_as_the_call_allows(visibility, before_own, after_own):
    call = make_call(score_visibility=visibility)
    allocation = make_request(call=call)
    first, second = call.reviewers.all()
    a1 = assigned(call=call, allocation=allocation, reviewer=first)
    assigned(call=call, allocation=allocation, reviewer=second)
    scores = {c.pk: 5 for c in call.criteria.all()}
    review.review_submit(actor=second, assignment=allocation.assignments.get(reviewer=second), scores=scores,
                         recommendation="reject")
    fresh = lambda: type(allocation).objects.get(pk=allocation.pk)  # noqa: E731
    assert permissions.can_see_other_scores(first, fresh()) is before_own
    review.review_submit(actor=first, assignment=a1, scores=scores, recommendation="approve")
    assert permissions.can_see_other_scores(first, fresh()) is after_own
    decisions.request_approve(actor=manager_of(call), request=fresh(), units=Decimal("10"))
    assert permissions.can_see_other_scores(first, fresh()) is True
    assert permissions.can_see_other_scores(manager_of(call), fresh()) is True
    assert permissions.can_see_other_scores(allocation.applicant, fresh()) is False


def test_blind_review_hides_the_applicant_from_reviewers_only():
    call = make_call(blind_review=True)
    allocation = make_request(call=call)
    assignment = assigned(call=call, allocation=allocation)
    assert not permissions.can_see_applicant_identity(assignment.reviewer, allocation)
    assert permissions.can_see_applicant_identity(manager_of(call), allocation)
    assert permissions.can_see_applicant_identity(allocation.applicant, allocation)


def test_reviewers_are_reminded_once_of_their_unscored_assignments_three_days_before_the_deadline():
    now = timezone.now()
    late, done = UserFactory(), UserFactory()
    soon = make_call(open_now=False, review_deadline=now + timedelta(days=2), reviewers=[late, done],
                     blind_review=True)
    later = make_call(open_now=False, review_deadline=now + timedelta(days=9), reviewers=[late])
    first, second = make_request(call=soon), make_request(call=soon)
    assigned(call=soon, allocation=first, reviewer=late)
    assigned(call=soon, allocation=second, reviewer=late)
    scored = assigned(call=soon, allocation=first, reviewer=done)
    review.review_submit(actor=done, assignment=scored, recommendation="approve",
                         scores={c.pk: 8 for c in soon.criteria.all()})
    assigned(call=later, allocation=make_request(call=later), reviewer=late)
    reminders = Notification.objects.filter(kind="compute.review_reminder")

    assert run_grant_calendar.run()["reviewers_reminded"] == 1
    message = reminders.get()
    assert message.recipient == late and message.url == "/compute/reviews/"
    assert first.title in message.body and second.title in message.body
    assert str(first.applicant) not in message.body  # blind review: titles only
    assert later.title not in message.body  # that deadline is nine days away
    assert run_grant_calendar.run()["reviewers_reminded"] == 0  # once per call
    assert reminders.count() == 1

    # A new deadline gets its own reminder.
    requests.call_update(actor=UserFactory(is_staff=True), call=soon, review_deadline=now + timedelta(days=1))
    assert review.review_reminders_send() == 1 and reminders.count() == 2
