import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, the source language."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def world(db):
    """A chapter event with its organiser, a chapter member, an attendee going, another member
    and `anonymous`, for the role matrices of pages and API."""
    from apps.meetups import services
    from apps.meetups.models import Event
    from tests.accounts.factories import UserFactory
    from tests.meetups.factories import chapter_factory, event_factory

    chapter = chapter_factory()
    organiser = chapter.organisers.get()
    event = event_factory(
        chapter=chapter, capacity=10, address_visibility=Event.AddressVisibility.ATTENDEES,
        online_url="https://meet.example.org/ia",
    )
    member, attendee, other = UserFactory.create_batch(3)
    services.chapter_join(user=member, chapter=chapter)
    rsvp = services.rsvp_going(user=attendee, event=event)
    services.call_for_speakers_open(actor=organiser, chapter=chapter, description="Charlas")
    talk = services.talk_propose(user=member, chapter=chapter, title="Propuesta", abstract="Sobre RAG")
    return {
        "chapter": chapter, "event": event, "rsvp": rsvp, "talk": talk, "organiser": organiser,
        "chapter_member": member, "attendee": attendee, "other": other, "anonymous": None,
    }
