"""Races with real parallel connections: each thread opens its own database connection."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.meetups import services
from apps.meetups.models import Event, Rsvp
from tests.accounts.factories import UserFactory
from tests.hackathons.concurrency import run_at_once
from tests.meetups.factories import event_factory

pytestmark = pytest.mark.django_db(transaction=True)
Status = Rsvp.Status


def test_never_over_capacity_with_guests():
    event = event_factory(capacity=5, max_guests=2)
    people = UserFactory.create_batch(8)
    outcomes = run_at_once(lambda user: services.rsvp_going(user=user, event=event, guests=1), people)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    going = Rsvp.objects.filter(event=event, status=Status.GOING)
    assert sum(r.places for r in going) == 4  # two parties of two; a third would need 6 places
    assert services.places_taken(event) <= event.capacity
    assert Rsvp.objects.filter(event=event, status=Status.WAITLISTED).count() == 6


def test_waitlist_order_is_the_order_of_arrival():
    event = event_factory(capacity=1)
    services.rsvp_going(user=UserFactory(), event=event)
    people = UserFactory.create_batch(6)
    run_at_once(lambda user: services.rsvp_going(user=user, event=event), people)
    queue = list(Rsvp.objects.filter(event=event, status=Status.WAITLISTED).order_by("queued_at", "id"))
    assert len(queue) == 6
    # Under the event lock each joins after the previous one committed: queue times strictly increase.
    assert all(a.queued_at < b.queued_at for a, b in zip(queue, queue[1:]))
    first = queue[0]
    holder = Rsvp.objects.get(event=event, status=Status.GOING)
    services.rsvp_cancel(user=holder.user, event=event)
    assert Rsvp.objects.get(pk=first.pk).status == Status.GOING


def test_one_freed_place_is_offered_to_one_person_only():
    event = event_factory(capacity=2, waitlist_mode=Event.WaitlistMode.OFFER)
    holders = UserFactory.create_batch(2)
    for user in holders:
        services.rsvp_going(user=user, event=event)
    waiting = UserFactory.create_batch(4)
    for user in waiting:
        services.rsvp_going(user=user, event=event)
    # Both holders cancel at once while the expiry task runs: two places, two offers, never more.
    outcomes = run_at_once(
        lambda action: action(),
        [
            lambda: services.rsvp_cancel(user=holders[0], event=event),
            lambda: services.rsvp_cancel(user=holders[1], event=event),
            lambda: services.offers_expire(),
        ],
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    offered = list(Rsvp.objects.filter(event=event, status=Status.OFFERED).order_by("queued_at"))
    assert [r.user_id for r in offered] == [waiting[0].id, waiting[1].id]
    # Both offered people confirm at once while the deadline passes for nobody: still two places.
    run_at_once(lambda user: services.rsvp_offer_accept(user=user, event=event), waiting[:2])
    assert services.places_taken(event) == 2


def test_expiry_and_confirmation_race_never_double_books():
    event = event_factory(capacity=1, waitlist_mode=Event.WaitlistMode.OFFER)
    holder, first, second = UserFactory.create_batch(3)
    for user in (holder, first, second):
        services.rsvp_going(user=user, event=event)
    services.rsvp_cancel(user=holder, event=event)
    Rsvp.objects.filter(user=first).update(offer_expires_at=timezone.now() + timedelta(milliseconds=50))
    later = timezone.now() + timedelta(seconds=1)
    run_at_once(
        lambda action: action(),
        [lambda: services.rsvp_offer_accept(user=first, event=event), lambda: services.offers_expire(now=later)],
    )
    assert services.places_taken(event) == 1
    statuses = dict(Rsvp.objects.filter(event=event).values_list("user_id", "status"))
    assert sorted([statuses[first.id], statuses[second.id]]) in (
        sorted([Status.GOING, Status.WAITLISTED]), sorted([Status.NOT_GOING, Status.OFFERED])
    )
