"""Every page for every role, form errors next to fields, and query counts at two sizes."""

import pytest
from django.urls import reverse

from apps.hackathons.models import Hackathon, Registration, Submission, Team
from apps.hackathons.services import judging, lifecycle
from apps.hackathons.services.lifecycle import hackathon_transition
from tests.accounts.factories import UserFactory
from tests.fragments import count_drawings
from tests.hackathons.factories import (
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
LOGIN = "/accounts/login/"


def _urls(w):
    slug = w["hackathon"].slug
    return {
        "list": reverse("hackathons:list"),
        "detail": reverse("hackathons:detail", args=[slug]),
        "create": reverse("hackathons:create"),
        "edit": reverse("hackathons:edit", args=[slug]),
        "calendar": reverse("hackathons:calendar", args=[slug]),
        "register": reverse("hackathons:register", args=[slug]),
        "team": reverse("hackathons:team", args=[slug]),
        "submit": reverse("hackathons:submit", args=[slug, w["track"].id]),
        "judging": reverse("hackathons:judging", args=[slug]),
        "score": reverse("hackathons:score", args=[slug, w["submission"].id]),
        "results": reverse("hackathons:results", args=[slug]),
        "manage": reverse("hackathons:manage", args=[slug]),
    }


# page -> expected status for (anonymous, other member, participant, judge, organiser)
EXPECTED = {
    "list": (200, 200, 200, 200, 200),
    "detail": (200, 200, 200, 200, 200),
    "create": (302, 403, 403, 403, 200),
    "edit": (302, 403, 403, 403, 200),
    "calendar": (200, 200, 200, 200, 200),
    "register": (302, 200, 200, 200, 200),
    "team": (302, 403, 200, 403, 200),
    "submit": (302, 403, 200, 403, 403),
    "judging": (302, 403, 403, 200, 403),
    "score": (302, 403, 403, 200, 403),
    "results": (200, 200, 200, 200, 200),
    "manage": (302, 403, 403, 403, 200),
}
ROLES = ["anonymous", "other", "participant", "judge", "organiser"]


@pytest.mark.parametrize("page", EXPECTED)
def test_every_page_for_every_role(client, world, page):
    url = _urls(world)[page]
    for role, expected in zip(ROLES, EXPECTED[page], strict=True):
        client.logout()
        if world[role] is not None:
            client.force_login(world[role])
        response = client.get(url)
        assert response.status_code == expected, (page, role, response.status_code)
        if expected == 302:
            assert response.url.startswith(LOGIN)


def test_scores_only_for_organisers_until_published_then_for_everyone(client, world):
    url = _urls(world)["results"]
    for role in ("anonymous", "participant", "judge", "other"):
        client.logout()
        if world[role]:
            client.force_login(world[role])
        body = client.get(url).content.decode()
        assert "data-leaderboard" not in body and "70.00" not in body
    client.force_login(world["organiser"])
    assert "70.00" in client.get(url).content.decode()
    hackathon_transition(actor=world["organiser"], hackathon=world["hackathon"], action="publish_results")
    client.logout()
    body = client.get(url).content.decode()
    assert "data-leaderboard" in body and "70.00" in body and "org/bulo-detector" in body


def test_drafts_are_404_for_everyone_but_their_organisers(client):
    draft = hackathon_factory()
    url = reverse("hackathons:detail", args=[draft.slug])
    assert client.get(url).status_code == 404
    client.force_login(organiser_factory())
    assert client.get(url).status_code == 404
    assert draft.title not in client.get(reverse("hackathons:list")).content.decode()
    client.force_login(draft.organisers.get())
    assert client.get(url).status_code == 200


def test_organiser_creates_a_hackathon_with_errors_next_to_fields(client):
    organiser = organiser_factory()
    client.force_login(organiser)
    data = {
        "title": "Hackathon del Ebro", "summary": "IA para el río", "languages": "es", "format": "online",
        "timezone": "Europe/Madrid", "join_policy": "open", "min_team_size": 1, "max_team_size": 4,
        "tracks": "Agua\nClima",
        "registration_opens_at": "2031-05-01T09:00", "registration_closes_at": "2031-05-20T09:00",
        "hacking_starts_at": "2031-05-21T09:00", "hacking_ends_at": "2031-05-20T18:00",
        "judging_ends_at": "2031-05-25T18:00", "results_at": "2031-05-26T12:00",
    }
    response = client.post(reverse("hackathons:create"), data)
    assert response.status_code == 200
    assert "hacking_ends_at" in response.context["form"].errors
    data["hacking_ends_at"] = "2031-05-23T18:00"
    response = client.post(reverse("hackathons:create"), data)
    hackathon = Hackathon.objects.get()
    assert response.url == reverse("hackathons:manage", args=[hackathon.slug])
    assert list(hackathon.tracks.values_list("name", flat=True)) == ["Agua", "Clima"]
    # 09:00 in Madrid (summer time) is 07:00 UTC.
    assert hackathon.hacking_starts_at.astimezone(tz=None).utcoffset() is not None
    assert hackathon.registration_opens_at.isoformat().startswith("2031-05-01T07:00")


def test_register_team_and_submit_through_the_pages(client):
    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule())
    ana, bea = UserFactory(), UserFactory()
    client.force_login(ana)
    response = client.post(reverse("hackathons:register", args=[hackathon.slug]), {"motivation": "x"})
    assert "agreed" in response.context["form"].errors
    client.post(reverse("hackathons:register", args=[hackathon.slug]), {"agreed": "on", "looking_for": "Visión"})
    assert Registration.objects.get(user=ana).status == Registration.Status.CONFIRMED
    client.post(reverse("hackathons:team-create", args=[hackathon.slug]), {"name": "Águilas"})
    team = Team.objects.get()
    participant_factory(hackathon, username="bea_h") if False else None
    client.force_login(bea)
    client.post(reverse("hackathons:register", args=[hackathon.slug]), {"agreed": "on"})
    join_url = reverse("hackathons:team-join", args=[hackathon.slug])
    response = client.post(join_url, {"invite_code": "nope"})
    assert response.status_code == 400 and "invite_code" in response.context["join_form"].errors
    client.post(join_url, {"invite_code": team.invite_code})
    assert team.memberships.count() == 2
    submit = reverse("hackathons:submit", args=[hackathon.slug, hackathon.tracks.get().id])
    response = client.post(submit, {"title": "T", "description": "D", "models": "not a repo"})
    assert "not a repo" in response.context["form"].errors["models"][0]
    response = client.post(submit, {"title": "T", "description": "D", "models": "org/model", "spaces": "org/demo"})
    assert response.status_code == 302
    assert sorted(Submission.objects.get().repositories.values_list("repo_id", flat=True)) == ["org/demo", "org/model"]
    Hackathon.objects.filter(pk=hackathon.pk).update(**past_hacking_schedule())
    response = client.post(submit, {"title": "Tarde", "description": "D"})
    assert response.status_code == 409
    assert "deadline" in response.content.decode()


