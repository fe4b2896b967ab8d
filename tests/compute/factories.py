"""Compute test data, created through the services like users create it."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from apps.accounts import roles
from apps.compute.models import AllocationRequest, Resource
from apps.compute.services import decisions, requests, review
from tests.accounts.factories import UserFactory

_counter = iter(range(1, 10**6))


def make_operator(resource):
    operator = UserFactory()
    operator.groups.add(Group.objects.get_or_create(name=roles.COMPUTE_OPERATORS)[0])
    resource.operators.add(operator)
    return operator


def make_resource(**overrides) -> Resource:
    n = next(_counter)
    data = dict(name=f"MareNostrum 5 ACC {n}", slug=f"mn5-acc-{n}", provider="BSC-CNS",
                kind=Resource.Kind.GPU, unit=Resource.Unit.GPU_HOURS, description="H100 partition")
    data.update(overrides)
    return requests.resource_create(**data)


def make_call(*, resource=None, budget="1000", per_request_max="500", managers=None, reviewers=None,
              open_now=True, **overrides):
    n = next(_counter)
    now = timezone.now()
    opens = now - timedelta(days=10) if open_now else now - timedelta(days=60)
    closes = now + timedelta(days=20) if open_now else now - timedelta(days=5)
    data = dict(
        resource=resource or make_resource(), title=f"Call {n} for open AI models", slug=f"call-{n}",
        budget=Decimal(budget), per_request_max=Decimal(per_request_max),
        opens_at=opens, closes_at=closes, review_deadline=closes + timedelta(days=14),
        criteria=[("Scientific merit", 3), ("Feasibility", 2), ("Openness and public outputs", 1)],
        managers=managers if managers is not None else [UserFactory()],
        reviewers=reviewers if reviewers is not None else [UserFactory(), UserFactory()],
    )
    data.update(overrides)
    return requests.call_create(**data)


def make_request(*, call, applicant=None, units="100", submit=True, affiliation="Universidad de Granada",
                 collaborators=(), **overrides) -> AllocationRequest:
    n = next(_counter)
    data = dict(
        applicant=applicant or UserFactory(), call=call, title=f"Legal-domain Spanish LLM {n}",
        abstract="Fine-tune an open model on Spanish case law.", justification="8×H100 for 2 weeks.",
        requested_units=Decimal(units), desired_start=timezone.localdate(), duration_days=90,
        applicant_affiliation=affiliation, collaborators=list(collaborators),
        outputs=[requests.Output("model", f"ugr-nlp/legal-es-{n}", "apache-2.0")],
    )
    data.update(overrides)
    was_open = None
    if not requests.call_is_open(call):
        # Requests in closed calls were created while it was open.
        was_open = (call.opens_at, call.closes_at)
        call.closes_at = timezone.now() + timedelta(days=1)
    allocation = requests.request_create(**data)
    if submit:
        requests.request_submit(actor=allocation.applicant, request=allocation)
    if was_open:
        call.opens_at, call.closes_at = was_open
    return allocation


def manager_of(call):
    return call.managers.first()


def approved_request(*, call, units="100", granted=None, **kwargs):
    allocation = make_request(call=call, units=units, **kwargs)
    grant = decisions.request_approve(actor=manager_of(call), request=allocation,
                                      units=Decimal(granted or units), note="Good plan.")
    allocation.refresh_from_db()
    return allocation, grant


def assigned(*, call, allocation, reviewer=None):
    reviewer = reviewer or call.reviewers.first()
    return review.reviewer_assign(actor=manager_of(call), request=allocation, reviewer=reviewer)
