"""The compute app's reads, called directly: who sees which allocation request, and the
figures of the public ledger and the home page."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.compute import selectors
from apps.compute.models import AllocationRequest, Resource
from apps.compute.services import decisions, requests, review, usage
from tests.accounts.factories import UserFactory
from tests.compute.factories import (
    approved_request,
    assigned,
    make_call,
    make_operator,
    make_request,
    make_resource,
    manager_of,
)

pytestmark = pytest.mark.django_db


def visible_ids(user) -> set[int]:
    return set(selectors.visible_requests(user=user).values_list("pk", flat=True))


@pytest.fixture
def requests_world():
    """A call with a draft, a submitted request with a collaborator and an assigned reviewer,
    and a granted request; plus everyone who might look at them."""
    call = make_call()
    collaborator = UserFactory()
    draft = make_request(call=call, submit=False)
    submitted = make_request(call=call, collaborators=[requests.Collaborator(user=collaborator)])
    granted, _grant = approved_request(call=call)
    reviewer, idle_reviewer = call.reviewers.all()
    assigned(call=call, allocation=submitted, reviewer=reviewer)
    return {
        "call": call, "draft": draft, "submitted": submitted, "granted": granted,
        "collaborator": collaborator, "reviewer": reviewer, "idle_reviewer": idle_reviewer,
    }


def test_a_draft_is_seen_only_by_its_applicant_even_by_managers_and_staff(requests_world):
    w = requests_world
    draft = w["draft"]
    assert draft.pk in visible_ids(draft.applicant)
    staff = UserFactory(is_staff=True)
    for viewer in (manager_of(w["call"]), staff, w["reviewer"], UserFactory()):
        assert draft.pk not in visible_ids(viewer), viewer
    assert visible_ids(staff) >= {w["submitted"].pk, w["granted"].pk}


def test_applicants_and_collaborators_see_their_request_and_no_other(requests_world):
    w = requests_world
    assert visible_ids(w["submitted"].applicant) == {w["submitted"].pk}
    assert visible_ids(w["collaborator"]) == {w["submitted"].pk}


def test_managers_see_every_submitted_request_of_their_calls_only(requests_world):
    w = requests_world
    other = make_request(call=make_call())
    seen = visible_ids(manager_of(w["call"]))
    assert seen == {w["submitted"].pk, w["granted"].pk}
    assert other.pk not in seen


def test_reviewers_see_only_what_they_are_assigned_and_lose_it_on_a_conflict(requests_world):
    w = requests_world
    assert visible_ids(w["reviewer"]) == {w["submitted"].pk}
    assert visible_ids(w["idle_reviewer"]) == set()
    assignment = w["submitted"].assignments.get(reviewer=w["reviewer"])
    review.conflict_declare(actor=w["reviewer"], assignment=assignment)
    assert visible_ids(w["reviewer"]) == set()


def test_operators_see_granted_requests_on_their_own_resources_only(requests_world):
    w = requests_world
    operator = make_operator(w["call"].resource)
    assert visible_ids(operator) == {w["granted"].pk}
    # On the resource's list but not in the operators' group: nothing.
    not_in_group = UserFactory()
    w["call"].resource.operators.add(not_in_group)
    assert visible_ids(not_in_group) == set()
    assert visible_ids(make_operator(make_resource())) == set()


def test_anonymous_visitors_see_no_request(requests_world):
    assert visible_ids(AnonymousUser()) == set()


def test_compute_roles_tell_reviewers_and_operators_apart(requests_world):
    w = requests_world
    assert selectors.compute_roles(user=w["idle_reviewer"]) == {"reviewer": True, "operator": False}
    assert selectors.compute_roles(user=make_operator(make_resource())) == {"reviewer": False, "operator": True}
    assert selectors.compute_roles(user=UserFactory(is_staff=True)) == {"reviewer": False, "operator": True}
    assert selectors.compute_roles(user=w["collaborator"]) == {"reviewer": False, "operator": False}
    assert selectors.compute_roles(user=AnonymousUser()) == {"reviewer": False, "operator": False}


def test_the_ledger_keeps_what_was_measured_apart_from_what_was_reported():
    call = make_call(budget="1000")
    _allocation, grant = approved_request(call=call, units="300")
    make_request(call=call)  # submitted, undecided
    ledger = {row.slug: row for row in selectors._public_ledger()[0]}[call.slug]
    assert (ledger.granted, ledger.used, ledger.measured) == (Decimal("300"), 0, 0)
    assert (ledger.requests, ledger.approved, ledger.decided, ledger.acceptance_rate) == (2, 1, 1, 100)

    operator = make_operator(call.resource)
    usage.usage_report(actor=operator, request_id=grant.request_id, period_start=grant.start_date,
                       period_end=grant.start_date, units=Decimal("120"))
    ledger = {row.slug: row for row in selectors._public_ledger()[0]}[call.slug]
    assert (ledger.used, ledger.measured, ledger.overrun) == (Decimal("120"), 0, False)


def test_a_resource_ledger_adds_up_its_calls_and_a_rejection_counts_as_decided():
    resource = make_resource()
    first, second = make_call(resource=resource, budget="1000"), make_call(resource=resource, budget="500")
    approved_request(call=first, units="200")
    rejected = make_request(call=second)
    decisions.request_reject(actor=manager_of(second), request=rejected, note="Out of scope.")
    per_resource = {row.slug: row for row in selectors._public_ledger()[1]}[resource.slug]
    assert (per_resource.budget, per_resource.granted) == (Decimal("1500"), Decimal("200"))
    assert (per_resource.requests, per_resource.approved, per_resource.decided) == (2, 1, 2)
    assert per_resource.acceptance_rate == 50


def test_home_numbers_count_gpu_hours_only():
    gpu_call = make_call()
    cpu_call = make_call(resource=make_resource(kind=Resource.Kind.CPU, unit=Resource.Unit.CORE_HOURS))
    _gpu_request, gpu_grant = approved_request(call=gpu_call, units="250")
    _cpu_request, cpu_grant = approved_request(call=cpu_call, units="400")
    for grant, units in ((gpu_grant, "30"), (cpu_grant, "90")):
        usage.usage_report(actor=make_operator(grant.call.resource), request_id=grant.request_id,
                           period_start=grant.start_date, period_end=grant.start_date, units=Decimal(units))
    assert selectors.gpu_hours_numbers() == {"gpu_hours_granted": Decimal("250"), "gpu_hours_used": Decimal("30")}


def test_review_counts_and_staged_count_leave_out_conflicts_and_undecided_requests(requests_world):
    w = requests_world
    submitted, idle = w["submitted"], w["idle_reviewer"]
    second = assigned(call=w["call"], allocation=submitted, reviewer=idle)
    review.conflict_declare(actor=idle, assignment=second)
    assert selectors.review_counts(request=submitted) == {"reviews_in": 0, "reviews_assigned": 1}
    assert selectors.staged_count(call=w["call"]) == 0
    decisions.decision_stage(actor=manager_of(w["call"]), request=submitted, decision=AllocationRequest.StagedDecision.APPROVE, units=Decimal("50"))
    assert selectors.staged_count(call=w["call"]) == 1