def test_judge_scores_through_the_page_and_a_conflicted_one_is_refused(client, world):
    client.force_login(world["judge"])
    url = _urls(world)["score"]
    criterion = world["hackathon"].criteria.get()
    response = client.post(url, {f"criterion_{criterion.id}": 11})
    assert response.status_code == 200 and f"criterion_{criterion.id}" in response.context["form"].errors
    assert client.post(url, {f"criterion_{criterion.id}": 9, f"comment_{criterion.id}": "Bien"}).status_code == 302
    conflicted = judging.judge_add(actor=world["organiser"], hackathon=world["hackathon"], handle=world["participant"].username)
    client.force_login(conflicted.user)
    assert client.get(url).status_code == 404  # never assigned to their own team


def test_organiser_dashboard_actions(client, world):
    client.force_login(world["organiser"])
    slug = world["hackathon"].slug
    response = client.post(reverse("hackathons:judge-add", args=[slug]), {"handle": "nobody"})
    assert response.status_code == 400 and "handle" in response.context["judge_form"].errors
    response = client.post(reverse("hackathons:transition", args=[slug, "publish"]))  # refused: back to the dashboard
    assert response.status_code == 302 and response.url == reverse("hackathons:manage", args=[world["hackathon"].slug])
    assert client.post(reverse("hackathons:transition", args=[slug, "publish_results"])).status_code == 302
    world["hackathon"].refresh_from_db()
    assert world["hackathon"].state == State.FINISHED
    client.force_login(world["participant"])
    assert client.post(reverse("hackathons:transition", args=[slug, "cancel"]), {"reason": "x"}).status_code == 403


def test_a_state_refusal_is_shown_next_to_the_form_with_its_status(client, world):
    """A submission after hacking ended keeps the form and what was typed, with the reason on it."""
    client.force_login(world["participant"])
    url = reverse("hackathons:submit", args=[world["hackathon"].slug, world["track"].id])
    response = client.post(url, {"title": "Tarde", "description": "D"})
    assert response.status_code == 409
    assert [t.name for t in response.templates][0] == "hackathons/submission.html"
    [reason] = response.context["form"].non_field_errors()
    assert "deadline" in reason and reason in response.content.decode()
    assert response.context["form"]["title"].value() == "Tarde"


