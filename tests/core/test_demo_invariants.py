"""The demo tells one true story: states match histories, dates line up, numbers add up.

New demo data must keep these true, so a first visit never meets a contradiction.
"""

import re
from collections import defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import User
from apps.compute.models import AllocationRequest, Call, Criterion, Grant, ReviewerAssignment, UsageRecord
from apps.compute.selectors import funded_outputs_adoption
from apps.hackathons.models import Hackathon
from apps.hub.models import HubRepository
from apps.profiles.models import Profile

ENGLISH = re.compile(r"\b(the|and|for|of|with|at)\b", re.IGNORECASE)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))


@pytest.mark.django_db
def test_the_demo_tells_one_true_story(demo):
    # Its made-up people are notified in the app only: seeding leaves no e-mail delivery for the
    # full stack's mailers to send to their invented addresses (one seeding for both checks).
    from apps.notifications.models import Delivery, Notification

    assert Notification.objects.exists() and not Delivery.objects.exists()
    problems = []
    now = timezone.now()

    for request in AllocationRequest.objects.prefetch_related("transitions"):
        history = list(request.transitions.all())  # ordered by created_at, id
        if history and history[-1].to_status != request.status:
            problems.append(f"{request.title}: {request.status} but history ends {history[-1].to_status}")
        if [t.id for t in history] != sorted(t.id for t in history):
            problems.append(f"{request.title}: history out of order")
        if any(t.created_at > now for t in history):
            problems.append(f"{request.title}: history in the future")

    for grant in Grant.objects.select_related("request"):
        used = sum(u.units for u in UsageRecord.objects.filter(grant=grant))
        if used > grant.units:
            problems.append(f"{grant.request.title}: {used} used of {grant.units}")
        if grant.request.desired_start != grant.start_date:
            problems.append(f"{grant.request.title}: grant starts {grant.start_date}, asked {grant.request.desired_start}")
        elapsed = (timezone.localdate() - grant.start_date).days / (grant.end_date - grant.start_date).days
        if used / grant.units > max(elapsed, 0) + 0.25:
            problems.append(f"{grant.request.title}: {used / grant.units:.0%} used after {elapsed:.0%} of the period")
        for record in UsageRecord.objects.filter(grant=grant):
            if record.period_start < grant.start_date or record.period_end > grant.end_date:
                problems.append(f"{grant.request.title}: usage outside the grant period")

    scores = defaultdict(list)
    for assignment in ReviewerAssignment.objects.exclude(weighted_score=None):
        scores[assignment.request_id].append(assignment.weighted_score)
    problems += [f"request {pk}: reviewers tie at {values}" for pk, values in scores.items()
                 if len(values) != len(set(values))]

    adoption = funded_outputs_adoption()
    if not (adoption.published and adoption.downloads_30d):
        problems.append(f"ledger: {adoption}")

    for hackathon in Hackathon.objects.all():
        order = [hackathon.registration_opens_at, hackathon.registration_closes_at, hackathon.hacking_starts_at,
                 hackathon.hacking_ends_at, hackathon.judging_ends_at, hackathon.results_at]
        if order != sorted(order):
            problems.append(f"{hackathon.title}: schedule out of order")

    joined = list(User.objects.values_list("date_joined", flat=True))
    recent = sum(1 for moment in joined if moment > now - timedelta(days=30))
    if recent > len(joined) / 4:
        problems.append(f"{recent} of {len(joined)} members joined in the last 30 days")

    spanish_texts = [*Call.objects.values_list("title", flat=True), *Criterion.objects.values_list("name", flat=True),
                     *Profile.objects.values_list("headline", flat=True)]
    problems += [f"English in the Spanish demo: {text!r}" for text in spanish_texts if ENGLISH.search(text)]

    flagship = HubRepository.objects.filter(repo_id__in=["BSC-LT/ALIA-40b", "BSC-LT/ALIA-40b-instruct"])
    if sorted(r.repo_id for r in flagship) != ["BSC-LT/ALIA-40b", "BSC-LT/ALIA-40b-instruct"]:
        problems.append("ALIA-40b and its instruct version are not in the catalogue")
    problems += [f"{r.repo_id}: {r.downloads} downloads a month" for r in flagship if not 150 <= r.downloads <= 200]

    assert problems == []

