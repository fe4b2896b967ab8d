"""Chat journeys in two browsers against a real Daphne process (HTTP and WebSockets):
live messages, a member who goes offline and comes back, and live Q&A with votes."""

import json
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from apps.chat import services
from apps.chat.services import room_ensure
from apps.hackathons.models import Hackathon
from tests.chat.conftest import session_cookie
from tests.e2e.conftest import ARTIFACTS, save_screenshot
from tests.hackathons.factories import hackathon_factory, running_schedule, team_factory

pytestmark = pytest.mark.django_db(transaction=True)
LIVE = re.compile("Live|En directo")


@pytest.fixture
def open_as(browser, asgi_url):
    contexts = []

    def open_page(user, path, *, viewport=None):
        context = browser.new_context(base_url=asgi_url, locale="es-ES", viewport=viewport or {"width": 1280, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(user), "url": asgi_url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(path)
        return page

    yield open_page
    for context in contexts:
        context.close()


def message_texts(page):
    return page.locator("[data-messages] .chat-message:not(.is-pending) .chat-text").all_inner_texts()


def say(page, text):
    box = page.locator("[data-input]").first
    box.fill(text)
    box.press("Enter")


@pytest.fixture
def event():
    hackathon = hackathon_factory(state=Hackathon.State.IN_PROGRESS, schedule=running_schedule())
    _team, (ana, bruno) = team_factory(hackathon)
    return hackathon, ana, bruno


def test_two_members_chat_live_and_nothing_is_lost_offline(open_as, event):
    hackathon, ana, bruno = event
    path = f"/hackathons/{hackathon.slug}/"
    ana_page = open_as(ana, path)
    bruno_page = open_as(bruno, path, viewport={"width": 390, "height": 844})  # a phone
    for page in (ana_page, bruno_page):
        expect(page.locator("[data-status]")).to_have_text(LIVE)

    say(ana_page, "Hola **Bruno**, ¿empezamos?")
    # The bold word of the message, not an author whose made-up name starts with "Bruno".
    expect(bruno_page.locator("[data-messages] strong", has_text=re.compile(r"^Bruno$"))).to_be_visible()
    say(bruno_page, "¡Vamos! https://example.org")
    expect(ana_page.locator("[data-messages]")).to_contain_text("¡Vamos!")
    expect(bruno_page.locator("[data-online]")).to_contain_text(str(ana))

    # Bruno's laptop sleeps: while he is offline Ana sends three more.
    # (Chromium's offline mode blocks new connections but keeps open sockets: drop it like a network would.)
    bruno_page.context.set_offline(True)
    bruno_page.evaluate("document.querySelector('[data-chat]').chat.live.socket.close()")
    expect(bruno_page.locator("[data-status]")).to_have_text(re.compile("reconnect|reconect", re.I))
    for n in range(1, 4):
        say(ana_page, f"Mensaje {n} mientras no estás")
    expect(ana_page.locator("[data-messages] .chat-message:not(.is-pending)")).to_have_count(5)
    expect(bruno_page.locator("[data-messages] .chat-message:not(.is-pending)")).to_have_count(2)  # still away
    bruno_page.context.set_offline(False)
    expect(bruno_page.locator("[data-status]")).to_have_text(LIVE, timeout=40_000)
    expected = ["Hola Bruno, ¿empezamos?", "¡Vamos! https://example.org"] + [
        f"Mensaje {n} mientras no estás" for n in range(1, 4)
    ]
    expect(bruno_page.locator("[data-messages] .chat-message:not(.is-pending)")).to_have_count(5)
    assert [text.strip() for text in message_texts(bruno_page)] == expected  # all, once, in order
    save_screenshot(bruno_page, ARTIFACTS / "chat-phone-after-reconnect.png")
    save_screenshot(ana_page, ARTIFACTS / "chat-hackathon-room.png")


def test_live_questions_reorder_by_votes(open_as, event):
    hackathon, ana, bruno = event
    organiser = hackathon.organisers.get()
    room = room_ensure(kind="hackathon", object_id=hackathon.pk)
    services.room_update(user=organiser, room=room, qa=True)
    path = f"/chat/rooms/{room.pk}/"
    ana_page, bruno_page, org_page = open_as(ana, path), open_as(bruno, path), open_as(organiser, path)
    screen = open_as(organiser, f"/chat/rooms/{room.pk}/screen/", viewport={"width": 1920, "height": 1080})
    for page in (ana_page, bruno_page, org_page):
        expect(page.locator("[data-status]")).to_have_text(LIVE)

    def ask(page, text, anonymous=False):
        form = page.locator("[data-qa-form]")
        form.locator("textarea").fill(text)
        if anonymous:
            form.locator("input[name=anonymous]").check()
        form.locator("button[type=submit]").click()

    ask(ana_page, "¿Habrá GPU para todos?")
    expect(bruno_page.locator("[data-questions] li")).to_have_count(1)
    ask(bruno_page, "¿Se puede usar un modelo cerrado?", anonymous=True)
    for page in (ana_page, org_page, screen):
        expect(page.locator("[data-questions] li")).to_have_count(2)
    # Anonymous to other attendees, never to organisers.
    expect(ana_page.locator("[data-questions] li", has_text="modelo cerrado")).to_contain_text(re.compile("Anónimo|Anonymous"))
    expect(org_page.locator("[data-questions] li", has_text="modelo cerrado")).to_contain_text(str(bruno))
    expect(screen.locator("[data-questions] li", has_text="modelo cerrado")).not_to_contain_text(str(bruno))

    first_on_screen = screen.locator("[data-questions] li").first
    expect(first_on_screen).to_contain_text("GPU")
    for page in (ana_page, org_page):
        page.locator("[data-questions] li", has_text="modelo cerrado").get_by_role("button", name=re.compile("Votar|Vote")).click()
    expect(first_on_screen).to_contain_text("modelo cerrado")  # reordered live
    expect(first_on_screen.locator("[data-votes]")).to_have_text("2")
    voted = ana_page.locator("[data-questions] li", has_text="modelo cerrado").get_by_role("button", name=re.compile("Votar|Vote"))
    expect(voted).to_be_disabled()  # one vote each
    org_page.locator("[data-questions] li", has_text="modelo cerrado").get_by_role("button", name=re.compile("respondida|answered", re.I)).click()
    expect(screen.locator("[data-questions] li").first).to_contain_text("GPU")  # answered ones go down
    save_screenshot(screen, ARTIFACTS / "chat-questions-big-screen.png")
    save_screenshot(ana_page, ARTIFACTS / "chat-questions-attendee.png")


def test_two_attendees_chat_in_a_meetup_event_room_on_phones(open_as):
    from apps.meetups import services as meetups
    from tests.accounts.factories import UserFactory
    from tests.meetups.factories import chapter_factory, event_factory

    chapter = chapter_factory(name="IA Abierta Sevilla")
    event = event_factory(chapter=chapter, title="Modelos abiertos en el móvil")
    ana, bruno = UserFactory(username="ana"), UserFactory(username="bruno")
    for person in (ana, bruno):
        meetups.rsvp_going(user=person, event=event)
    room = room_ensure(kind="meetup_event", object_id=event.pk)
    services.message_send(user=chapter.organisers.get(), room=room, client_id="welcome", body="¡Bienvenidos!")

    phone = {"width": 390, "height": 844}
    path = f"/meetups/events/{event.slug}/"
    ana_page, bruno_page = open_as(ana, path, viewport=phone), open_as(bruno, path, viewport=phone)
    expect(bruno_page.locator("[data-chat] [data-unread]")).to_have_text(re.compile("1 sin leer"))
    for page in (ana_page, bruno_page):
        expect(page.locator("[data-chat] [data-status]")).to_have_text(LIVE)
        expect(page.locator("[data-messages]")).to_contain_text("¡Bienvenidos!")

    say(ana_page, "¿Alguien tiene las **diapositivas**?")
    expect(bruno_page.locator("[data-messages] strong", has_text="diapositivas")).to_be_visible()
    say(bruno_page, "Sí: https://example.org/slides")
    expect(ana_page.locator("[data-messages]")).to_contain_text("https://example.org/slides")
    expect(ana_page.locator("[data-chat] [data-online]")).to_contain_text(str(bruno))
    assert [text.strip() for text in message_texts(ana_page)] == [
        "¡Bienvenidos!", "¿Alguien tiene las diapositivas?", "Sí: https://example.org/slides",
    ]
    assert ana_page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    ana_page.locator("[data-chat]").scroll_into_view_if_needed()
    save_screenshot(ana_page, ARTIFACTS / "chat-meetup-event-phone.png")


def test_a_frame_that_overtakes_another_waits_and_only_a_real_gap_is_filled(browser, live_server, event):
    """The socket is played by the test (Playwright's WebSocket routing), so the order of
    frames is ours: with two server processes, message 2 may arrive before message 1.
    That is no gap; a number still missing a second later is, and the panel asks for it."""
    hackathon, ana, bruno = event
    room = room_ensure(kind="hackathon", object_id=hackathon.pk)
    from_page, sockets = [], []

    def play_server(ws):
        sockets.append(ws)
        ws.on_message(lambda text: from_page.append(json.loads(text)))

    context = browser.new_context(base_url=live_server.url, locale="es-ES")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(ana), "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.route_web_socket(re.compile(r".*/ws/chat/\d+/$"), play_server)
    page.goto(f"/hackathons/{hackathon.slug}/")

    def resumes():
        return [frame for frame in from_page if frame["type"] == "resume"]

    def message(n):
        return {
            "type": "message",
            "message": {
                "id": n, "room": room.pk, "sequence": n, "revision": n, "client_id": f"c{n}",
                "author": {"id": bruno.pk, "name": str(bruno), "username": bruno.username},
                "body": f"mensaje {n}", "html": f"<p>mensaje {n}</p>", "created_at": "2026-11-29T10:00:00+00:00",
                "edited_at": None, "deleted": False, "pinned": False,
            },
        }

    def server_sends(frame):
        sockets[0].send(json.dumps(frame))

    page.wait_for_function("() => document.querySelector('[data-chat]').chat.resuming === true")
    assert resumes() == [{"type": "resume", "after": 0}]
    server_sends({"type": "backfill", "after": 0, "messages": [], "up_to": 0})
    server_sends(message(2))
    page.wait_for_timeout(300)
    server_sends(message(1))
    page.wait_for_timeout(1_500)  # longer than the reorder window
    assert len(resumes()) == 1  # 2 before 1 was no gap: nothing asked of the server
    assert [text.strip() for text in message_texts(page)] == ["mensaje 1", "mensaje 2"]

    server_sends(message(4))  # 3 never comes: the channel layer dropped it
    page.wait_for_timeout(300)
    assert len(resumes()) == 1  # not at once: it might still come
    page.wait_for_function("() => document.querySelector('[data-chat]').chat.resuming === true", timeout=3_000)
    assert resumes()[-1] == {"type": "resume", "after": 2}
    server_sends({"type": "backfill", "after": 2, "messages": [message(3)["message"], message(4)["message"]], "up_to": 4})
    expect(page.locator("[data-messages] .chat-message")).to_have_count(4)
    assert [text.strip() for text in message_texts(page)] == [f"mensaje {n}" for n in range(1, 5)]
    assert page.evaluate("document.querySelector('[data-chat]').chat.lastRevision") == 4
    context.close()


def test_an_older_question_frame_arriving_late_does_not_undo_a_newer_one(browser, live_server, event):
    """With two server processes, a vote's frame (made before the question was marked
    answered) can arrive after the "answered" frame: the page keeps the newer state."""
    hackathon, ana, _bruno = event
    room = room_ensure(kind="hackathon", object_id=hackathon.pk)
    services.room_update(user=hackathon.organisers.get(), room=room, qa=True)
    sockets = []
    context = browser.new_context(base_url=live_server.url, locale="es-ES")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(ana), "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.route_web_socket(re.compile(r".*/ws/chat/\d+/$"), lambda ws: sockets.append(ws))
    page.goto(f"/chat/rooms/{room.pk}/")
    page.wait_for_function("() => document.querySelector('[data-chat]').chat.resuming === true")

    def question(question_id, revision, *, votes, answered):
        return {"type": "question", "question": {
            "id": question_id, "room": room.pk, "body": f"Pregunta {question_id}", "anonymous": True,
            "author": None, "votes": votes, "voted": False, "answered": answered, "hidden": False,
            "created_at": "2026-11-29T10:00:00+00:00", "revision": revision,
        }}

    first = page.locator("[data-questions] li", has_text="Pregunta 7")
    sockets[0].send(json.dumps(question(7, 2, votes=1, answered=True)))
    expect(first).to_contain_text("Respondida")
    sockets[0].send(json.dumps(question(7, 1, votes=1, answered=False)))  # the vote's frame, late
    sockets[0].send(json.dumps(question(8, 0, votes=0, answered=False)))  # frames are handled in order
    expect(page.locator("[data-questions] li", has_text="Pregunta 8")).to_have_count(1)
    expect(first).to_contain_text("Respondida")
    sockets[0].send(json.dumps(question(7, 3, votes=2, answered=False)))  # newer: applied
    expect(first.locator("[data-votes]")).to_have_text("2")
    expect(first).not_to_contain_text("Respondida")
    assert page.evaluate("document.querySelector('[data-chat]').chat.questions.get(7).revision") == 3
    context.close()
