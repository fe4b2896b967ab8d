"""No page or API answer shows another member's e-mail address or its local part.

Crawls every GET route of the permission matrix (tests/core/permission_matrix.py) that
answers the viewer 200, in the matrix's world, plus the rooms a neighbour talks in. The
neighbour signs up through the real form, so a name derived from the address at sign-up
("lucia.martin.4821") would show up wherever people are named.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from apps.accounts.models import User
from apps.chat import services as chat
from apps.chat.services import room_ensure
from apps.hackathons.models import Hackathon
from apps.hackathons.services.registrations import registration_create
from apps.meetups import services as meetups
from apps.meetups.models import Event
from tests.conftest import clear_worker_redis
from tests.core.permission_matrix import MATRIX
from tests.core.test_permission_matrix import _path, all_routes, world  # noqa: F401 (world is a fixture)

NEIGHBOUR_EMAIL = "lucia.martin.4821@example.org"


def neighbour_signs_up() -> User:
    password = "una-clave-bastante-larga-77"
    Client().post("/accounts/signup/", {"email": NEIGHBOUR_EMAIL, "username": "lucia-m",
                                        "password1": password, "password2": password})
    EmailAddress.objects.filter(email=NEIGHBOUR_EMAIL).update(verified=True)
    return User.objects.get(email=NEIGHBOUR_EMAIL)


def addresses_of_others(viewer) -> re.Pattern:
    """Each other member's address and its local part, as whole words ("inbox.3", not "inbox.30")."""
    locals_ = {user.email.split("@")[0] for user in User.objects.exclude(pk=viewer.pk) if user.email}
    words = "|".join(sorted(map(re.escape, locals_), key=len, reverse=True))
    return re.compile(rf"(?<![\w.+-])(?:{words})(?![\w+-]|\.\w)", re.IGNORECASE)


def leaks(client, paths, pattern) -> list[str]:
    found = []
    for path in paths:
        clear_worker_redis()
        response = client.get(path)
        if response.status_code == 200 and not response.get("Content-Type", "").startswith("image/"):
            body = response.content.decode(errors="replace")
            found += [f"{path}: {match.group(0)!r}" for match in pattern.finditer(body)]
    return found


@pytest.fixture
def neighbourhood(world):
    """A neighbour registered for the hackathon and going to the member's meetup event,
    talking and asking in its room."""
    organiser = world["users"]["organiser"]
    neighbour = neighbour_signs_up()
    event = Event.objects.get(slug=world["parameters"]["meetups"]["slug"])  # the member goes
    meetups.rsvp_going(user=neighbour, event=event)
    registration_create(user=neighbour, hackathon=Hackathon.objects.get(slug=world["parameters"]["hackathons"]["slug"]),
                        agreed=True, motivation="Aprender")
    room = chat.room_update(user=organiser, room=room_ensure(kind="meetup_event", object_id=event.pk), qa=True)
    chat.message_send(user=neighbour, room=room, client_id="hola", body="Hola, ¿quién viene en tren?")
    chat.question_ask(user=neighbour, room=room, body="¿Habrá grabación?")
    return {"event": event, "room": room}


def _room_paths(room) -> list[str]:
    return [f"/chat/rooms/{room.pk}/", f"/chat/rooms/{room.pk}/screen/", f"/api/chat/rooms/{room.pk}/",
            f"/api/chat/rooms/{room.pk}/messages/", f"/api/chat/rooms/{room.pk}/questions/"]


def _get_routes(world, role) -> list[str]:
    return [_path(route, world["parameters"]) for route in all_routes()
            if route in MATRIX and MATRIX[route][0] == "GET" and MATRIX[route][1 + ROLE_INDEX[role]] == 200]


ROLE_INDEX = {"member": 1, "organiser": 2}


@pytest.mark.django_db
def test_no_page_or_api_answer_shows_another_members_address(world, neighbourhood):
    """As a member: every page and API answer. As an organiser: dashboards, the check-in list
    and the big screen too; the attendee CSV is the one place an organiser gets addresses
    (to reach people outside the platform). One world for both: it takes a while to build."""
    member, organiser = world["users"]["member"], world["users"]["organiser"]
    rooms = _room_paths(neighbourhood["room"])
    as_member = Client()
    as_member.force_login(member)
    member_paths = _get_routes(world, "member") + rooms
    assert len(member_paths) > 100
    assert not leaks(as_member, member_paths, addresses_of_others(member))

    as_organiser = Client()
    as_organiser.force_login(organiser)
    organiser_paths = [path for path in _get_routes(world, "organiser") + rooms if not path.endswith(".csv")]
    assert f"/meetups/events/{neighbourhood['event'].slug}/check-in/" in organiser_paths
    assert not leaks(as_organiser, organiser_paths, addresses_of_others(organiser))
