from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.meetups import services
from apps.meetups.models import Event, EventTransition, Rsvp
from apps.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.meetups.factories import chapter_factory, event_factory

pytestmark = pytest.mark.django_db
Status = Rsvp.Status


def kinds(user):
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True))


def test_going_until_full_then_waitlist_in_order_and_promotion_on_cancel():
    event = event_factory(capacity=2)
    a, b, c, d = UserFactory.create_batch(4)
    assert services.rsvp_going(user=a, event=event).status == Status.GOING
    assert services.rsvp_going(user=b, event=event).status == Status.GOING
    assert services.rsvp_going(user=c, event=event).status == Status.WAITLISTED
    assert services.rsvp_going(user=d, event=event).status == Status.WAITLISTED
    services.rsvp_cancel(user=a, event=event)
    assert Rsvp.objects.get(user=c).status == Status.GOING
    assert Rsvp.objects.get(user=d).status == Status.WAITLISTED
    assert kinds(c) == ["meetups.waitlisted", "meetups.promoted"]


def test_guests_count_against_capacity():
    event = event_factory(capacity=3, max_guests=2)
    a, b = UserFactory.create_batch(2)
    assert services.rsvp_going(user=a, event=event, guests=2).status == Status.GOING
    assert services.rsvp_going(user=b, event=event, guests=1).status == Status.WAITLISTED
    assert services.places_taken(event) == 3


def test_guests_beyond_the_allowance_are_refused_with_a_message():
    event = event_factory(max_guests=1)
    with pytest.raises(InvalidInput) as refused:
        services.rsvp_going(user=UserFactory(), event=event, guests=2)
    assert refused.value.errors == {"guests": ["You can bring at most 1 guests."]}


def test_a_newcomer_never_jumps_the_waitlist_when_a_place_is_free_for_a_smaller_party():
    event = event_factory(capacity=3, max_guests=2)
    a, b, c = UserFactory.create_batch(3)
    services.rsvp_going(user=a, event=event, guests=1)  # 2 places
    services.rsvp_going(user=b, event=event, guests=2)  # needs 3: waits
    assert services.rsvp_going(user=c, event=event).status == Status.WAITLISTED


def test_offer_mode_offers_the_place_and_the_offer_is_confirmed():
    event = event_factory(capacity=1, waitlist_mode=Event.WaitlistMode.OFFER, offer_hours=24)
    a, b = UserFactory.create_batch(2)
    services.rsvp_going(user=a, event=event)
    services.rsvp_going(user=b, event=event)
    services.rsvp_cancel(user=a, event=event)
    offered = Rsvp.objects.get(user=b)
    assert offered.status == Status.OFFERED
    assert timedelta(hours=23) < offered.offer_expires_at - timezone.now() <= timedelta(hours=24)
    assert "meetups.place_offered" in kinds(b)
    assert services.rsvp_offer_accept(user=b, event=event).status == Status.GOING


def test_an_expired_offer_passes_to_the_next_person():
    event = event_factory(capacity=1, waitlist_mode=Event.WaitlistMode.OFFER)
    a, b, c = UserFactory.create_batch(3)
    for user in (a, b, c):
        services.rsvp_going(user=user, event=event)
    services.rsvp_cancel(user=a, event=event)
    assert services.offers_expire(now=timezone.now() + timedelta(hours=1)) == 0
    assert services.offers_expire(now=timezone.now() + timedelta(hours=25)) == 1
    assert Rsvp.objects.get(user=b).status == Status.NOT_GOING
    assert Rsvp.objects.get(user=c).status == Status.OFFERED
    assert "meetups.offer_expired" in kinds(b)
    Rsvp.objects.filter(user=c).update(offer_expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Conflict, match="This offer has expired."):
        services.rsvp_offer_accept(user=c, event=event)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"state": Event.State.CANCELLED}, "This event was cancelled."),
        ({"state": Event.State.FINISHED}, "This event is over."),
        ({"rsvp_deadline": timezone.now() - timedelta(hours=1)}, "The RSVP deadline has passed"),
    ],
)
def test_rsvp_refused_when_closed(change, message):
    event = event_factory()
    Event.objects.filter(pk=event.pk).update(**change)
    with pytest.raises(Conflict, match=message):
        services.rsvp_going(user=UserFactory(), event=event)


