"""Every route of the URL configuration × every role answers the status the matrix expects.

The table is tests/core/permission_matrix.py; how to add a row is in docs/architecture.md.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from apps.accounts.services import api_token_create
from apps.chat import services as chat
from apps.chat.services import room_ensure
from apps.hackathons.models import Hackathon
from apps.meetups import services as meetups
from apps.transparency.services import funding_record_create
from tests.accounts.factories import UserFactory
from tests.conftest import clear_worker_redis
from tests.compute.factories import assigned, make_call, make_operator, make_request, make_resource
from tests.core.permission_matrix import MATRIX, ROLES, SKIPPED
from tests.hackathons.factories import hackathon_factory, organiser_factory
from tests.hub.factories import catalogue, owner, remote
from tests.meetups.factories import chapter_factory, event_factory
from tests.profiles.factories import make_profile

MISSING = 999999


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def all_routes() -> list[str]:
    """Every route, admin pages aside (test_admin_is_for_staff_only covers them as a whole)."""
    routes = dict.fromkeys(_routes(get_resolver().url_patterns))
    return [route for route in routes if not route.startswith("admin/")]


def admin_routes() -> list[str]:
    return [route for route in dict.fromkeys(_routes(get_resolver().url_patterns)) if route.startswith("admin/")]


@pytest.fixture
def world(db):
    """One of everything the routes name, and a person for each role."""
    organiser = organiser_factory()
    staff = UserFactory(is_staff=True)
    member = UserFactory()
    reviewer = UserFactory()
    resource = make_resource()
    operator = make_operator(resource)
    call = make_call(resource=resource, managers=[staff], reviewers=[reviewer])
    allocation = make_request(call=call, applicant=member)
    assignment = assigned(call=call, allocation=allocation, reviewer=reviewer)
    hackathon = hackathon_factory(organiser=organiser, state=Hackathon.State.REGISTRATION_OPEN)
    hub_owner = owner("bsc-lt")
    catalogue(hub_owner, [remote("bsc-lt/roberta-base-bne")])
    repository = hub_owner.repositories.get()
    profile = make_profile(member)
    # Meetups: the organiser runs a chapter and its event; the member goes and proposes a talk.
    chapter = chapter_factory(organiser=organiser)
    event = event_factory(chapter=chapter)
    rsvp = meetups.rsvp_going(user=member, event=event)
    other_event = event_factory(chapter=chapter, title="Datos abiertos")  # the RSVP pages change its RSVPs
    meetups.call_for_speakers_open(actor=organiser, chapter=chapter)
    talk = meetups.talk_propose(user=member, chapter=chapter, title="Modelos", abstract="Sobre modelos.")
    api_talk = meetups.talk_propose(user=member, chapter=chapter, title="Datos", abstract="Sobre datos.")
    # Chat: the hackathon's room (organisers, judges, confirmed participants), with a message and a question.
    room = room_ensure(kind="hackathon", object_id=hackathon.pk)
    room = chat.room_update(user=organiser, room=room, qa=True)
    message, _ = chat.message_send(user=organiser, room=room, client_id="matrix", body="Bienvenida")
    pinned, _ = chat.message_send(user=organiser, room=room, client_id="matrix-pin", body="Normas")  # outlives the delete
    question = chat.question_ask(user=organiser, room=room, body="¿Horario?")
    # Transparency: one funding record for the catalogue's model; an API token of the member's.
    record = funding_record_create(actor=staff, data={
        "programme": "Programa", "funder": "Ministerio", "recipient": "Centro", "amount_eur": "1000",
        "awarded_on": "2025-01-10", "sources": [{"url": "https://example.org/boe"}],
        "repositories": [repository.repo_id],
    })
    token, _ = api_token_create(user=member, name="cli")
    users = {"anonymous": None, "member": member, "organiser": organiser, "reviewer": reviewer,
             "operator": operator, "staff": staff}
    parameters = {
        "compute": {"slug": call.slug, "pk": allocation.pk, "attachment_id": MISSING, "action": "withdraw"},
        "compute/reviews": {"pk": assignment.pk},
        "compute/resources": {"slug": call.resource.slug, "action": "check"},
        "compute/changes": {"pk": MISSING},
        "api/compute": {"slug": call.slug, "pk": allocation.pk},
        "api/compute/reviews": {"pk": assignment.pk},
        "api/compute/change-requests": {"pk": MISSING},
        "hackathons": {"slug": hackathon.slug, "track_id": hackathon.tracks.get().pk, "action": "publish"},
        "api/hackathon": {"slug": hackathon.slug, "track_id": hackathon.tracks.get().pk, "user_id": organiser.pk},
        "models": {"name": hub_owner.name, "kind": "model", "repo_id": repository.repo_id},
        "api/hub": {"name": hub_owner.name, "pk": repository.pk},
        "talent": {"handle": profile.handle},
        "api/profiles": {"handle": profile.handle},
        "meetups": {"slug": event.slug, "token": meetups.feed_for(member).token, "action": "publish"},
        "meetups/events/<slug:slug>/rsvp/": {"slug": other_event.slug},
        "meetups/chapters": {"slug": chapter.slug, "talk_id": talk.pk},
        "api/meetups/events": {"slug": event.slug, "rsvp_id": rsvp.pk},
        "api/meetups/chapters": {"slug": chapter.slug, "talk_id": api_talk.pk},  # the page decided `talk`
        "chat": {"room_id": room.pk},
        "api/chat": {"room_id": room.pk, "message_id": message.pk, "question_id": question.pk},
        "api/chat/messages/<int:message_id>/pin/": {"message_id": pinned.pk},  # messages/<id>/ deletes `message`
        "api/chat/messages/<int:message_id>/report/": {"message_id": pinned.pk},
        "transparency": {"key": f"model/{repository.repo_id}", "kind": "model", "repo_id": repository.repo_id,
                         "pk": record.pk},
        "api/transparency": {"pk": record.pk},
        "accounts/tokens": {"token_id": token.pk},
        "api/auth/tokens": {"token_id": token.pk},
        "notifications/announce": {"audience": "hackathon", "?": f"hackathon={hackathon.slug}"},
        "media": {"path": "avatars/missing.png"},
    }
    return {"users": users, "parameters": parameters}


def _path(route: str, parameters: dict) -> str:
    """The route with its parameters filled in: the most specific prefix's values, else MISSING.
    A prefix's "?" value is the query string the route needs (an audience names its hackathon)."""
    values = {}
    for prefix in sorted(parameters, key=len):
        if route.startswith(prefix):
            values.update(parameters[prefix])
    route = route.removeprefix("^").removesuffix("$")

    def fill(match):
        return str(values.get(match.group("name"), MISSING))

    route = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, route)
    route = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", fill, route)
    query = "?" + values["?"] if "?" in values else ""
    return "/" + route.replace("^", "").replace("$", "") + query


