import pytest
from django.core.management import call_command

from apps.meetups.models import CallForSpeakers, Chapter, Event, Rsvp, Talk


@pytest.mark.django_db
def test_demo_has_chapters_past_and_upcoming_events_a_waitlist_an_offer_and_proposals(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    assert Chapter.objects.values("region").distinct().count() >= 6
    finished = Event.objects.filter(state=Event.State.FINISHED)
    assert finished.count() == 2
    assert Rsvp.objects.filter(event__in=finished, checked_in_at__isnull=False).count() == 16
    full = Event.objects.get(title="Agentes con modelos abiertos")
    assert Rsvp.objects.filter(event=full, status=Rsvp.Status.OFFERED).count() == 1
    assert Rsvp.objects.filter(event=full, status=Rsvp.Status.WAITLISTED).count() == 2
    assert sum(r.places for r in full.rsvps.filter(status__in=Rsvp.HOLDS_PLACE)) == full.capacity
    assert Talk.objects.filter(repositories__repo_id="HiTZ/latxa-7b-v1.2").exists()
    assert CallForSpeakers.objects.count() == 1
    assert set(Talk.objects.filter(event__isnull=True).values_list("status", flat=True)) == {"declined", "proposed"}
