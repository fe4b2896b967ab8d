import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import translation

from apps.chat.services import room_ensure
from apps.hackathons.models import Hackathon
from apps.meetups import services as meetups
from apps.meetups.models import Rsvp
from community.asgi import application
from tests.accounts.factories import UserFactory
from tests.hackathons.factories import hackathon_factory, running_schedule, team_factory
from tests.meetups.factories import chapter_factory, event_factory

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def communicator(room, user=None, *, origin=ORIGIN, cookie=None, app=application):
    headers = [origin, (b"host", b"testserver")]
    if cookie is None and user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(app, f"/ws/chat/{room.pk}/", headers=headers)


async def receive_type(socket, kind: str, timeout: float = 5):
    """The next frame of type `kind`, skipping presence and typing chatter."""
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame


@pytest.fixture
def chat_world():
    """A running hackathon with a team of two, its organiser, a judge-less outsider, and their rooms."""
    hackathon = hackathon_factory(state=Hackathon.State.IN_PROGRESS, schedule=running_schedule())
    organiser = hackathon.organisers.get()
    team, (alice, bob) = team_factory(hackathon)
    return {
        "hackathon": hackathon,
        "team": team,
        "organiser": organiser,
        "alice": alice,
        "bob": bob,
        "outsider": UserFactory(),
        "room": room_ensure(kind="hackathon", object_id=hackathon.pk),
        "team_room": room_ensure(kind="team", object_id=team.pk),
    }


@pytest.fixture
def meetup():
    """A chapter event with one place: an attendee going, one on the waitlist, a speaker,
    the chapter organiser, a chapter member not going and someone else."""
    chapter = chapter_factory()
    organiser = chapter.organisers.get()
    event = event_factory(chapter=chapter, capacity=1)
    attendee, waitlisted, speaker, member, other = UserFactory.create_batch(5)
    assert meetups.rsvp_going(user=attendee, event=event).status == Rsvp.Status.GOING
    assert meetups.rsvp_going(user=waitlisted, event=event).status == Rsvp.Status.WAITLISTED
    meetups.talk_add(actor=organiser, event=event, title="RAG en español", speakers=[speaker])
    meetups.chapter_join(user=member, chapter=chapter)
    return {
        "chapter": chapter, "event": event, "organiser": organiser, "attendee": attendee, "waitlisted": waitlisted,
        "speaker": speaker, "member": member, "other": other, "anonymous": AnonymousUser(),
    }


@pytest.fixture(autouse=True)
def _return_stray_connections():
    """Socket tests run each in a new asyncio context, and each leaves one idle database
    connection behind in the executor thread (asgiref keeps connections per context), so a long
    run of them empties the pool (10). Hand the idle ones back after each test."""
    import gc

    from django.db import connections
    from django.db.backends.base.base import BaseDatabaseWrapper

    yield
    current = {id(connections[alias]) for alias in connections}
    for wrapper in gc.get_objects():
        # type(), not isinstance(): isinstance() would evaluate lazy objects (CSP nonces) it meets.
        if not issubclass(type(wrapper), BaseDatabaseWrapper) or id(wrapper) in current:
            continue
        if wrapper.connection is not None:
            if not wrapper.in_atomic_block:
                wrapper.inc_thread_sharing()
                wrapper.close()
                wrapper.dec_thread_sharing()
