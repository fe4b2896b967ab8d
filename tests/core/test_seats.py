"""The shared place-keeping rules used by hackathon registrations and meetup RSVPs."""

from apps.core import seats


def test_has_room_counts_whole_parties_and_no_capacity_means_no_limit():
    assert seats.has_room(capacity=5, taken=3, wanted=2)
    assert not seats.has_room(capacity=5, taken=4, wanted=2)
    assert seats.has_room(capacity=None, taken=10_000, wanted=3)


def test_admission():
    assert seats.admission(capacity=1, taken=0) is seats.Admission.ADMIT
    assert seats.admission(capacity=1, taken=1) is seats.Admission.WAITLIST
    assert seats.admission(capacity=1, taken=0, needs_approval=True) is seats.Admission.PENDING


def test_waitlist_is_first_come_first_served_and_nobody_jumps_a_party_that_does_not_fit():
    admitted = []
    queue = [("ana", 1), ("bea", 3), ("carla", 1)]
    result = seats.fill_from_waitlist(
        capacity=4, taken=1, queue=queue, places_of=lambda person: person[1], admit=admitted.append
    )
    assert result == admitted == [("ana", 1)]  # bea needs 3 of the 2 left; carla waits behind her
