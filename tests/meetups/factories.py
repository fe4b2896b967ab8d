"""Meetup test data, created through the services as organisers and members do."""

from datetime import timedelta

from django.utils import timezone

from apps.meetups import services
from apps.meetups.models import Event
from tests.accounts.factories import UserFactory
from tests.hackathons.factories import organiser_factory


def chapter_factory(*, organiser=None, name="IA Madrid", region="MD"):
    staff = UserFactory(is_staff=True)
    return services.chapter_create(actor=staff, name=name, region=region, organisers=[organiser or UserFactory()])


def event_factory(*, organiser=None, chapter=None, publish=True, days=7, **fields):
    """A published evening meetup `days` from now, in Madrid's time zone."""
    if chapter is not None:
        organiser = organiser or chapter.organisers.first()
    organiser = organiser or organiser_factory()
    starts = timezone.now() + timedelta(days=days)
    values = {
        "title": "Modelos abiertos en español",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "venue": "Impact Hub",
        "address": "Calle Alameda 22, Madrid",
        **fields,
    }
    event = services.event_create(actor=organiser, chapter=chapter, **values)
    if publish:
        event = services.event_transition(actor=organiser, event=event, action="publish")
    return Event.objects.get(pk=event.pk)