def test_invite_only_needs_an_invitation():
    event = event_factory(join_policy=Event.JoinPolicy.INVITE)
    guest, stranger = UserFactory(), UserFactory()
    with pytest.raises(NotAllowed, match="This event is by invitation only."):
        services.rsvp_going(user=stranger, event=event)
    services.invitations_add(actor=event.organisers.get(), event=event, emails=[guest.email.upper()])
    assert services.rsvp_going(user=guest, event=event).status == Status.GOING


def test_approval_then_organiser_promotes_within_capacity():
    event = event_factory(join_policy=Event.JoinPolicy.APPROVAL, capacity=1)
    organiser = event.organisers.get()
    a, b = UserFactory.create_batch(2)
    ra = services.rsvp_going(user=a, event=event)
    rb = services.rsvp_going(user=b, event=event)
    assert ra.status == rb.status == Status.PENDING
    assert services.rsvp_promote(actor=organiser, rsvp=ra).status == Status.GOING
    assert services.rsvp_promote(actor=organiser, rsvp=rb).status == Status.WAITLISTED
    with pytest.raises(Conflict, match="The event is full"):
        services.rsvp_promote(actor=organiser, rsvp=rb)
    with pytest.raises(NotAllowed):
        services.rsvp_promote(actor=b, rsvp=rb)


def test_remove_needs_a_reason_and_frees_the_place():
    event = event_factory(capacity=1)
    organiser = event.organisers.get()
    a, b = UserFactory.create_batch(2)
    ra = services.rsvp_going(user=a, event=event)
    services.rsvp_going(user=b, event=event)
    with pytest.raises(InvalidInput):
        services.rsvp_remove(actor=organiser, rsvp=ra, reason=" ")
    services.rsvp_remove(actor=organiser, rsvp=ra, reason="Código de conducta")
    assert Rsvp.objects.get(user=b).status == Status.GOING
    with pytest.raises(NotAllowed, match="removed you"):
        services.rsvp_going(user=a, event=event)


def test_required_questions_must_be_answered():
    event = event_factory(questions=[{"text": "¿Alergias?", "required": True}, {"text": "¿Empresa?"}])
    question = event.questions.first()
    with pytest.raises(InvalidInput) as refused:
        services.rsvp_going(user=UserFactory(), event=event, answers={})
    assert refused.value.errors == {f"question_{question.id}": ["Please answer this question."]}
    rsvp = services.rsvp_going(user=UserFactory(), event=event, answers={str(question.id): "Ninguna"})
    assert rsvp.answers[str(question.id)] == "Ninguna"


def test_at_most_five_questions():
    with pytest.raises(InvalidInput):
        event_factory(questions=[{"text": f"Q{i}"} for i in range(6)])


def test_check_in_by_code_and_undo():
    event = event_factory()
    organiser = event.organisers.get()
    rsvp = services.rsvp_going(user=UserFactory(), event=event)
    done = services.rsvp_check_in(actor=organiser, event=event, code=rsvp.checkin_code.lower())
    assert done.checked_in_at is not None
    assert services.rsvp_check_in(actor=organiser, event=event, rsvp=done, undo=True).checked_in_at is None
    with pytest.raises(NotAllowed):
        services.rsvp_check_in(actor=rsvp.user, event=event, code=rsvp.checkin_code)


def test_time_change_notifies_attendees_and_is_audited():
    event = event_factory()
    attendee = UserFactory()
    services.rsvp_going(user=attendee, event=event)
    services.event_update(actor=event.organisers.get(), event=event, starts_at=event.starts_at + timedelta(hours=1), ends_at=event.ends_at + timedelta(hours=1))
    assert "meetups.event_changed" in kinds(attendee)
    assert EventTransition.objects.filter(event=event, action="change").exists()


def test_raising_capacity_admits_the_waitlist():
    event = event_factory(capacity=1)
    a, b = UserFactory.create_batch(2)
    services.rsvp_going(user=a, event=event)
    services.rsvp_going(user=b, event=event)
    services.event_update(actor=event.organisers.get(), event=event, capacity=2)
    assert Rsvp.objects.get(user=b).status == Status.GOING


