"""Staff open and edit calls from a page and the API; managers and other members cannot."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.compute.models import Call
from apps.compute.services import decisions, review
from tests.accounts.factories import UserFactory
from tests.compute.factories import assigned, make_call, make_request, make_resource, manager_of

pytestmark = pytest.mark.django_db
FMT = "%Y-%m-%dT%H:%M"


def form_data(resource, **overrides):
    now = timezone.localtime()
    data = {
        "resource": resource.pk, "title": "Call for open Iberian LLMs", "slug": "",
        "description": "**Public** H100 hours.", "eligibility": "Researchers in Spain.",
        "budget": "5000", "per_request_max": "800",
        "opens_at": now.strftime(FMT), "closes_at": (now + timedelta(days=30)).strftime(FMT),
        "review_deadline": (now + timedelta(days=45)).strftime(FMT),
        "criteria": "Scientific merit, 3\nFeasibility, 2\nOpenness, 1",
        "managers": "", "reviewers": "", "blind_review": "on", "score_visibility": "never",
    }
    data.update(overrides)
    return data


def staff():
    return UserFactory(is_staff=True)


def test_staff_create_a_call_from_the_page_with_people_by_email_or_username(client):
    resource = make_resource()
    manager, reviewer = UserFactory(), UserFactory()
    client.force_login(staff())
    assert "/compute/calls/new/" in client.get("/compute/").content.decode()  # linked from the list
    response = client.post("/compute/calls/new/", form_data(
        resource, managers=manager.email.upper(), reviewers=f"{reviewer.username}\n{manager.email}"))
    call = Call.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/compute/calls/{call.slug}/"
    assert call.slug == "call-for-open-iberian-llms" and call.blind_review and call.score_visibility == "never"
    assert call.budget == Decimal("5000") and call.per_request_max == Decimal("800")
    assert [(c.name, c.weight) for c in call.criteria.all()] == [
        ("Scientific merit", 3), ("Feasibility", 2), ("Openness", 1)]
    assert list(call.managers.all()) == [manager]
    assert set(call.reviewers.all()) == {reviewer, manager}


@pytest.mark.parametrize("overrides, field", [
    ({"budget": "-5"}, "budget"),
    ({"budget": "abc"}, "budget"),
    ({"budget": "1" * 20}, "budget"),
    ({"per_request_max": "6000"}, "per_request_max"),
    ({"criteria": "Merit"}, "criteria"),
    ({"criteria": "Merit, 0"}, "criteria"),
    ({"criteria": "Merit, 2\nmerit, 1"}, "criteria"),
    ({"criteria": ""}, "criteria"),
    ({"managers": "nobody@example.org"}, "managers"),
    ({"reviewers": "ñandú"}, "reviewers"),
    ({"closes_at": "2020-01-01T00:00"}, "closes_at"),
    ({"review_deadline": "2020-01-01T00:00"}, "review_deadline"),
    ({"score_visibility": "sometimes"}, "score_visibility"),
    ({"title": ""}, "title"),
])
def test_the_call_form_shows_errors_next_to_fields_instead_of_failing(client, overrides, field):
    resource = make_resource()
    client.force_login(staff())
    response = client.post("/compute/calls/new/", form_data(resource, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not Call.objects.exists()


def test_a_taken_address_is_a_field_error(client):
    existing = make_call()
    client.force_login(staff())
    response = client.post("/compute/calls/new/", form_data(existing.resource, slug=existing.slug))
    assert response.status_code == 200 and response.context["form"].errors["slug"]


def test_staff_edit_a_call_and_the_form_starts_from_its_values(client):
    call = make_call()
    new_reviewer = UserFactory()
    client.force_login(staff())
    page = client.get(f"/compute/calls/{call.slug}/edit/")
    assert page.status_code == 200 and "Scientific merit, 3" in page.content.decode()
    assert "slug" not in page.context["form"].fields
    initial = page.context["form"].initial
    data = form_data(call.resource, title="Renamed call", budget="2000", criteria="Merit, 5",
                     managers=initial["managers"], reviewers=initial["reviewers"] + "\n" + new_reviewer.email,
                     blind_review="", score_visibility="always")
    response = client.post(f"/compute/calls/{call.slug}/edit/", data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.title == "Renamed call" and call.budget == Decimal("2000") and not call.blind_review
    assert [(c.name, c.weight) for c in call.criteria.all()] == [("Merit", 5)]
    assert new_reviewer in call.reviewers.all() and call.reviewers.count() == 3


def test_what_reviews_rely_on_cannot_change_under_them(client):
    call = make_call(budget="1000", per_request_max="500")
    allocation = make_request(call=call, units="400")
    assignment = assigned(call=call, allocation=allocation)
    criteria = list(call.criteria.all())
    review.review_submit(actor=assignment.reviewer, assignment=assignment, scores={c.pk: 7 for c in criteria},
                         recommendation="approve")
    decisions.request_approve(actor=manager_of(call), request=allocation, units=Decimal("400"))
    client.force_login(staff())
    initial = client.get(f"/compute/calls/{call.slug}/edit/").context["form"].initial
    base = {k: initial[k] for k in ("managers", "reviewers", "criteria")}
    cases = [
        ({"budget": "300", "per_request_max": "300"}, "budget"),      # below the 400 already granted
        ({"criteria": "Merit, 1"}, "criteria"),                       # scores exist
        ({"blind_review": "on"}, "blind_review"),                     # reviewers assigned
        ({"reviewers": ""}, "reviewers"),                             # the assigned reviewer would vanish
        ({"resource": make_resource().pk}, "resource"),               # requests are sized in its unit
    ]
    for overrides, field in cases:
        data = {**form_data(call.resource, **base, blind_review="", score_visibility="after_own"), **overrides}
        response = client.post(f"/compute/calls/{call.slug}/edit/", data)
        assert response.status_code == 200 and response.context["form"].errors.get(field), (field, overrides)
    call.refresh_from_db()
    assert call.budget == Decimal("1000") and call.criteria.count() == 3


def test_managers_and_other_members_cannot_open_or_edit_calls(client):
    call = make_call()
    for person in (manager_of(call), call.reviewers.first(), UserFactory()):
        client.force_login(person)
        assert "/compute/calls/new/" not in client.get("/compute/").content.decode()
        assert client.get("/compute/calls/new/").status_code == 403
        assert client.post("/compute/calls/new/", form_data(call.resource)).status_code == 403
        assert client.get(f"/compute/calls/{call.slug}/edit/").status_code == 403
        assert client.post(f"/compute/calls/{call.slug}/edit/", form_data(call.resource)).status_code == 403
    client.logout()
    assert client.get("/compute/calls/new/").status_code == 302  # log in first
    assert Call.objects.count() == 1 and Call.objects.get().title == call.title


def api(user=None):
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


def api_body(resource, **overrides):
    now = timezone.now()
    body = {
        "resource": resource.slug, "title": "API call", "budget": "100", "per_request_max": "50",
        "opens_at": now.isoformat(), "closes_at": (now + timedelta(days=3)).isoformat(),
        "review_deadline": (now + timedelta(days=9)).isoformat(),
        "criteria": [{"name": "Merit", "weight": 2}],
    }
    body.update(overrides)
    return body


def test_the_api_creates_and_edits_calls_for_staff_only():
    resource = make_resource()
    admin, manager, reviewer = staff(), UserFactory(), UserFactory()
    created = api(admin).post("/api/compute/calls/", api_body(
        resource, managers=[manager.email], reviewer_ids=[reviewer.pk]), format="json")
    assert created.status_code == 201, created.json()
    slug = created.json()["slug"]
    assert slug == "api-call"
    call = Call.objects.get(slug=slug)
    assert list(call.managers.all()) == [manager] and list(call.reviewers.all()) == [reviewer]
    for person in (None, manager, reviewer, UserFactory()):
        assert api(person).patch(f"/api/compute/calls/{slug}/", {"title": "x"}, format="json").status_code in (
            401, 403)
        assert api(person).post("/api/compute/calls/", api_body(resource, title="Other"),
                                format="json").status_code in (401, 403)
    edited = api(admin).patch(f"/api/compute/calls/{slug}/", {
        "budget": "80", "reviewers": [reviewer.username, manager.email],
        "criteria": [{"name": "Merit", "weight": 1}, {"name": "Openness", "weight": 3}]}, format="json")
    assert edited.status_code == 200, edited.json()
    assert edited.json()["budget"] == "80.00" and [c["name"] for c in edited.json()["criteria"]] == [
        "Merit", "Openness"]
    assert set(Call.objects.get(slug=slug).reviewers.all()) == {reviewer, manager}
    for body, field in [({"budget": "10"}, "per_request_max"), ({"budget": "-1"}, "budget"),
                        ({"budget": "9" * 30}, "budget"), ({"managers": ["ghost"]}, "managers"),
                        ({"criteria": []}, "criteria"), ({"slug": "new-address"}, None),
                        ({"manager_ids": [10**9]}, "manager_ids")]:
        response = api(admin).patch(f"/api/compute/calls/{slug}/", body, format="json")
        if field is None:
            assert response.status_code == 200 and Call.objects.filter(slug=slug).exists()
        else:
            assert response.status_code == 400 and field in response.json()["errors"], (body, response.json())
