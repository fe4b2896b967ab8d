"""The REST API: every endpoint for every role, the full journey, errors and query counts."""

import pytest
from rest_framework.test import APIClient

from apps.hackathons.models import Hackathon, Registration, Submission, TeamInvitation
from apps.hackathons.services import judging
from tests.accounts.factories import UserFactory
from tests.hackathons.factories import (
    future_schedule,
    hackathon_factory,
    judge_factory,
    organiser_factory,
    participant_factory,
    past_hacking_schedule,
    running_schedule,
    submission_factory,
    team_factory,
)

pytestmark = pytest.mark.django_db
State = Hackathon.State
ROLES = ["anonymous", "other", "participant", "judge", "organiser"]


def api(user=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


# endpoint -> status for (anonymous, other, participant, judge, organiser)
GETS = {
    "": (200, 200, 200, 200, 200),
    "transitions/": (403, 403, 403, 403, 200),
    "registration/": (403, 404, 200, 404, 404),
    "registrations/": (403, 403, 403, 403, 200),
    "teams/": (200, 200, 200, 200, 200),
    "teams/mine/": (403, 404, 200, 404, 404),
    "looking-for-team/": (403, 403, 200, 403, 200),
    "submissions/": (403, 403, 403, 200, 200),
    "assignments/": (403, 403, 403, 200, 403),
    "leaderboard/": (403, 403, 403, 403, 200),
    "criteria/": (403, 200, 200, 200, 200),
    "judges/": (403, 403, 403, 403, 200),
}


@pytest.mark.parametrize("endpoint", GETS)
def test_every_read_endpoint_for_every_role(world, endpoint):
    url = f"/api/hackathons/{world['hackathon'].slug}/{endpoint}"
    for role, expected in zip(ROLES, GETS[endpoint], strict=True):
        response = api(world[role]).get(url)
        assert response.status_code == expected, (endpoint, role, response.status_code)
        if expected >= 400:
            assert set(response.json()) == {"message", "errors"}


def test_write_endpoints_refuse_the_wrong_roles(world):
    slug = world["hackathon"].slug
    base = f"/api/hackathons/{slug}/"
    scores = {"scores": [{"criterion": world["criterion"].id, "value": 5}]}
    score_url = f"{base}submissions/{world['submission'].id}/scores/"
    for role in ("other", "participant", "judge"):
        client = api(world[role])
        assert client.post(f"{base}transitions/", {"action": "publish_results"}).status_code == 403
        assert client.post(f"{base}criteria/", {"name": "x"}).status_code == 403
        assert client.post(f"{base}judges/", {"handle": "x"}).status_code == 403
        assert client.patch(base, {"title": "hack"}).status_code == 403
    for role in ("other", "participant", "organiser"):
        assert api(world[role]).post(score_url, scores, format="json").status_code == 403
    assert api().post(score_url, scores, format="json").status_code == 403
    assert api().post("/api/hackathons/", {}).status_code == 403
    assert api(world["other"]).post("/api/hackathons/", {"title": "x", **{k: v.isoformat() for k, v in future_schedule().items()}, "summary": "s"}).status_code == 403
    response = api(world["judge"]).post(score_url, scores, format="json")
    assert response.status_code == 200 and response.json()[0]["value"] == 5


def test_conflicted_judge_is_refused_by_the_api(world):
    conflicted = judging.judge_add(actor=world["organiser"], hackathon=world["hackathon"], handle=world["participant"].username)
    url = f"/api/hackathons/{world['hackathon'].slug}/submissions/{world['submission'].id}/scores/"
    response = api(conflicted.user).post(url, {"scores": [{"criterion": world["criterion"].id, "value": 9}]}, format="json")
    assert response.status_code == 403
    assert "belong" in response.json()["message"]


def test_the_whole_journey_through_the_api():
    organiser, ana, bea, judge = organiser_factory(), UserFactory(), UserFactory(), UserFactory()
    schedule = {k: v.isoformat() for k, v in future_schedule().items()}
    created = api(organiser).post(
        "/api/hackathons/", {"title": "Hack API", "summary": "Por API", "tracks": ["Salud"], **schedule}, format="json"
    )
    assert created.status_code == 201, created.json()
    slug = created.json()["slug"]
    base = f"/api/hackathons/{slug}/"
    assert api(organiser).post(f"{base}transitions/", {"action": "publish"}).json()["state"] == "published"
    assert api(organiser).post(f"{base}transitions/", {"action": "open_registration"}).json()["state"] == "registration_open"
    refused = api(ana).post(f"{base}registration/", {"agreed": False})
    assert refused.status_code == 400 and "agreed" in refused.json()["errors"]
    for person in (ana, bea):
        assert api(person).post(f"{base}registration/", {"agreed": True, "looking_for": "NLP"}).json()["status"] == "confirmed"
    board = api(ana).get(f"{base}looking-for-team/").json()
    assert board["count"] == 2 and board["results"][0]["looking_for"] == "NLP"
    team = api(ana).post(f"{base}teams/", {"name": "Linces"}).json()
    invitation = api(ana).post(f"{base}teams/{team['id']}/invitations/", {"handle": bea.username}).json()
    assert api(bea).post(f"/api/hackathon-invitations/{invitation['id']}/", {"accept": True}).status_code == 204
    assert TeamInvitation.objects.get().status == "accepted"
    assert api(bea).get(f"{base}teams/mine/").json()["members"] == [ana.username, bea.username]
    assert api(organiser).post(f"{base}judges/", {"handle": judge.username}).status_code == 201
    criterion = api(organiser).post(f"{base}criteria/", {"name": "Impacto", "weight": 2, "max_score": 5}).json()
    assert api(organiser).post(f"{base}transitions/", {"action": "start_hacking"}).json()["state"] == "in_progress"
    track = Hackathon.objects.get(slug=slug).tracks.get()
    bad = api(bea).post(f"{base}submissions/", {"track": track.id, "title": "T", "description": "D", "repositories": [{"kind": "model", "repo_id": "nope"}]}, format="json")
    assert bad.status_code == 400 and "repositories" in bad.json()["errors"]
    ok = api(bea).post(f"{base}submissions/", {"track": track.id, "title": "T", "description": "D", "repositories": [{"kind": "model", "repo_id": "linces/modelo"}]}, format="json")
    assert ok.status_code == 200 and ok.json()["repositories"] == [{"kind": "model", "repo_id": "linces/modelo"}]
    Hackathon.objects.filter(slug=slug).update(**past_hacking_schedule())
    late = api(bea).post(f"{base}submissions/", {"track": track.id, "title": "Tarde", "description": "D"}, format="json")
    assert late.status_code == 409 and "deadline" in late.json()["message"]
    assert api(organiser).post(f"{base}transitions/", {"action": "start_judging"}).json()["state"] == "judging"
    assignment = api(judge).get(f"{base}assignments/").json()["results"][0]
    api(judge).post(f"{base}submissions/{assignment['submission']}/scores/", {"scores": [{"criterion": criterion["id"], "value": 4}]}, format="json")
    assert api(ana).get(f"{base}leaderboard/").status_code == 403
    assert api(organiser).post(f"{base}transitions/", {"action": "publish_results"}).json()["state"] == "finished"
    board = api().get(f"{base}leaderboard/").json()
    assert board["results"] == [{"position": 1, "submission": assignment["submission"], "title": "T", "team": "Linces", "track": "Salud", "score": 80.0, "judges": 1}]
    assert api().get(f"{base}submissions/").json()["count"] == 1
    log = api(organiser).get(f"{base}transitions/").json()["results"]
    assert [(t["from_state"], t["to_state"]) for t in log] == [
        ("draft", "published"), ("published", "registration_open"), ("registration_open", "in_progress"),
        ("in_progress", "judging"), ("judging", "finished"),
    ]


def test_approval_decision_and_waitlist_through_the_api():
    hackathon = hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule(), join_policy="approval")
    organiser = hackathon.organisers.get()
    person = UserFactory()
    base = f"/api/hackathons/{hackathon.slug}/"
    assert api(person).post(f"{base}registration/", {"agreed": True}).json()["status"] == "pending"
    registration = Registration.objects.get()
    url = f"{base}registrations/{registration.id}/decision/"
    assert api(person).post(url, {"approve": True}).status_code == 403
    refused = api(organiser).post(url, {"approve": False})
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    assert api(organiser).post(url, {"approve": True}).json()["status"] == "confirmed"
    assert api(person).delete(f"{base}registration/").json()["status"] == "cancelled"