def _observe(world, route: str, method: str) -> tuple:
    path = _path(route, world["parameters"])
    statuses = []
    for role in ROLES:
        clear_worker_redis()  # rate limits start afresh for every request
        client = Client()
        if world["users"][role] is not None:
            client.force_login(world["users"][role])
        statuses.append(getattr(client, method.lower())(path).status_code)
    return (method, *statuses)


def test_every_route_has_a_row():
    missing = [route for route in all_routes() if route not in MATRIX and route not in SKIPPED]
    stale = [route for route in MATRIX if route not in all_routes()]
    assert not missing, "Routes without a row in tests/core/permission_matrix.py: " + ", ".join(missing)
    assert not stale, "Rows for routes that no longer exist: " + ", ".join(stale)


def test_every_route_answers_each_role_as_the_matrix_says(world):
    """One world for all routes (building it per route would take minutes); every
    difference is listed at once, each as the row the route answered."""
    differences = []
    for route in all_routes():
        if route in MATRIX:
            observed = _observe(world, route, MATRIX[route][0])
            if observed != MATRIX[route]:
                differences.append(f'    "{route}": {observed},  # expected {MATRIX[route][1:]}')
    assert not differences, "Routes answering otherwise than the matrix:\n" + "\n".join(differences)


def test_admin_is_for_staff_only(world):
    """Django's admin guards each of its pages the same way: everyone but staff is sent to log in."""
    for route in admin_routes():
        if route == "admin/login/":
            continue  # the way in
        path = _path(route, {"admin": {"url": "", "object_id": MISSING}})
        clear_worker_redis()
        for role in ROLES[:-1]:
            client = Client()
            if world["users"][role] is not None:
                client.force_login(world["users"][role])
            assert client.get(path).status_code in (302, 405), (route, role)  # 405: log-out is POST only
        staff = Client()
        staff.force_login(world["users"]["staff"])
        assert staff.get(path).status_code < 500, route
