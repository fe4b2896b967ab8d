"""The collaborator field never tells whether an e-mail address has an account."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from rest_framework.test import APIClient

from apps.compute.models import PendingCollaborator, RequestMember
from apps.compute.services.requests import pending_collaborators_link
from tests.accounts.factories import UserFactory
from tests.compute.factories import make_call

pytestmark = pytest.mark.django_db

FIELDS = {
    "title": "Galician TTS", "abstract": "a", "justification": "j", "requested_units": "50",
    "desired_start": "2027-02-01", "duration_days": 30, "applicant_affiliation": "UVigo",
}


def create_with(applicant, email):
    client = APIClient()
    client.force_authenticate(applicant)
    return client.post("/api/compute/requests/", {
        **FIELDS, "call": make_call().slug, "collaborators": [{"email": email, "affiliation": "CiTIUS"}],
    }, format="json")


def shape(response):
    body = response.json()
    return response.status_code, sorted(body), [sorted(c) for c in body["collaborators"]]


def test_api_answers_the_same_for_addresses_with_and_without_an_account():
    applicant = UserFactory()
    registered = UserFactory()
    with_account = create_with(applicant, registered.email)
    without_account = create_with(applicant, "nobody-here@example.org")
    assert shape(with_account) == shape(without_account)
    assert with_account.status_code == 201
    assert with_account.json()["collaborators"] == [{"email": registered.email.lower(), "affiliation": "CiTIUS"}]
    assert without_account.json()["collaborators"] == [{"email": "nobody-here@example.org", "affiliation": "CiTIUS"}]
    assert registered.first_name not in str(with_account.json()["collaborators"])


def test_form_answers_the_same_for_addresses_with_and_without_an_account():
    applicant, registered = UserFactory(), UserFactory()
    client = Client()
    client.force_login(applicant)
    pages = []
    for email in (registered.email, "nadie@example.org"):
        call = make_call()
        response = client.post(f"/compute/calls/{call.slug}/apply/", {
            **FIELDS, "collaborators": f"{email}, CiTIUS", "outputs": "",
        }, follow=True)
        assert response.status_code == 200
        pages.append(response.content.decode())
    assert registered.get_full_name() not in pages[0]
    assert registered.email.lower() in pages[0] and "nadie@example.org" in pages[1]


def test_the_person_joins_when_they_verify_that_address():
    applicant = UserFactory()
    create_with(applicant, "Later@Example.org")
    assert PendingCollaborator.objects.filter(email="later@example.org").exists()
    newcomer = UserFactory(email="later@example.org", verified=False)
    pending_collaborators_link(user=newcomer, email=EmailAddress.objects.get(user=newcomer).email)
    assert RequestMember.objects.filter(user=newcomer).exists()
    assert not PendingCollaborator.objects.exists()


def test_an_unverified_account_is_not_linked_by_listing_its_address():
    applicant = UserFactory()
    squatter = UserFactory(email="someone-else@example.org", verified=False)
    create_with(applicant, "someone-else@example.org")
    assert not RequestMember.objects.filter(user=squatter).exists()
    assert PendingCollaborator.objects.filter(email="someone-else@example.org").exists()