def test_list_endpoints_query_counts_do_not_grow(django_assert_num_queries):
    def make(n):
        for _ in range(n):
            participant_factory(hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule()))

    make(2)
    with django_assert_num_queries(3):  # 2 + the topics' generations (visitor cache)
        assert api().get("/api/hackathons/").json()["count"] == 2
    make(5)
    with django_assert_num_queries(3):
        assert api().get("/api/hackathons/?period=upcoming").json()["count"] == 7


def test_hackathon_sub_list_query_counts_do_not_grow(world, django_assert_num_queries):
    hackathon, organiser = world["hackathon"], world["organiser"]
    base = f"/api/hackathons/{hackathon.slug}/"
    client = api(organiser)
    counts = {"registrations/": 3, "teams/": 5, "submissions/": 5, "leaderboard/": 5, "transitions/": 3, "judges/": 4}

    def read_all():
        results = {}
        for endpoint, n in counts.items():
            with django_assert_num_queries(n):
                results[endpoint] = client.get(base + endpoint).json()
        return results

    small = read_all()
    Hackathon.objects.filter(pk=hackathon.pk).update(state=State.IN_PROGRESS, **running_schedule())
    for _ in range(3):
        team, (member, _m) = team_factory(hackathon)
        submission_factory(team, member)
        judge_factory(hackathon, organiser)
    Hackathon.objects.filter(pk=hackathon.pk).update(state=State.JUDGING)
    judging.assignments_create(hackathon=Hackathon.objects.get(pk=hackathon.pk))
    large = read_all()
    assert small["submissions/"]["count"] == 1 and large["submissions/"]["count"] == 4
    assert large["registrations/"]["count"] == 8
    assert len(large["judges/"]) == 4 and Submission.objects.count() == 4


