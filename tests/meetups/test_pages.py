"""Pages for every role, the refusals users see, and query counts at two sizes."""

import pytest
from django.test import Client
from django.utils import timezone

from apps.meetups import services
from apps.meetups.models import Event, Rsvp, Talk
from tests.accounts.factories import UserFactory
from tests.fragments import count_drawings
from tests.query_counts import count_queries
from tests.meetups.factories import chapter_factory, event_factory

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "other", "chapter_member", "attendee", "organiser"]


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


# page (relative to the event or chapter) -> status for ROLES; 302 = sent to log in
EVENT_PAGES = {
    "": (200, 200, 200, 200, 200),
    "calendar.ics": (200, 200, 200, 200, 200),
    "ticket.svg": (302, 404, 404, 200, 404),
    "dashboard/": (302, 403, 403, 403, 200),
    "check-in/": (302, 403, 403, 403, 200),
    "attendees.csv": (302, 403, 403, 403, 200),
    "edit/": (302, 403, 403, 403, 200),
}
OTHER_PAGES = {
    "/meetups/": (200, 200, 200, 200, 200),
    "/meetups/chapters/": (200, 200, 200, 200, 200),
    "/meetups/calendar/": (302, 200, 200, 200, 200),
    "/meetups/new/": (302, 403, 403, 403, 200),
}


@pytest.mark.parametrize("page", list(EVENT_PAGES))
def test_event_pages_per_role(world, page):
    for role, expected in zip(ROLES, EVENT_PAGES[page]):
        response = client_for(world[role]).get(f"/meetups/events/{world['event'].slug}/{page}")
        assert response.status_code == expected, (page, role)


@pytest.mark.parametrize("path", list(OTHER_PAGES))
def test_section_pages_per_role(world, path):
    for role, expected in zip(ROLES, OTHER_PAGES[path]):
        assert client_for(world[role]).get(path).status_code == expected, (path, role)


def test_chapter_page_shows_proposals_to_its_organisers_only(world):
    path = f"/meetups/chapters/{world['chapter'].slug}/"
    for role in ROLES:
        html = client_for(world[role]).get(path).content.decode()
        assert ("data-proposals" in html) == (role == "organiser"), role
        assert "Propose a talk" in html


def test_hidden_address_and_link_only_for_attendees_and_organisers(world):
    for role in ROLES:
        html = client_for(world[role]).get(f"/meetups/events/{world['event'].slug}/").content.decode()
        assert ("meet.example.org" in html) == (role in ("attendee", "organiser")), role
        assert ("Calle Alameda" in html) == (role in ("attendee", "organiser")), role


def test_draft_is_hidden_from_everyone_but_its_organisers(world):
    draft = event_factory(chapter=world["chapter"], publish=False, title="Borrador")
    for role in ROLES:
        status = client_for(world[role]).get(f"/meetups/events/{draft.slug}/").status_code
        assert status == (200 if role == "organiser" else 404), role
        listed = client_for(world[role]).get("/meetups/").content.decode()
        assert ("Borrador" in listed) == (role == "organiser"), role


def test_rsvp_from_the_page_and_refusals_shown(world):
    event = world["event"]
    client = client_for(world["other"])
    response = client.post(f"/meetups/events/{event.slug}/rsvp/", follow=True)
    assert "You are going." in response.content.decode()
    services.event_transition(actor=world["organiser"], event=event, action="cancel", reason="Huelga")
    late = client_for(UserFactory())
    response = late.post(f"/meetups/events/{event.slug}/rsvp/")
    assert response.status_code == 409
    assert "This event was cancelled." in response.content.decode()