def test_cancel_tells_everyone_and_needs_a_reason():
    event = event_factory()
    attendee = UserFactory()
    services.rsvp_going(user=attendee, event=event)
    organiser = event.organisers.get()
    with pytest.raises(InvalidInput):
        services.event_transition(actor=organiser, event=event, action="cancel")
    services.event_transition(actor=organiser, event=event, action="cancel", reason="Lluvia")
    assert "meetups.event_cancelled" in kinds(attendee)
    assert list(event.transitions.values_list("action", flat=True)) == ["create", "publish", "cancel"]


def test_reminders_once_per_person():
    event = event_factory(days=0, starts_at=timezone.now() + timedelta(hours=20), ends_at=timezone.now() + timedelta(hours=22))
    attendee = UserFactory()
    services.rsvp_going(user=attendee, event=event)
    assert services.reminders_send() == 1
    assert services.reminders_send() == 0
    assert kinds(attendee).count("meetups.reminder") == 1


def test_call_for_speakers_and_decision():
    chapter = chapter_factory()
    organiser = chapter.organisers.get()
    member = UserFactory()
    with pytest.raises(Conflict):
        services.talk_propose(user=member, chapter=chapter, title="t", abstract="a")
    services.call_for_speakers_open(actor=organiser, chapter=chapter, description="Buscamos charlas")
    talk = services.talk_propose(user=member, chapter=chapter, title="RAG en gallego", abstract="…", repositories=[{"kind": "model", "repo_id": "org/modelo"}])
    event = event_factory(chapter=chapter)
    with pytest.raises(NotAllowed):
        services.talk_decide(actor=member, talk=talk, accept=True)
    services.talk_decide(actor=organiser, talk=talk, accept=True, note="¡Genial!", event=event)
    talk.refresh_from_db()
    assert talk.event == event and talk.status == "accepted"
    assert "meetups.talk_decided" in kinds(member)


def test_feed_reset_changes_token():
    user = UserFactory()
    old = services.feed_for(user).token
    assert services.feed_reset(user=user).token != old


def test_chapter_join_and_leave():
    chapter = chapter_factory()
    member = UserFactory()
    services.chapter_join(user=member, chapter=chapter)
    services.chapter_join(user=member, chapter=chapter)
    assert chapter.memberships.count() == 1
    services.chapter_leave(user=member, chapter=chapter)
    with pytest.raises(Conflict):
        services.chapter_leave(user=member, chapter=chapter)


def test_the_door_counts_the_guests_who_come_with_a_member(client):
    event = event_factory(max_guests=2)
    member = UserFactory()
    rsvp = services.rsvp_going(user=member, event=event, guests=1)
    organiser = event.organisers.get()
    services.rsvp_check_in(actor=organiser, event=event, rsvp=rsvp)
    client.force_login(organiser)
    page = client.get(f"/meetups/events/{event.slug}/check-in/").content.decode()
    assert "2 of 2 people checked in, guests included" in page


def test_dashboard_numbers_attendance_no_shows_and_first_timers():
    from datetime import timedelta as td

    from apps.meetups import selectors

    regular, newcomer, absent = UserFactory.create_batch(3)
    earlier = event_factory(days=1)
    services.rsvp_going(user=regular, event=earlier)
    services.rsvp_check_in(actor=earlier.organisers.get(), event=earlier, code=Rsvp.objects.get(user=regular).checkin_code)
    later = event_factory(days=3)
    organiser = later.organisers.get()
    for user in (regular, newcomer, absent):
        services.rsvp_going(user=user, event=later)
    for user in (regular, newcomer):
        services.rsvp_check_in(actor=organiser, event=later, rsvp=Rsvp.objects.get(user=user, event=later))
    assert selectors.event_stats(later) == {"going": 3, "checked_in": 2, "people": 3, "people_checked_in": 2,
                                            "first_timers": 1, "no_show_rate": None}
    Event.objects.filter(pk=later.pk).update(starts_at=timezone.now() - td(hours=3), ends_at=timezone.now() - td(hours=1))
    later.refresh_from_db()
    assert selectors.event_stats(later)["no_show_rate"] == 33
