"""Odd input in query strings and forms gets an answer, never a 500 (PostgreSQL refuses NUL
characters in text, and an id that is not a number must not reach the database)."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.hackathons.factories import organiser_factory

pytestmark = pytest.mark.django_db

URLS = [
    "/hackathons/?q=%00", "/hackathons/?language=%00&q=a%00b", "/api/hackathons/?q=%00",
    "/api/hackathons/?language=e%00", "/talent/?skill=%00", "/talent/?language=%00", "/talent/?q=%00",
    "/talent/?q=%C2%BF%3F", "/talent/?q=%2B%2B&sort=relevance", "/api/profiles/?skill=%00",
    "/api/profiles/?language=a%00b", "/api/profiles/?q=%00", "/api/profiles/?q=--", "/talent/export.csv?skill=%00&q=%21",
]


@pytest.mark.parametrize("url", URLS)
def test_nul_characters_and_wordless_searches_are_answered(url):
    client = Client()
    client.force_login(organiser_factory())  # organisers also reach the CSV export
    assert client.get(url).status_code == 200


def test_a_page_size_that_is_not_a_number_falls_back_to_the_default(world):
    client = APIClient()
    client.force_authenticate(world["organiser"])
    url = f"/api/hackathons/{world['hackathon'].slug}/looking-for-team/"
    for size in ("abc", "0", "-3", "99999999999", "²"):
        assert client.get(url, {"page_size": size}).status_code == 200


def test_posted_ids_that_are_not_numbers_are_404(client, world):
    client.force_login(world["organiser"])
    action = reverse("hackathons:manage-action", args=[world["hackathon"].slug])
    for op, field in (("approve", "registration"), ("check_in", "registration"), ("remove_track", "track"),
                      ("remove_criterion", "criterion"), ("remove_judge", "judge"), ("remove_organiser", "user")):
        for value in ("abc", "", "1e3", "٣"):
            assert client.post(action, {"op": op, field: value}).status_code == 404