def test_required_question_error_next_to_the_field(world):
    event = event_factory(questions=[{"text": "¿Alergias?", "required": True}])
    response = client_for(UserFactory()).post(f"/meetups/events/{event.slug}/rsvp/", {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_invite_only_refusal_on_the_page(world):
    event = event_factory(join_policy="invite")
    response = client_for(UserFactory()).post(f"/meetups/events/{event.slug}/rsvp/")
    assert response.status_code == 403
    assert "This event is by invitation only." in response.content.decode()


def test_check_in_from_the_page_by_code_and_undo(world):
    organiser, rsvp = world["organiser"], world["rsvp"]
    client = client_for(organiser)
    url = f"/meetups/events/{world['event'].slug}/check-in/"
    response = client.post(url, {"code": rsvp.checkin_code}, follow=True)
    assert "is checked in" in response.content.decode()
    assert Rsvp.objects.get(pk=rsvp.pk).checked_in_at is not None
    client.post(url, {"rsvp": rsvp.pk, "undo": "1"})
    assert Rsvp.objects.get(pk=rsvp.pk).checked_in_at is None
    response = client.post(url, {"code": "NOPE"}, follow=True)
    assert "No attendee of this event has that code." in response.content.decode()


def test_csv_exports_only_attendees_who_agreed(world):
    event = world["event"]
    sharer = UserFactory(first_name="=cmd", last_name="X")
    services.rsvp_going(user=sharer, event=event, share_data=True)
    body = client_for(world["organiser"]).get(f"/meetups/events/{event.slug}/attendees.csv").content.decode()
    assert sharer.email in body and "'=cmd X" in body
    assert world["attendee"].email not in body


def test_qr_code_is_an_svg_of_the_check_in_link(world):
    response = client_for(world["attendee"]).get(f"/meetups/events/{world['event'].slug}/ticket.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<?xml") and b"<svg" in response.content


def test_organiser_creates_an_event_from_the_form(world):
    client = client_for(world["organiser"])
    data = {
        "chapter": world["chapter"].pk, "title": "Nuevo", "timezone": "Europe/Madrid",
        "starts_at": "2031-05-01T18:00", "ends_at": "2031-05-01T17:00", "venue": "Sala",
        "address_visibility": "everyone", "languages": "es", "join_policy": "open", "max_guests": 0,
        "waitlist_mode": "promote", "offer_hours": 24, "questions": "¿Empresa?\n¿Alergias?*",
    }
    response = client.post("/meetups/new/", data)
    assert response.status_code == 200
    assert "The event must end after it starts." in response.content.decode()
    data["ends_at"] = "2031-05-01T20:00"
    response = client.post("/meetups/new/", data)
    event = Event.objects.get(title="Nuevo")
    assert response.status_code == 302 and response["Location"] == f"/meetups/events/{event.slug}/dashboard/"
    assert event.state == Event.State.DRAFT and event.chapter == world["chapter"]
    assert [(q.text, q.required) for q in event.questions.all()] == [("¿Empresa?", False), ("¿Alergias?", True)]


def test_duplicate_starts_the_new_event_form_as_a_copy_a_week_later(world):
    from datetime import timedelta

    source = world["event"]
    client = client_for(world["organiser"])
    dashboard = client.get(f"/meetups/events/{source.slug}/dashboard/").content.decode()
    assert f'href="/meetups/new/?from={source.slug}" data-duplicate' in dashboard
    form = client.get(f"/meetups/new/?from={source.slug}").context["form"]
    assert form.initial["title"] == source.title and form.initial["chapter"] == source.chapter_id
    assert form.initial["starts_at"] == timezone.localtime(source.starts_at + timedelta(days=7), source.tz).replace(tzinfo=None)
    assert client_for(world["attendee"]).get(f"/meetups/new/?from={source.slug}").status_code == 403


def test_times_are_typed_in_the_events_own_time_zone(world):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    client = client_for(world["organiser"])
    client.post("/meetups/new/", {
        "title": "En Canarias", "timezone": "Atlantic/Canary", "starts_at": "2031-05-01T18:00",
        "ends_at": "2031-05-01T20:00", "online_url": "https://meet.example.org/c", "address_visibility": "everyone",
        "languages": "es", "join_policy": "open", "max_guests": 0, "waitlist_mode": "promote", "offer_hours": 24,
    })
    event = Event.objects.get(title="En Canarias")
    assert event.starts_at == datetime(2031, 5, 1, 18, 0, tzinfo=ZoneInfo("Atlantic/Canary"))
    form = client.get(f"/meetups/events/{event.slug}/edit/").content.decode()
    assert 'value="2031-05-01T18:00"' in form


def test_editing_questions_keeps_the_answers(world):
    event = world["event"]
    organiser = world["organiser"]
    services.event_update(actor=organiser, event=event, questions=[{"text": "¿Empresa?"}])
    question = event.questions.get()
    services.rsvp_going(user=UserFactory(), event=event, answers={str(question.id): "ACME"})
    services.event_update(actor=organiser, event=event, questions=[{"text": "¿Empresa u organización?"}, {"text": "¿Dieta?"}])
    assert event.questions.first().id == question.id
    assert Rsvp.objects.filter(answers__has_key=str(question.id)).count() == 1


def _grow(event, n):
    for user in UserFactory.create_batch(n):
        services.rsvp_going(user=user, event=event)


@pytest.mark.parametrize("path", ["/meetups/", "/meetups/chapters/"])
def test_list_pages_query_count_is_constant(client, django_assert_num_queries, path):
    # The list of events is a shared fragment: the fragment's generations, then count and
    # page when it is drawn; only the generations while it is shared.
    drawn, shared = (3, 1) if path == "/meetups/" else (1, 1)
    chapter = chapter_factory()
    event_factory(chapter=chapter)
    with django_assert_num_queries(drawn):
        client.get(path)
    with django_assert_num_queries(shared):
        client.get(path)
    for i in range(4):
        event_factory(chapter=chapter_factory(name=f"C{i}"))
    with django_assert_num_queries(drawn):
        assert client.get(path).status_code == 200
    with django_assert_num_queries(shared):
        assert client.get(path).status_code == 200


@pytest.mark.parametrize("page", ["dashboard/", "check-in/", "attendees.csv", ""])
def test_organiser_pages_query_count_is_constant(world, django_assert_num_queries, page):
    client = client_for(world["organiser"])
    event = world["event"]
    url = f"/meetups/events/{event.slug}/{page}"
    client.get(url)
    with django_assert_num_queries(expected := count_queries(client, url)):
        client.get(url)
    _grow(event, 5)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_event_page_query_count_does_not_grow_with_the_agenda(world, django_assert_num_queries):
    from tests.profiles.factories import make_profile

    event, organiser = world["event"], world["organiser"]
    client = client_for(world["attendee"])
    url = f"/meetups/events/{event.slug}/"

    def add_talks(n):
        for _ in range(n):
            speaker = make_profile().user
            services.talk_add(actor=organiser, event=event, title="T", speakers=[speaker, UserFactory()],
                              repositories=[{"repo_id": "org/m"}, {"kind": "dataset", "repo_id": "org/d"}])

    add_talks(1)
    expected = count_queries(client, url)
    add_talks(4)
    with django_assert_num_queries(expected):
        assert client.get(url).content.decode().count("/models/dataset/org/d/") == 5


def test_chapter_page_query_count_is_constant(world, django_assert_num_queries):
    client = client_for(world["organiser"])
    url = f"/meetups/chapters/{world['chapter'].slug}/"
    expected = count_queries(client, url)
    for _ in range(3):
        event_factory(chapter=world["chapter"])
        services.talk_propose(user=UserFactory(), chapter=world["chapter"], title="T", abstract="A")
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_organisers_add_talks_and_run_the_call_for_speakers_from_the_pages(world):
    from apps.meetups.models import CallForSpeakers

    client = client_for(world["organiser"])
    event, chapter = world["event"], world["chapter"]
    speaker = UserFactory(username="ponente")
    response = client.post(f"/meetups/events/{event.slug}/dashboard/talks/", {
        "title": "RAG local", "speakers": "ponente nadie", "duration_minutes": 20, "language": "es",
    }, follow=True)
    assert "Every speaker must be a member" in response.content.decode()
    client.post(f"/meetups/events/{event.slug}/dashboard/talks/", {
        "title": "RAG local", "speakers": "ponente", "duration_minutes": 20, "language": "es",
        "repositories": "org/modelo\ndatasets/org/datos",
    })
    talk = Talk.objects.get(title="RAG local")
    assert list(talk.speakers.all()) == [speaker]
    assert sorted(talk.repositories.values_list("kind", "repo_id")) == [("dataset", "org/datos"), ("model", "org/modelo")]
    call_url = f"/meetups/chapters/{chapter.slug}/call-for-speakers/"
    assert client_for(world["chapter_member"]).post(call_url, {"close": "1"}).status_code == 403
    client.post(call_url, {"close": "1"})
    assert not CallForSpeakers.objects.get(chapter=chapter).is_open
    client.post(call_url, {"description": "Charlas sobre agentes"})
    assert CallForSpeakers.objects.get(chapter=chapter).is_open


def test_deciding_a_talk_twice_goes_back_with_the_reason(world):
    """The second decision is refused with a message on the chapter page, not an error page;
    someone who may not decide is still refused outright."""
    chapter, talk = world["chapter"], world["talk"]
    url = f"/meetups/chapters/{chapter.slug}/talks/{talk.pk}/decision/"
    client = client_for(world["organiser"])
    empty = client.post(url, {}, follow=True)
    assert [str(m) for m in empty.context["messages"]] != []
    talk.refresh_from_db()
    assert talk.status == Talk.Status.PROPOSED
    assert client.post(url, {"accept": "1"}).status_code == 302
    again = client.post(url, {"accept": "0"}, follow=True)
    assert again.redirect_chain[-1][0] == f"/meetups/chapters/{chapter.slug}/"
    assert [str(m) for m in again.context["messages"]] != []
    talk.refresh_from_db()
    assert talk.status == Talk.Status.ACCEPTED
    assert client_for(world["other"]).post(url, {"accept": "0"}).status_code == 403


def test_a_refused_proposal_is_shown_next_to_the_form_with_its_status(world):
    """A state refusal (the call closed while the member typed) keeps the form and its text, not an error page."""
    chapter = world["chapter"]
    services.call_for_speakers_close(actor=world["organiser"], chapter=chapter)
    response = client_for(world["chapter_member"]).post(f"/meetups/chapters/{chapter.slug}/propose/", {
        "title": "Agentes", "abstract": "Sobre agentes", "language": "es", "duration_minutes": 20,
    })
    assert response.status_code == 409
    assert [t.name for t in response.templates][0] == "meetups/propose.html"
    assert response.context["form"].non_field_errors() == ["This chapter's call for speakers is not open."]
    assert "This chapter&#x27;s call for speakers is not open." in response.content.decode()
    assert not Talk.objects.filter(title="Agentes").exists()


def test_event_list_is_drawn_once_for_every_member_until_an_event_changes(client, monkeypatch):
    drawn = count_drawings(monkeypatch)
    chapter = chapter_factory()
    event = event_factory(chapter=chapter)
    event_factory(chapter=chapter, publish=False, title="Borrador secreto")
    client.force_login(chapter.organisers.get())
    assert "Borrador secreto" in client.get("/meetups/").content.decode()
    for _member in range(2):
        client.force_login(UserFactory())
        html = client.get("/meetups/").content.decode()
        assert event.title in html and "Borrador secreto" not in html  # the organiser's list is theirs
    assert drawn["event-list"] == 2  # the organiser's, then one for both members
    services.event_update(actor=chapter.organisers.get(), event=event, title="Título nuevo")
    assert "Título nuevo" in client.get("/meetups/").content.decode()
    services.rsvp_going(user=UserFactory(), event=event)  # the number going is on the list
    client.get("/meetups/")
    assert drawn["event-list"] == 4
