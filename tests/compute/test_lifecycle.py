from decimal import Decimal

import pytest

from apps.compute.models import AllocationRequest, Transition
from apps.compute.services import decisions, lifecycle, requests
from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.compute.factories import approved_request, make_call, make_request, manager_of

Status = AllocationRequest.Status
pytestmark = pytest.mark.django_db

ALL = list(Status.values)
ALLOWED_PAIRS = [(a, b) for a in ALL for b in ALL if lifecycle.is_allowed(a, b)]
REFUSED_PAIRS = [(a, b) for a in ALL for b in ALL if not lifecycle.is_allowed(a, b)]


def test_the_state_machine_is_exactly_the_documented_one():
    assert set(ALLOWED_PAIRS) == {
        ("draft", "submitted"), ("draft", "withdrawn"),
        ("submitted", "under_review"), ("submitted", "changes_requested"), ("submitted", "approved"),
        ("submitted", "rejected"), ("submitted", "withdrawn"),
        ("under_review", "changes_requested"), ("under_review", "approved"), ("under_review", "rejected"),
        ("under_review", "withdrawn"),
        ("changes_requested", "submitted"), ("changes_requested", "withdrawn"),
        ("approved", "active"), ("active", "completed"),
    }


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED_PAIRS)
def test_allowed_transition_is_recorded_in_the_audit_trail(from_status, to_status):
    allocation = make_request(call=make_call(), submit=False)
    AllocationRequest.objects.filter(pk=allocation.pk).update(status=from_status)
    actor = UserFactory()
    lifecycle.transition(request=allocation, to=to_status, actor=actor, note="why")
    allocation.refresh_from_db()
    assert allocation.status == to_status
    entry = Transition.objects.get(request=allocation)
    assert (entry.actor, entry.from_status, entry.to_status, entry.note) == (actor, from_status, to_status, "why")


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED_PAIRS)
def test_refused_transition_changes_nothing(from_status, to_status):
    allocation = make_request(call=make_call(), submit=False)
    AllocationRequest.objects.filter(pk=allocation.pk).update(status=from_status)
    with pytest.raises(Conflict):
        lifecycle.transition(request=allocation, to=to_status)
    allocation.refresh_from_db()
    assert allocation.status == from_status
    assert not Transition.objects.filter(request=allocation).exists()


def test_full_journey_with_changes_requested_and_resubmission():
    call = make_call()
    manager = manager_of(call)
    allocation = make_request(call=call, submit=False)
    assert allocation.status == Status.DRAFT
    requests.request_submit(actor=allocation.applicant, request=allocation)
    assert allocation.submitted_at is not None
    requests.request_changes_ask(actor=manager, request=allocation, note="Add a data-management plan.")
    with pytest.raises(NotAllowed):
        requests.request_update(actor=UserFactory(), request=allocation, title="Hijacked")
    requests.request_update(actor=allocation.applicant, request=allocation, data_management="Deposit in Zenodo.")
    requests.request_submit(actor=allocation.applicant, request=allocation, note="Plan added.")
    decisions.request_approve(actor=manager, request=allocation, units=Decimal("80"), note="Fewer hours.")
    allocation.refresh_from_db()
    # The desired start is today, so the grant period starts at once.
    assert allocation.status == Status.ACTIVE
    assert allocation.grant.units == Decimal("80")
    trail = list(allocation.transitions.values_list("from_status", "to_status"))
    assert trail == [("draft", "submitted"), ("submitted", "changes_requested"),
                     ("changes_requested", "submitted"), ("submitted", "approved"), ("approved", "active")]
    kinds = set(Notification.objects.filter(recipient=allocation.applicant).values_list("kind", flat=True))
    assert {"compute.submitted", "compute.changes_requested", "compute.decision"} <= kinds
    assert Notification.objects.filter(recipient=manager, kind="compute.submitted").count() == 2


def test_applicant_cannot_edit_once_submitted_and_nobody_else_can_submit():
    allocation = make_request(call=make_call(), submit=False)
    with pytest.raises(NotAllowed):
        requests.request_submit(actor=UserFactory(), request=allocation)
    requests.request_submit(actor=allocation.applicant, request=allocation)
    with pytest.raises(NotAllowed):
        requests.request_update(actor=allocation.applicant, request=allocation, title="Changed")


def test_granted_units_cannot_exceed_requested_and_reject_needs_a_note():
    call = make_call()
    allocation = make_request(call=call, units="100")
    with pytest.raises(InvalidInput) as error:
        decisions.request_approve(actor=manager_of(call), request=allocation, units=Decimal("101"))
    assert "units" in error.value.errors
    with pytest.raises(InvalidInput):
        decisions.request_reject(actor=manager_of(call), request=allocation, note=" ")
    with pytest.raises(NotAllowed):
        decisions.request_approve(actor=allocation.applicant, request=allocation, units=Decimal("10"))


def test_a_decided_request_cannot_be_decided_again():
    call = make_call()
    allocation, _grant = approved_request(call=call)
    with pytest.raises(Conflict):
        decisions.request_reject(actor=manager_of(call), request=allocation, note="Changed my mind")


def test_requests_respect_the_call_maximum_and_dates():
    call = make_call(per_request_max="50")
    with pytest.raises(InvalidInput) as error:
        make_request(call=call, units="51")
    assert "requested_units" in error.value.errors
    closed = make_call(open_now=False)
    with pytest.raises(Conflict):
        requests.request_create(
            applicant=UserFactory(), call=closed, title="t", abstract="a", justification="j",
            requested_units=Decimal("1"), desired_start=closed.closes_at.date(), duration_days=10,
            applicant_affiliation="UPV",
        )


def test_staged_decisions_apply_together_after_the_call_closes():
    call = make_call(open_now=False)
    manager = manager_of(call)
    first, second = make_request(call=call, units="100"), make_request(call=call, units="200")
    decisions.decision_stage(actor=manager, request=first, decision="approve", units=Decimal("60"), note="ok")
    decisions.decision_stage(actor=manager, request=second, decision="reject", note="Out of scope.")
    assert decisions.staged_decisions_apply(actor=manager, call=call) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status in (Status.APPROVED, Status.ACTIVE) and first.grant.units == Decimal("60")
    assert second.status == Status.REJECTED
    assert first.staged_decision == "" and second.staged_decision == ""


def test_staged_decisions_over_budget_apply_none():
    call = make_call(open_now=False, budget="500", per_request_max="300")
    manager = manager_of(call)
    staged = [make_request(call=call, units="300") for _ in range(2)]
    for allocation in staged:
        decisions.decision_stage(actor=manager, request=allocation, decision="approve", units=Decimal("300"))
    with pytest.raises(Conflict) as error:
        decisions.staged_decisions_apply(actor=manager, call=call)
    assert "500" in str(error.value.message)
    assert not AllocationRequest.objects.filter(call=call, status=Status.APPROVED).exists()


def test_staged_decisions_wait_for_the_call_to_close():
    call = make_call()
    with pytest.raises(Conflict):
        decisions.staged_decisions_apply(actor=manager_of(call), call=call)