def test_a_refused_team_form_shows_the_team_page_with_the_reason(client, world):
    """Teams are locked while judging: the team page again (the invite form is gone), the reason on top."""
    client.force_login(world["participant"])
    response = client.post(reverse("hackathons:team-invite", args=[world["hackathon"].slug]), {"handle": "someone"})
    assert response.status_code == 409
    assert [t.name for t in response.templates][0] == "hackathons/team.html"
    assert "Teams are locked: they can only change" in response.content.decode()


def test_leaving_or_withdrawing_without_a_team_is_not_allowed(client, world):
    """403 for someone who may not do it at all (no team), 404 for an invitation that is not there."""
    slug = world["hackathon"].slug
    client.force_login(world["organiser"])  # sees the team pages, is in no team
    assert client.post(reverse("hackathons:team-leave", args=[slug])).status_code == 403
    assert client.post(reverse("hackathons:invitation-withdraw", args=[slug]), {"invitation": 1}).status_code == 403
    client.force_login(world["participant"])
    assert client.post(reverse("hackathons:invitation-withdraw", args=[slug]), {"invitation": "x"}).status_code == 404


def test_list_counts_participants_once_with_several_organisers(client):
    hackathon = hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule())
    hackathon.organisers.add(organiser_factory(), organiser_factory())
    participant_factory(hackathon)
    draft = hackathon_factory(organiser=hackathon.organisers.first())
    client.force_login(hackathon.organisers.first())
    listed = {h.pk: h for h in client.get(reverse("hackathons:list")).context["page"].object_list}
    assert listed[hackathon.pk].participant_count == 1
    assert draft.pk in listed  # organisers see their drafts


def test_hackathon_list_queries_do_not_grow(client, django_assert_num_queries):
    for _ in range(2):
        hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule())
    with django_assert_num_queries(3):  # 2 + the topics' generations, read once for the page (visitor cache) and its fragment
        small = client.get(reverse("hackathons:list"))
    for _ in range(8):
        participant_factory(hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule()))
    with django_assert_num_queries(3):
        large = client.get(reverse("hackathons:list"), {"period": "upcoming"})
    assert len(small.context["page"].object_list) == 2 and len(large.context["page"].object_list) == 10
    user = UserFactory()
    client.force_login(user)
    # 6 with the drafts they organise (whose list they share) and the fragment's generations;
    # count and page only when the list is drawn, not when it is shared.
    with django_assert_num_queries(6):
        client.get(reverse("hackathons:list"), {"period": "upcoming", "q": "IA"})
    with django_assert_num_queries(4):
        client.get(reverse("hackathons:list"), {"period": "upcoming", "q": "IA"})


def test_dashboard_queries_do_not_grow(client, django_assert_num_queries):
    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule())
    organiser = hackathon.organisers.get()
    team, (member, _m) = team_factory(hackathon)
    submission_factory(team, member)
    judge_factory(hackathon, organiser)
    client.force_login(organiser)
    # 20 for the dashboard, 3 for its scheduled announcements (the audience's permission check, the list).
    with django_assert_num_queries(23):
        client.get(reverse("hackathons:manage", args=[hackathon.slug]))
    for _ in range(4):
        team, (member, _m) = team_factory(hackathon)
        submission_factory(team, member)
        judge_factory(hackathon, organiser)
    with django_assert_num_queries(23):
        response = client.get(reverse("hackathons:manage", args=[hackathon.slug]))
    assert response.context["registrations"].paginator.count == 10


def test_team_board_and_gallery_queries_do_not_grow(client, django_assert_num_queries, world):
    hackathon = world["hackathon"]
    hackathon_transition(actor=world["organiser"], hackathon=hackathon, action="publish_results")
    Registration.objects.create(hackathon=hackathon, user=UserFactory(), status="confirmed", agreed_at=hackathon.created_at)
    client.force_login(world["participant"])
    # 10 for the page, 4 for the team chat panel (the room with the unread count, organiser and
    # member checks).
    with django_assert_num_queries(14):
        client.get(reverse("hackathons:team", args=[hackathon.slug]))
    with django_assert_num_queries(6):
        client.get(reverse("hackathons:results", args=[hackathon.slug]))
    for _ in range(3):
        Registration.objects.create(hackathon=hackathon, user=UserFactory(), status="confirmed", agreed_at=hackathon.created_at)
    Hackathon.objects.filter(pk=hackathon.pk).update(state=State.IN_PROGRESS, **running_schedule())
    for _ in range(3):
        team, (member, _m) = team_factory(hackathon)
        submission_factory(team, member)
    Hackathon.objects.filter(pk=hackathon.pk).update(state=State.FINISHED)
    with django_assert_num_queries(14):
        board = client.get(reverse("hackathons:team", args=[hackathon.slug]))
    with django_assert_num_queries(6):
        gallery = client.get(reverse("hackathons:results", args=[hackathon.slug]))
    assert len(board.context["board"].object_list) == 4
    assert len(gallery.context["page"].object_list) == 4


