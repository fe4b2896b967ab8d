"""The chat's reads, called directly: who may do what in hackathon and team rooms, unread
counts, pinned messages, the resume stream and the Q&A order."""

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.chat import selectors, services
from apps.chat.models import Room
from apps.hackathons.models import Hackathon, Registration
from tests.hackathons.factories import judge_factory, participant_factory

pytestmark = pytest.mark.django_db

NONE = (False, False, False)
MEMBER = (True, True, False)
MODERATOR = (True, True, True)
READER = (True, False, False)


def rights(user, room) -> tuple[bool, bool, bool]:
    access = selectors.room_access(user, Room.objects.get(pk=room.pk))
    return access.can_read, access.can_post, access.can_moderate


def send(user, room, body):
    return services.message_send(user=user, room=room, client_id=f"{user.pk}-{body}", body=body)[0]


@pytest.fixture
def roles(chat_world):
    """The chat world plus a judge, a waitlisted registrant and a participant in no team."""
    hackathon = chat_world["hackathon"]
    waitlisted = participant_factory(hackathon)
    Registration.objects.filter(hackathon=hackathon, user=waitlisted).update(status=Registration.Status.WAITLISTED)
    return {
        **chat_world,
        "judge": judge_factory(hackathon, chat_world["organiser"]).user,
        "waitlisted": waitlisted,
        "teamless": participant_factory(hackathon),
        "anonymous": AnonymousUser(),
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("alice", MEMBER), ("teamless", MEMBER), ("judge", MEMBER), ("organiser", MODERATOR),
        ("waitlisted", NONE), ("outsider", NONE), ("anonymous", NONE),
    ],
)
def test_hackathon_room_access_per_role(roles, role, expected):
    assert rights(roles[role], roles["room"]) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("alice", MEMBER), ("bob", MEMBER), ("organiser", MODERATOR), ("teamless", NONE),
        ("judge", NONE), ("outsider", NONE), ("anonymous", NONE),
    ],
)
def test_team_room_access_per_role(roles, role, expected):
    assert rights(roles[role], roles["team_room"]) == expected


def test_a_public_room_is_read_by_anyone_and_written_only_by_its_members(roles):
    services.room_update(user=roles["organiser"], room=roles["room"], public=True)
    for role in ("outsider", "waitlisted", "anonymous"):
        assert rights(roles[role], roles["room"]) == READER, role
    assert rights(roles["alice"], roles["room"]) == MEMBER


def test_a_room_whose_object_is_gone_is_closed_to_everyone_even_its_organiser(roles):
    services.room_update(user=roles["organiser"], room=roles["room"], public=True)
    Hackathon.objects.filter(pk=roles["hackathon"].pk).delete()
    room = Room.objects.get(pk=roles["room"].pk)
    for role in ("organiser", "alice", "anonymous"):
        assert rights(roles[role], room) == NONE, role


def test_readable_rooms_keeps_only_the_rooms_the_member_may_read(roles):
    rooms = [roles["room"], roles["team_room"]]
    assert [access.room.pk for access in selectors.readable_rooms(roles["alice"], rooms)] == [r.pk for r in rooms]
    assert [access.room.pk for access in selectors.readable_rooms(roles["teamless"], rooms)] == [roles["room"].pk]
    assert selectors.readable_rooms(roles["outsider"], rooms) == []


def test_unread_counts_skip_deleted_messages_and_answer_nothing_to_anonymous(chat_world):
    w = chat_world
    send(w["bob"], w["room"], "uno")
    gone = send(w["bob"], w["room"], "dos")
    services.message_delete(user=w["organiser"], message_id=gone.pk)
    assert selectors.unread_counts(w["alice"], [w["room"], w["team_room"]]) == {
        w["room"].pk: 1, w["team_room"].pk: 0,
    }
    assert selectors.unread_counts(AnonymousUser(), [w["room"]]) == {}


def test_pinned_messages_are_in_room_order_and_lose_deleted_ones(chat_world):
    w = chat_world
    first, second, third = (send(w["alice"], w["room"], body) for body in ("a", "b", "c"))
    for message in (third, first, second):
        services.message_pin(user=w["organiser"], message_id=message.pk, pinned=True)
    services.message_delete(user=w["organiser"], message_id=second.pk)
    assert [m.pk for m in selectors.pinned_messages(w["room"])] == [first.pk, third.pk]


def test_messages_after_a_stream_number_include_later_edits_of_older_messages(chat_world):
    w = chat_world
    old = send(w["alice"], w["room"], "antes")
    seen = send(w["alice"], w["room"], "visto").revision
    services.message_pin(user=w["organiser"], message_id=old.pk, pinned=True)
    new = send(w["bob"], w["room"], "después")
    after = list(selectors.messages_after(w["room"], seen))
    assert [m.pk for m in after] == [old.pk, new.pk]
    assert [m.revision for m in after] == sorted(m.revision for m in after)


def test_questions_are_ordered_by_votes_then_age_and_hidden_ones_only_for_moderators(chat_world):
    w = chat_world
    services.room_update(user=w["organiser"], room=w["room"], qa=True)
    room = Room.objects.get(pk=w["room"].pk)
    older, newer, popular, hidden = (
        services.question_ask(user=w["alice"], room=room, body=body) for body in ("¿uno?", "¿dos?", "¿tres?", "¿cuatro?")
    )
    services.question_vote(user=w["bob"], question_id=popular.pk)
    services.question_mark(user=w["organiser"], question_id=hidden.pk, hidden=True)
    assert [q.pk for q in selectors.questions_for(room, include_hidden=False)] == [popular.pk, older.pk, newer.pk]
    assert [q.pk for q in selectors.questions_for(room, include_hidden=True)] == [
        popular.pk, older.pk, newer.pk, hidden.pk,
    ]
    assert selectors.voted_question_ids(w["bob"], room) == {popular.pk}
    assert selectors.voted_question_ids(w["alice"], room) == set()
    assert selectors.voted_question_ids(AnonymousUser(), room) == set()