def test_board_and_assignments_query_counts_do_not_grow(world, django_assert_num_queries):
    hackathon = world["hackathon"]
    base = f"/api/hackathons/{hackathon.slug}/"
    Registration.objects.create(hackathon=hackathon, user=UserFactory(), status="confirmed", agreed_at=hackathon.created_at)
    judge_client, organiser_client = api(world["judge"]), api(world["organiser"])
    with django_assert_num_queries(4):
        assert organiser_client.get(base + "looking-for-team/").json()["count"] == 1
    with django_assert_num_queries(5):
        assert judge_client.get(base + "assignments/").json()["count"] == 1
    for _ in range(3):
        Registration.objects.create(hackathon=hackathon, user=UserFactory(), status="confirmed", agreed_at=hackathon.created_at)
    Hackathon.objects.filter(pk=hackathon.pk).update(state=State.IN_PROGRESS, **running_schedule())
    for _ in range(3):
        team, (member, _m) = team_factory(hackathon)
        submission_factory(team, member)
    Hackathon.objects.filter(pk=hackathon.pk).update(state=State.JUDGING)
    judging.assignments_create(hackathon=Hackathon.objects.get(pk=hackathon.pk))
    with django_assert_num_queries(4):
        assert organiser_client.get(base + "looking-for-team/").json()["count"] == 4
    with django_assert_num_queries(5):
        assert judge_client.get(base + "assignments/").json()["count"] == 4


def test_every_write_endpoint_for_every_role(world):
    """Refusals come before anything changes; state conflicts (409) only for people entitled to act."""
    hackathon = world["hackathon"]
    base = f"/api/hackathons/{hackathon.slug}/"
    registration = Registration.objects.filter(hackathon=hackathon).first()
    team = world["submission"].team
    endpoints = {
        f"registrations/{registration.id}/decision/": ({"approve": True}, (403, 403, 403, 403, 409)),
        f"registrations/{registration.id}/check-in/": ({}, (403, 403, 403, 403, 409)),
        f"teams/{team.id}/invitations/": ({"handle": "x"}, (403, 403, 409, 403, 403)),
        "tracks/": ({"name": "Nueva"}, (403, 403, 403, 403, 409)),
        "submissions/": ({"track": world["track"].id, "title": "t", "description": "d"}, (403, 403, 409, 403, 403)),
        "registration/": ({"agreed": True}, (403, 409, 409, 409, 409)),
    }
    for endpoint, (data, statuses) in endpoints.items():
        for role, expected in zip(ROLES, statuses, strict=True):
            response = api(world[role]).post(base + endpoint, data, format="json")
            assert response.status_code == expected, (endpoint, role, response.status_code)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED and registration.checked_in_at is None
    assert hackathon.tracks.count() == 1


def test_the_list_is_shared_by_members_who_see_the_same_drafts(monkeypatch):
    """Members who see the same hackathons get one answer computed once; an organiser's
    drafts are theirs alone, and a draft that is published shows for everyone at once."""
    from apps.hackathons import selectors

    hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule(), title="Abierto")
    organiser = organiser_factory()
    draft = hackathon_factory(organiser=organiser, title="Borrador")
    computed = []
    listing = selectors.hackathon_list
    monkeypatch.setattr(selectors, "hackathon_list", lambda **kw: computed.append(kw["user"].pk) or listing(**kw))
    first, second = UserFactory(), UserFactory()
    titles = lambda user: [h["title"] for h in api(user).get("/api/hackathons/").json()["results"]]  # noqa: E731
    assert titles(first) == ["Abierto"] and titles(second) == ["Abierto"]
    assert computed == [first.pk]
    assert sorted(titles(organiser)) == ["Abierto", "Borrador"] and computed == [first.pk, organiser.pk]
    draft.state = State.REGISTRATION_OPEN
    draft.save()
    assert sorted(titles(second)) == ["Abierto", "Borrador"]