def test_judging_list_queries_do_not_grow(client, django_assert_num_queries, world):
    client.force_login(world["judge"])
    url = _urls(world)["judging"]
    with django_assert_num_queries(6):
        client.get(url)
    hackathon = world["hackathon"]
    Hackathon.objects.filter(pk=hackathon.pk).update(state=State.IN_PROGRESS, **running_schedule())
    for _ in range(3):
        team, (member, _m) = team_factory(hackathon)
        submission_factory(team, member)
    Hackathon.objects.filter(pk=hackathon.pk).update(state=State.JUDGING)
    judging.assignments_create(hackathon=Hackathon.objects.get(pk=hackathon.pk))
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 4


def test_detail_shows_the_next_milestone_in_the_hackathon_time_zone(client):
    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule(), timezone="America/Bogota")
    response = client.get(reverse("hackathons:detail", args=[hackathon.slug]))
    assert response.context["next_milestone"]["label"] == "Registration closes"
    assert str(response.context["next_milestone"]["when"].tzinfo) == "America/Bogota"
    assert "data-next-milestone" in response.content.decode()


def test_finished_hackathons_count_down_to_nothing(client):
    # Results published early: the judging deadline is still ahead but the event is over.
    hackathon = hackathon_factory(state=State.FINISHED, schedule=running_schedule())
    response = client.get(reverse("hackathons:detail", args=[hackathon.slug]))
    assert response.context["next_milestone"] is None
    assert "data-next-milestone" not in response.content.decode()


def test_cover_image_upload(client, settings, tmp_path):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    hackathon = hackathon_factory()
    client.force_login(hackathon.organisers.get())
    url = reverse("hackathons:edit", args=[hackathon.slug])
    data = {k: v for k, v in client.get(url).context["form"].initial.items() if v is not None}
    for name in ("registration_opens_at", "registration_closes_at", "hacking_starts_at", "hacking_ends_at", "judging_ends_at", "results_at"):
        data[name] = data[name].strftime("%Y-%m-%dT%H:%M")
    buffer = io.BytesIO()
    Image.new("RGB", (32, 16), "navy").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "portada.png"
    data["cover_image"] = buffer
    assert client.post(url, data).status_code == 302
    hackathon.refresh_from_db()
    assert hackathon.cover_image.name.startswith("hackathons/covers/portada")


# Page forms (POST) for (anonymous, other member, participant, judge, organiser) while judging.
POSTS = {
    "register-cancel": ({}, (302, 409, 409, 409, 409)),
    "team-invite": ({"handle": "someone"}, (302, 403, 409, 403, 403)),
    "judges-assign": ({}, (302, 403, 403, 403, 302)),
    "submit": ({"title": "t", "description": "d"}, (302, 403, 409, 403, 403)),
    "score": (None, (302, 403, 403, 302, 403)),
}


@pytest.mark.parametrize("page", POSTS)
def test_every_page_form_for_every_role(client, world, page):
    data, expected_statuses = POSTS[page]
    slug = world["hackathon"].slug
    if page == "score":
        data = {f"criterion_{world['hackathon'].criteria.get().id}": 5}
        url = reverse("hackathons:score", args=[slug, world["submission"].id])
    elif page == "submit":
        url = reverse("hackathons:submit", args=[slug, world["track"].id])
    else:
        url = reverse(f"hackathons:{page}", args=[slug])
    for role, expected in zip(ROLES, expected_statuses, strict=True):
        client.logout()
        if world[role] is not None:
            client.force_login(world[role])
        response = client.post(url, data)
        assert response.status_code == expected, (page, role, response.status_code)
        if expected == 302 and role == "anonymous":
            assert response.url.startswith(LOGIN)
    world["submission"].refresh_from_db()
    assert world["submission"].title == "Detector de bulos"


