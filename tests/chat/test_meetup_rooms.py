"""Meetup-event and chapter rooms: who reads, posts and moderates; the panel on the event and
chapter pages; live Q&A for an event's talks and its big-screen view."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.chat import selectors, services
from apps.core.errors import NotAllowed as ChatNotAllowed
from apps.core.errors import NotFound
from apps.chat.models import Room
from apps.meetups import services as meetups
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def rights(user, kind, target) -> tuple[bool, bool, bool]:
    access = selectors.room_access(user, services.room_ensure(kind=kind, object_id=target.pk))
    return access.can_read, access.can_post, access.can_moderate


NONE = (False, False, False)
MEMBER = (True, True, False)
MODERATOR = (True, True, True)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("attendee", MEMBER), ("speaker", MEMBER), ("organiser", MODERATOR), ("waitlisted", NONE),
        ("member", NONE), ("other", NONE), ("anonymous", NONE),
    ],
)
def test_event_room_access_per_role(meetup, role, expected):
    assert rights(meetup[role], "meetup_event", meetup["event"]) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("member", MEMBER), ("organiser", MODERATOR), ("attendee", NONE), ("speaker", NONE),
        ("other", NONE), ("anonymous", NONE),
    ],
)
def test_chapter_room_access_per_role(meetup, role, expected):
    assert rights(meetup[role], "chapter", meetup["chapter"]) == expected


def test_rooms_are_created_with_their_event_and_chapter(meetup):
    assert Room.objects.filter(kind="meetup_event", object_id=meetup["event"].pk).exists()
    assert Room.objects.filter(kind="chapter", object_id=meetup["chapter"].pk).exists()


def test_a_public_event_room_is_readable_by_anyone_but_only_attendees_post(meetup):
    room = services.room_ensure(kind="meetup_event", object_id=meetup["event"].pk)
    with pytest.raises(ChatNotAllowed):
        services.room_update(user=meetup["attendee"], room=room, public=True)
    services.room_update(user=meetup["organiser"], room=room, public=True)
    for role in ("anonymous", "other", "waitlisted", "member"):
        assert rights(meetup[role], "meetup_event", meetup["event"]) == (True, False, False), role
    assert rights(meetup["attendee"], "meetup_event", meetup["event"]) == MEMBER
    with pytest.raises(ChatNotAllowed):
        services.message_send(user=meetup["other"], room=room, client_id="x", body="hola")


def test_nobody_posts_once_the_event_is_cancelled(meetup):
    event, room = meetup["event"], services.room_ensure(kind="meetup_event", object_id=meetup["event"].pk)
    meetups.event_transition(actor=meetup["organiser"], event=event, action="cancel", reason="Lluvia")
    for role in ("attendee", "speaker", "organiser"):
        assert rights(meetup[role], "meetup_event", type(event).objects.get(pk=event.pk))[:2] == (True, False), role
        with pytest.raises(ChatNotAllowed):
            services.message_send(user=meetup[role], room=room, client_id=role, body="¿y ahora?")
    assert rights(meetup["organiser"], "meetup_event", event)[2] is True  # still moderates what was said


def test_event_moderators_are_the_event_and_chapter_organisers(meetup):
    from apps.chat.rooms import room_kind

    co_organiser = UserFactory()
    meetup["event"].organisers.add(co_organiser)
    assert rights(co_organiser, "meetup_event", meetup["event"]) == MODERATOR
    moderators = set(room_kind("meetup_event").moderators(meetup["event"]))
    assert moderators == {meetup["organiser"], co_organiser, *meetup["event"].organisers.all()}


def test_qa_for_the_talks_of_an_event(meetup):
    """Organisers switch questions on; attendees ask and vote; the talk's speaker (who does not
    moderate the room) marks questions answered; the big screen shows them."""
    room = services.room_ensure(kind="meetup_event", object_id=meetup["event"].pk)
    with pytest.raises(ChatNotAllowed):
        services.room_update(user=meetup["speaker"], room=room, qa=True)
    room = services.room_update(user=meetup["organiser"], room=room, qa=True)
    question = services.question_ask(user=meetup["attendee"], room=room, body="¿Qué modelo usáis?", anonymous=True)
    assert services.question_vote(user=meetup["speaker"], question_id=question.pk).vote_count == 1
    with pytest.raises(NotFound):  # the room is not theirs to read
        services.question_ask(user=meetup["waitlisted"], room=room, body="¿Y yo?")
    with pytest.raises(ChatNotAllowed):
        services.question_mark(user=meetup["attendee"], question_id=question.pk, answered=True)
    assert services.question_mark(user=meetup["speaker"], question_id=question.pk, answered=True).answered_at
    assert services.question_mark(user=meetup["organiser"], question_id=question.pk, answered=False).answered_at is None
    speaker_panel = login(meetup["speaker"]).get(f"/meetups/events/{meetup['event'].slug}/").content.decode()
    assert 'data-can-answer="1"' in speaker_panel and 'data-can-moderate="0"' in speaker_panel
    assert 'data-can-answer="0"' in login(meetup["attendee"]).get(f"/meetups/events/{meetup['event'].slug}/").content.decode()
    services.question_mark(user=meetup["organiser"], question_id=question.pk, answered=True)

    screen = f"/chat/rooms/{room.pk}/screen/"
    assert login(meetup["organiser"]).get(screen).status_code == 200
    assert login(meetup["speaker"]).get(screen).status_code == 200
    assert login(meetup["other"]).get(screen).status_code == 404
    assert Client().get(screen).status_code == 404
    services.room_update(user=meetup["organiser"], room=room, public=True)
    response = Client().get(screen)
    assert response.status_code == 200 and meetup["event"].title in response.content.decode()
    questions = Client().get(reverse("api-chat-questions", args=[room.pk])).json()
    listed = questions["results"] if isinstance(questions, dict) else questions
    assert [(q["body"], q["votes"], q["author"]) for q in listed] == [("¿Qué modelo usáis?", 1, None)]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_event_page_shows_the_chat_panel_to_readers_with_their_unread_count(meetup):
    event = meetup["event"]
    room = services.room_ensure(kind="meetup_event", object_id=event.pk)
    for i in range(3):
        services.message_send(user=meetup["speaker"], room=room, client_id=str(i), body=f"Mensaje {i}")
    url = f"/meetups/events/{event.slug}/"
    page = login(meetup["attendee"]).get(url).content.decode()
    assert f'data-room="{room.pk}"' in page and "js/chat.js" in page
    assert "3 unread" in page or "3 sin leer" in page
    for role in ("waitlisted", "member", "other"):
        assert "data-chat" not in login(meetup[role]).get(url).content.decode(), role
    assert "data-chat" not in Client().get(url).content.decode()
    services.room_update(user=meetup["organiser"], room=room, public=True)
    public = Client().get(url).content.decode()
    assert f'data-room="{room.pk}"' in public and 'data-can-post="0"' in public


def test_chapter_page_shows_the_chat_panel_to_members_and_organisers(meetup):
    chapter = meetup["chapter"]
    room = services.room_ensure(kind="chapter", object_id=chapter.pk)
    url = f"/meetups/chapters/{chapter.slug}/"
    for role in ("member", "organiser"):
        assert f'data-room="{room.pk}"' in login(meetup[role]).get(url).content.decode(), role
    for role in ("attendee", "other"):
        assert "data-chat" not in login(meetup[role]).get(url).content.decode(), role
    assert "data-chat" not in Client().get(url).content.decode()


def _grow_event(meetup, n: int) -> None:
    """n more talks with a new speaker each, who says hello in the room."""
    event, room = meetup["event"], services.room_ensure(kind="meetup_event", object_id=meetup["event"].pk)
    for i in range(n):
        speaker = UserFactory()
        meetups.talk_add(actor=meetup["organiser"], event=event, title=f"Charla {i}", speakers=[speaker])
        services.message_send(user=speaker, room=room, client_id=f"g{n}-{i}", body=f"Hola {i}")


def _grow_chapter(meetup, n: int) -> None:
    """n more members, each saying hello in the chapter room."""
    chapter, room = meetup["chapter"], services.room_ensure(kind="chapter", object_id=meetup["chapter"].pk)
    for i in range(n):
        member = UserFactory()
        meetups.chapter_join(user=member, chapter=chapter)
        services.message_send(user=member, room=room, client_id=f"g{n}-{i}", body=f"Hola {i}")


# Measured: the panel adds one query (the room with the member's unread count); on the event
# page a second, the speaker check (who answers questions); none of them grows with talks,
# members or messages.
@pytest.mark.parametrize(
    ("page", "role", "queries"),
    [("event", "attendee", 13), ("event", "organiser", 13), ("chapter", "member", 8), ("chapter", "organiser", 9)],
)
def test_page_query_count_with_the_chat_panel(meetup, django_assert_num_queries, page, role, queries):
    client = login(meetup[role])
    if page == "event":
        url, grow = f"/meetups/events/{meetup['event'].slug}/", _grow_event
    else:
        url, grow = f"/meetups/chapters/{meetup['chapter'].slug}/", _grow_chapter
    grow(meetup, 1)
    client.get(url)
    with django_assert_num_queries(queries):
        client.get(url)
    grow(meetup, 6)
    with django_assert_num_queries(queries):
        assert 'data-chat' in client.get(url).content.decode()
