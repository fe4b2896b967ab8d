"""The send path: what it costs in queries, and that refusals leave the stream untouched."""

import pytest
from django.utils import timezone

from apps.accounts.selectors import named_people
from apps.chat import services
from apps.chat.models import Message, Room
from apps.chat.selectors import room_access
from apps.core.errors import Conflict, NotAllowed
from apps.hackathons.models import Hackathon, Registration
from tests.accounts.factories import UserFactory
from tests.hackathons.factories import judge_factory, participant_factory

pytestmark = pytest.mark.django_db


def send(user, room, client_id, body="hola"):
    return services.message_send(user=user, room=room, client_id=client_id, body=body)


def test_a_message_costs_the_same_three_queries_in_a_small_and_a_big_room(chat_world, django_assert_num_queries):
    """Savepoint, stream number with room state and mute, access (the hackathon with everyone's
    roles), insert, release: it must not grow with the members, judges or organisers. The
    senders come with their profiles, as a socket reads them once on connect (their public name)."""
    w = chat_world
    alice, organiser = (named_people().get(pk=w[name].pk) for name in ("alice", "organiser"))
    with django_assert_num_queries(5):
        send(alice, w["room"], "small")
    for _ in range(30):
        participant_factory(w["hackathon"])
    judge_factory(w["hackathon"], w["organiser"])
    w["hackathon"].organisers.add(UserFactory())
    with django_assert_num_queries(5):
        send(alice, w["room"], "big")
    with django_assert_num_queries(5):
        send(organiser, w["room"], "organiser")


def test_roles_read_in_one_query_decide_like_the_permission_functions(chat_world):
    w = chat_world
    hackathon = w["hackathon"]
    judge = judge_factory(hackathon, w["organiser"]).user
    pending = UserFactory()
    Registration.objects.create(
        hackathon=hackathon, user=pending, status=Registration.Status.WAITLISTED, agreed_at=timezone.now()
    )
    for user in (w["alice"], w["organiser"], judge, pending, w["outsider"]):
        one_query = room_access(user, w["room"])
        function_by_function = room_access(user, w["room"], target=Hackathon.objects.get(pk=hackathon.pk))
        assert (one_query.can_read, one_query.can_post, one_query.can_moderate) == (
            function_by_function.can_read,
            function_by_function.can_post,
            function_by_function.can_moderate,
        ), user
    assert room_access(judge, w["room"]).can_post and not room_access(pending, w["room"]).can_read


def test_refused_and_resent_messages_take_no_stream_number(chat_world, settings):
    settings.CHAT_RATE_LIMIT_MESSAGES = 2
    settings.CHAT_RATE_LIMIT_SECONDS = 10**6  # one window for the whole test
    w = chat_world
    room = w["room"]
    first, created = send(w["alice"], room, "one")
    assert created and first.sequence == 1
    again, created = send(w["alice"], room, "one", body="otra vez")
    assert (again.pk, again.body, created) == (first.pk, "hola", False)

    services.member_mute(user=w["organiser"], room=room, member_id=w["bob"].pk, minutes=5)
    with pytest.raises(NotAllowed):
        send(w["bob"], room, "muted")
    services.room_update(user=w["organiser"], room=room, locked=True)
    with pytest.raises(Conflict):
        send(w["alice"], room, "locked")
    locked_by_organiser, _ = send(w["organiser"], Room.objects.get(pk=room.pk), "organiser")
    assert locked_by_organiser.sequence == 2

    services.room_update(user=w["organiser"], room=room, locked=False)
    send(w["alice"], room, "two")
    with pytest.raises(services.RateLimited):
        send(w["alice"], room, "three")
    assert send(w["alice"], room, "two")[1] is False  # a resend is not refused by the rate limit
    assert list(Message.objects.filter(room=room).order_by("sequence").values_list("client_id", "sequence")) == [
        ("one", 1),
        ("organiser", 2),
        ("two", 3),
    ]
    assert Room.objects.get(pk=room.pk).last_sequence == 3


def test_a_room_is_created_once_for_its_object(chat_world):
    hackathon = chat_world["room"].object_id
    assert services.room_ensure(kind="hackathon", object_id=hackathon) == chat_world["room"]
    created = services.room_ensure(kind="hackathon", object_id=hackathon + 1000)
    assert services.room_ensure(kind="hackathon", object_id=hackathon + 1000) == created
    assert Room.objects.filter(kind="hackathon", object_id=hackathon + 1000).count() == 1
