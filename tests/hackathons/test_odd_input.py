"""Odd input in query strings and forms gets an answer, never a 500 (PostgreSQL refuses NUL
characters in text, and an id that is not a number must not reach the database)."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.hackathons.factories import organiser_factory

pytestmark = pytest.mark.django_db

URLS = [
    "/hackathons/?q=%00", "/hackathons/?language=%00&q=a%00b", "/talent/?skill=%00", "/talent/?language=%00",
    "/talent/?q=%00", "/talent/?q=%C2%BF%3F", "/talent/?q=%2B%2B&sort=relevance", "/api/profiles/?q=--",
    "/talent/export.csv?skill=%00&q=%21",
]
# The API validates its query parameters: a NUL character is a 400 naming the parameter.
API_URLS = {
    "/api/hackathons/?q=%00": "q", "/api/hackathons/?language=e%00": "language", "/api/profiles/?skill=%00": "skill.0",
    "/api/profiles/?language=a%00b": "language.0", "/api/profiles/?q=%00": "q",
}


@pytest.mark.parametrize("url", URLS)
def test_nul_characters_and_wordless_searches_are_answered(url):
    client = Client()
    client.force_login(organiser_factory())  # organisers also reach the CSV export
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", API_URLS)
def test_nul_characters_in_api_filters_are_a_400_naming_the_parameter(url):
    response = Client().get(url)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [API_URLS[url]]


def test_a_page_size_that_is_not_a_whole_number_up_to_100_is_a_400_naming_it(world):
    client = APIClient()
    client.force_authenticate(world["organiser"])
    url = f"/api/hackathons/{world['hackathon'].slug}/looking-for-team/"
    for size in ("abc", "0", "-3", "101", "99999999999", "²"):
        response = client.get(url, {"page_size": size})
        assert response.status_code == 400, size
        assert list(response.json()["errors"]) == ["page_size"]
    assert client.get(url, {"page_size": "1"}).status_code == 200


def test_posted_ids_that_are_not_numbers_are_404(client, world):
    client.force_login(world["organiser"])
    for name, field in (("registration-approve", "registration"), ("registration-check-in", "registration"),
                        ("track-remove", "track"), ("criterion-remove", "criterion"), ("judge-remove", "judge"),
                        ("organiser-remove", "user")):
        action = reverse(f"hackathons:{name}", args=[world["hackathon"].slug])
        for value in ("abc", "", "1e3", "٣"):
            assert client.post(action, {field: value}).status_code == 404


def test_out_of_range_numbers_and_malformed_bodies_are_400s(world):
    from tests.hackathons.factories import future_schedule, hackathon_factory

    organiser = world["organiser"]
    draft = hackathon_factory(organiser=organiser)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(organiser)
    draft_url = f"/api/hackathons/{draft.slug}/"
    cases = [
        ("post", draft_url + "criteria/", {"name": "x", "weight": 99999999}, "weight"),
        ("post", draft_url + "criteria/", {"name": "y", "max_score": 40000}, "max_score"),
        ("patch", draft_url, {"capacity": 10**12}, "capacity"),
        ("patch", draft_url, {"max_team_size": 40000}, "max_team_size"),
        ("patch", draft_url, {"min_team_size": 40000, "max_team_size": 40001}, "min_team_size"),
        ("post", f"/api/hackathons/{world['hackathon'].slug}/submissions/{world['submission'].id}/scores/", ["x"], None),
    ]
    for method, url, body, field in cases:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 400, (url, body, response.status_code)
        assert field is None or field in response.json()["errors"]
    schedule = {k: v.isoformat() for k, v in future_schedule().items()}
    response = client.post("/api/hackathons/", {"title": "T", "summary": "S", **schedule, "tracks": ["a", " a "]}, format="json")
    assert response.status_code == 201 and [t["name"] for t in response.json()["tracks"]] == ["a"]


def test_the_create_page_refuses_an_overlong_track_name_next_to_the_field():
    from tests.hackathons.factories import future_schedule

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(organiser_factory())
    data = {"title": "T", "summary": "S", "languages": "es", "format": "online", "timezone": "Europe/Madrid",
            "join_policy": "open", "min_team_size": 1, "max_team_size": 4, "tracks": "x" * 130,
            **{k: v.strftime("%Y-%m-%dT%H:%M") for k, v in future_schedule().items()}}
    response = client.post(reverse("hackathons:create"), data)
    assert response.status_code == 200 and "tracks" in response.context["form"].errors


def test_invalid_or_overlong_invite_addresses_are_field_errors(client):
    from apps.hackathons.models import Hackathon, RegistrationInvite
    from tests.hackathons.factories import hackathon_factory

    hackathon = hackathon_factory(join_policy=Hackathon.JoinPolicy.INVITE)
    client.force_login(hackathon.organisers.get())
    action = reverse("hackathons:invites-add", args=[hackathon.slug])
    response = client.post(action, {"emails": "ana@uni.es\nx" * 1 + "@" + "a" * 300 + ".es\nnot-an-email@"})
    assert response.status_code == 400 and "emails" in response.context["invites_form"].errors
    assert not RegistrationInvite.objects.exists()
    assert client.post(action, {"emails": "Ana@Uni.es\nluis@lab.org"}).status_code == 302
    assert set(RegistrationInvite.objects.values_list("email", flat=True)) == {"ana@uni.es", "luis@lab.org"}


def test_team_pages_show_talent_profile_handles(client):
    from tests.hackathons.factories import hackathon_factory, running_schedule, team_factory
    from tests.profiles.factories import make_profile

    hackathon = hackathon_factory(state="in_progress", schedule=running_schedule())
    team, (captain, mate) = team_factory(hackathon)
    make_profile(user=mate, handle="la-companera")
    client.force_login(captain)
    page = client.get(reverse("hackathons:team", args=[hackathon.slug])).content.decode()
    assert "@la-companera" in page and f"@{captain.username}" in page  # no profile: the username
