"""Meetup-event and chapter room sockets against the real Redis channel layer: who connects,
and sockets closed with 4403 when the RSVP ends or the member leaves the chapter."""

import pytest
from channels.db import database_sync_to_async

from apps.chat import services
from apps.chat.services import room_ensure
from apps.meetups import services as meetups
from tests.chat.conftest import communicator, receive_type
from tests.chat.test_consumer import close_code, connect

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def rooms(meetup):
    return room_ensure(kind="meetup_event", object_id=meetup["event"].pk), room_ensure(kind="chapter", object_id=meetup["chapter"].pk)


async def refused(room, user) -> int:
    socket = await communicator(room, user)
    connected, code = await socket.connect(timeout=5)
    assert not connected
    return code


async def test_who_may_connect_to_event_and_chapter_rooms(meetup):
    event_room, chapter_room = await database_sync_to_async(rooms)(meetup)
    for role in ("attendee", "speaker", "organiser"):
        socket, hello = await connect(event_room, meetup[role])
        assert hello["can_moderate"] is (role == "organiser"), role
        await socket.disconnect()
    for role in ("waitlisted", "member", "other"):
        assert await refused(event_room, meetup[role]) == 4403, role
    assert await refused(event_room, None) == 4401
    member, _ = await connect(chapter_room, meetup["member"])
    await member.disconnect()
    for role in ("attendee", "other"):
        assert await refused(chapter_room, meetup[role]) == 4403, role
    assert await refused(chapter_room, None) == 4401


async def test_two_attendees_talk_in_the_event_room(meetup):
    event_room, _ = await database_sync_to_async(rooms)(meetup)
    attendee, _ = await connect(event_room, meetup["attendee"])
    speaker, _ = await connect(event_room, meetup["speaker"])
    await attendee.send_json_to({"type": "send", "client_id": "a1", "body": "¿Las diapositivas?"})
    frame = await receive_type(speaker, "message")
    assert frame["message"]["author"]["id"] == meetup["attendee"].pk
    await attendee.disconnect()
    await speaker.disconnect()


async def test_a_public_event_room_lets_anyone_listen(meetup):
    event_room, _ = await database_sync_to_async(rooms)(meetup)
    await database_sync_to_async(services.room_update)(user=meetup["organiser"], room=event_room, public=True)
    listener, hello = await connect(event_room, None)
    assert hello["can_post"] is False
    attendee, _ = await connect(event_room, meetup["attendee"])
    await attendee.send_json_to({"type": "send", "client_id": "p1", "body": "Bienvenidos"})
    assert (await receive_type(listener, "message"))["message"]["body"] == "Bienvenidos"
    await listener.disconnect()
    await attendee.disconnect()


async def test_cancelled_event_refuses_messages_but_keeps_the_socket(meetup):
    event_room, _ = await database_sync_to_async(rooms)(meetup)
    attendee, _ = await connect(event_room, meetup["attendee"])
    await database_sync_to_async(meetups.event_transition)(
        actor=meetup["organiser"], event=meetup["event"], action="cancel", reason="Lluvia"
    )
    await attendee.send_json_to({"type": "send", "client_id": "c1", "body": "¿Se aplaza?"})
    assert (await receive_type(attendee, "error"))["status"] == 403
    await attendee.disconnect()


async def test_socket_closed_when_the_rsvp_is_cancelled(meetup):
    event_room, _ = await database_sync_to_async(rooms)(meetup)
    attendee, _ = await connect(event_room, meetup["attendee"])
    speaker, _ = await connect(event_room, meetup["speaker"])
    await database_sync_to_async(meetups.rsvp_cancel)(user=meetup["attendee"], event=meetup["event"])
    assert await close_code(attendee) == 4403
    # The freed place went to the waitlist: the promoted attendee may join now; the speaker stays.
    promoted, _ = await connect(event_room, meetup["waitlisted"])
    await speaker.send_json_to({"type": "send", "client_id": "s1", "body": "Seguimos"})
    assert (await receive_type(promoted, "message"))["message"]["body"] == "Seguimos"
    await promoted.disconnect()
    await speaker.disconnect()


async def test_socket_closed_when_the_organisers_remove_the_attendee(meetup):
    from apps.meetups.models import Rsvp

    event_room, _ = await database_sync_to_async(rooms)(meetup)
    attendee, _ = await connect(event_room, meetup["attendee"])
    rsvp = await database_sync_to_async(Rsvp.objects.get)(event=meetup["event"], user=meetup["attendee"])
    await database_sync_to_async(meetups.rsvp_remove)(actor=meetup["organiser"], rsvp=rsvp, reason="Spam")
    assert await close_code(attendee) == 4403


async def test_socket_closed_when_the_member_leaves_the_chapter(meetup):
    _, chapter_room = await database_sync_to_async(rooms)(meetup)
    member, _ = await connect(chapter_room, meetup["member"])
    await database_sync_to_async(meetups.chapter_leave)(user=meetup["member"], chapter=meetup["chapter"])
    assert await close_code(member) == 4403


async def test_socket_closed_when_a_speaker_is_taken_off_the_talk(meetup):
    event_room, _ = await database_sync_to_async(rooms)(meetup)
    speaker, _ = await connect(event_room, meetup["speaker"])

    def take_off():  # as the admin does; the meetups services only ever add speakers
        meetup["event"].talks.get().speakers.remove(meetup["speaker"])

    await database_sync_to_async(take_off)()
    assert await close_code(speaker) == 4403
