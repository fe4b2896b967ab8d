"""The plan of bench/cluster.py: who sends what from which client process, and in which order
the formations run (no formation is started here)."""

from collections import Counter

from bench.cluster import Plan, steps


def test_every_message_has_senders_of_its_own_room_and_every_member_one_client_process():
    rooms = [(11, [f"a{n}" for n in range(30)]), (12, [f"b{n}" for n in range(5)]), (13, [f"c{n}" for n in range(30)])]
    plan = Plan(rooms, processes=3)
    assert sorted(n for process in range(3) for n in plan.mine(process)) == list(range(65))
    designated = Counter()
    for i in range(600):
        room, senders = plan.sender_of(i)
        assert room == i % 3
        assert {plan.members[n][0] for n in senders} == {room}
        designated[senders[0]] += 1
    # Each room's messages are shared by its senders (at most 20), so none passes the chat's rate limit alone.
    assert sorted(designated.values()) == [10] * 40 + [40] * 5
    assert {plan.members[n][0] for n in designated} == {0, 1, 2}


def test_chat_runs_once_per_formation_and_a_running_formation_takes_the_next_audience():
    assert steps([1, 2], [10_000, 100_000], chat=True) == [
        (1, [("chat", 0), ("announce", 10_000)]),
        (2, [("chat", 0), ("announce", 10_000), ("announce", 100_000)]),
        (1, [("announce", 100_000)]),
    ]
    assert steps([2], [], chat=True) == [(2, [("chat", 0)])]
    assert steps([1, 2], [300], chat=False) == [(1, [("announce", 300)]), (2, [("announce", 300)])]