def test_hackathon_numbers_for_the_home_page(django_assert_num_queries):
    from apps.hackathons.selectors import hackathon_numbers

    hackathon_factory()  # drafts are not counted
    hackathon_factory(state=State.REGISTRATION_OPEN)
    hackathon_factory(state=State.JUDGING)
    hackathon_factory(state=State.FINISHED)
    with django_assert_num_queries(1):
        numbers = hackathon_numbers()
    assert numbers == {"hackathons_upcoming": 1, "hackathons_running": 1, "hackathons_finished": 1}


def test_hackathon_list_is_drawn_once_for_every_member_until_a_hackathon_changes(client, monkeypatch):
    drawn = count_drawings(monkeypatch)
    hackathon = hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule())
    draft = hackathon_factory(title="Borrador secreto")
    client.force_login(draft.organisers.get())
    assert "Borrador secreto" in client.get(reverse("hackathons:list")).content.decode()
    for _member in range(2):
        client.force_login(UserFactory())
        html = client.get(reverse("hackathons:list")).content.decode()
        assert hackathon.title in html and "Borrador secreto" not in html  # the organiser's list is theirs
    assert drawn["hackathon-list"] == 2  # the organiser's, then one for both members
    lifecycle.hackathon_update(actor=hackathon.organisers.get(), hackathon=hackathon, title="Título nuevo")
    assert "Título nuevo" in client.get(reverse("hackathons:list")).content.decode()
    assert drawn["hackathon-list"] == 3


def test_hackathon_page_is_drawn_once_for_every_member_until_the_hackathon_changes(client, monkeypatch):
    drawn = count_drawings(monkeypatch)
    hackathon = hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule(), prizes="Un premio")
    url = reverse("hackathons:detail", args=[hackathon.slug])
    participant = participant_factory(hackathon)
    pages = []
    for member in (participant, UserFactory()):
        client.force_login(member)
        pages.append(client.get(url).content.decode())
    assert drawn == {"hackathon-about": 1, "hackathon-schedule": 1}
    assert all("Un premio" in html and "Open track" in html and "data-add-to-calendar" in html for html in pages)
    register = reverse("hackathons:register", args=[hackathon.slug])
    assert register not in pages[0] and register in pages[1]  # the member's part stays theirs
    lifecycle.hackathon_update(actor=hackathon.organisers.get(), hackathon=hackathon, prizes="Dos premios")
    assert "Dos premios" in client.get(url).content.decode()
    assert drawn == {"hackathon-about": 2, "hackathon-schedule": 2}


def test_a_hackathons_page_for_a_member_reads_the_same_whatever_its_size(client, django_assert_num_queries, monkeypatch):
    """The viewer's roles come with the hackathon; tracks and organisers (by their public
    names) only when the shared fragments are drawn again."""
    hackathon = hackathon_factory(state=State.REGISTRATION_OPEN, tracks=("Salud",))
    url = reverse("hackathons:detail", args=[hackathon.slug])
    member = participant_factory(hackathon)
    client.force_login(member)
    drawn = count_drawings(monkeypatch)

    # Drawn: the session with its member, the hackathon with the viewer's roles, their
    # registration with their team's name, the confirmed participants, the generations, the
    # chat room with their unread count; then the fragments: tracks, organisers.
    with django_assert_num_queries(8):
        small = client.get(url)
    with django_assert_num_queries(6):  # shared: nothing of the fragments is read
        client.get(url)
    for name in ("Educación", "Clima"):
        hackathon.tracks.create(name=name, position=hackathon.tracks.count())
    first = hackathon.organisers.get()
    for _ in range(3):
        lifecycle.hackathon_organiser_add(actor=first, hackathon=hackathon, handle=organiser_factory().username)
        participant_factory(hackathon)
    with django_assert_num_queries(8):
        large = client.get(url)

    assert drawn["hackathon-about"] == 2 and drawn["hackathon-schedule"] == 2
    assert small.content.count(b"<li><strong>") == 1 and large.content.count(b"<li><strong>") == 3
    organisers = [person.public_name for person in hackathon.organisers.all()]
    assert len(organisers) == 4 and all(name.encode() in large.content for name in organisers)

    # A member of a team (with a mate) reads the same (the team is news to the fragments):
    # the page shows the team's name, nothing more of it.
    team, (in_a_team, _mate) = team_factory(hackathon)
    client.force_login(in_a_team)
    with django_assert_num_queries(8):
        teamed = client.get(url)
    assert f"<strong>{team.name}</strong>" in teamed.content.decode()
