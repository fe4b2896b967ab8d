"""Odd input never fails with a server error: it is refused with a 400 or a 404."""

from datetime import date, timedelta

import pytest
from rest_framework.test import APIClient

from apps.compute.services import decisions, requests
from apps.core.errors import InvalidInput
from tests.accounts.factories import UserFactory
from tests.compute.factories import approved_request, assigned, make_call, make_operator, make_request

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("duration", [0, -1, 10**6, 2**31, 3_000_000])
def test_request_durations_beyond_ten_years_are_field_errors(duration):
    call = make_call()
    applicant = UserFactory()
    response = api(applicant).post("/api/compute/requests/", {
        "call": call.slug, "title": "T", "abstract": "A", "justification": "J", "requested_units": "10",
        "desired_start": "2026-12-01", "duration_days": duration, "applicant_affiliation": "UGR",
    }, format="json")
    assert response.status_code == 400 and "duration_days" in response.json()["errors"], response.content
    with pytest.raises(InvalidInput):
        make_request(call=call, duration_days=duration)


def test_a_start_more_than_three_years_away_is_a_field_error():
    with pytest.raises(InvalidInput) as error:
        make_request(call=make_call(), desired_start=date.today() + timedelta(days=5 * 365))
    assert list(error.value.errors) == ["desired_start"]


def test_approving_a_far_future_start_is_a_field_error_not_a_crash():
    call = make_call()
    allocation = make_request(call=call)
    type(allocation).objects.filter(pk=allocation.pk).update(desired_start=date(9999, 12, 1))
    allocation.refresh_from_db()
    with pytest.raises(InvalidInput):
        decisions.request_approve(actor=call.managers.first(), request=allocation, units=allocation.requested_units)


@pytest.mark.parametrize("path", [
    "/compute/requests/99999999999999999999/", "/api/compute/requests/99999999999999999999/",
    "/compute/reviews/99999999999999999999/", "/api/compute/reviews/99999999999999999999/",
])
def test_huge_ids_are_not_found(client, path):
    user = UserFactory()
    client.force_login(user)
    assert client.get(path).status_code == 404


def test_usage_api_refuses_odd_values_with_field_errors():
    call = make_call()
    funded, grant = approved_request(call=call)
    operator = make_operator(call.resource)
    start = grant.start_date
    for body, field in [
        ({"request_id": 10**20}, "request_id"), ({"units": "1e20"}, "units"), ({"units": "-1"}, "units"),
        ({"units": "abc"}, "units"), ({"period_start": "2026-02-30"}, "period_start"),
        ({"period_end": str(start - timedelta(days=1))}, "period_end"), ({"units": "NaN"}, "units"),
    ]:
        data = {"request_id": funded.pk, "period_start": str(start), "period_end": str(start), "units": "1",
                **body}
        response = api(operator).post("/api/compute/usage/", data, format="json")
        assert response.status_code in (400, 404), (body, response.status_code)
        if response.status_code == 400:
            assert field in response.json()["errors"], (body, response.json())


def test_drafts_stay_private_to_the_applicant_side_until_submitted(client):
    call = make_call()
    collaborator = UserFactory()
    draft = make_request(call=call, submit=False, collaborators=[requests.Collaborator(collaborator, "UGR")])
    withdrawn = make_request(call=call, submit=False)
    requests.request_withdraw(actor=withdrawn.applicant, request=withdrawn)
    submitted = make_request(call=call)
    for person in (call.managers.first(), UserFactory(is_staff=True)):
        client.force_login(person)
        for hidden in (draft, withdrawn):
            assert client.get(f"/compute/requests/{hidden.pk}/").status_code == 404
            assert api(person).get(f"/api/compute/requests/{hidden.pk}/").status_code == 404
        assert client.get(f"/compute/requests/{submitted.pk}/").status_code == 200
        listed = {r["id"] for r in api(person).get("/api/compute/requests/").json()["results"]}
        assert submitted.pk in listed and draft.pk not in listed and withdrawn.pk not in listed
    for person in (draft.applicant, collaborator):
        client.force_login(person)
        assert client.get(f"/compute/requests/{draft.pk}/").status_code == 200


ODD_VALUES = ["", -1, 1e30, "abc", "ñ" * 300, "a\x00b", 99999999999999999999, "0.001", "NaN", None, [], {}, True]


def test_every_write_endpoint_answers_odd_values_with_a_client_error():
    """Each field of each write endpoint, one odd value at a time: never a 500."""
    call = make_call()
    allocation = make_request(call=call)
    assignment = assigned(call=call, allocation=allocation)
    funded, _grant = approved_request(call=call)
    manager, operator, admin = call.managers.first(), make_operator(call.resource), UserFactory(is_staff=True)
    endpoints = [
        (manager, "post", f"/api/compute/requests/{allocation.pk}/decision/", ["action", "units", "note"]),
        (manager, "post", f"/api/compute/requests/{allocation.pk}/assignments/", ["reviewer_id"]),
        (assignment.reviewer, "post", f"/api/compute/reviews/{assignment.pk}/", ["scores", "recommendation"]),
        (funded.applicant, "post", f"/api/compute/requests/{funded.pk}/change-requests/",
         ["extra_units", "new_end_date", "reason"]),
        (allocation.applicant, "patch", f"/api/compute/requests/{allocation.pk}/",
         ["title", "requested_units", "desired_start", "duration_days", "collaborators", "outputs"]),
        (operator, "post", "/api/compute/usage/", ["request_id", "period_start", "units"]),
        (operator, "post", "/api/compute/usage/import/", ["content"]),
        (manager, "post", f"/api/compute/calls/{call.slug}/assignments/csv/", ["content"]),
        (admin, "patch", f"/api/compute/calls/{call.slug}/",
         ["resource", "title", "budget", "per_request_max", "opens_at", "criteria", "managers", "reviewer_ids",
          "blind_review", "score_visibility"]),
    ]
    failures = []
    for person, method, url, fields in endpoints:
        client = api(person)
        for field in fields:
            for value in ODD_VALUES:
                status = getattr(client, method)(url, {field: value}, format="json").status_code
                if status >= 500:
                    failures.append((url, field, value, status))
    assert failures == []


def test_attachment_with_a_long_non_ascii_name_is_stored(client, settings, tmp_path):
    """300 bytes of UTF-8 in 100 characters: past the file system's 255-byte limit on names."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.compute.models import RequestAttachment

    settings.COMPUTE_PRIVATE_ROOT = str(tmp_path)
    allocation = make_request(call=make_call(), submit=False)
    client.force_login(allocation.applicant)
    name = "Ñandú-informe-técnico-" + "á" * 130 + ".pdf"
    assert len(name.encode()) > 255
    response = client.post(f"/compute/requests/{allocation.pk}/attachments/",
                           {"file": SimpleUploadedFile(name, b"%PDF-1.4\n%fake\n", content_type="application/pdf")})
    assert response.status_code in (200, 302)
    attachment = RequestAttachment.objects.get()
    assert attachment.name.startswith("Ñandú-informe-técnico-")
    assert len(attachment.file.name.rsplit("/", 1)[-1].encode()) < 100
    download = client.get(f"/compute/requests/{allocation.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200


def test_edit_and_submit_after_the_call_closed_keeps_nothing(client):
    from apps.compute.models import AllocationRequest, Call

    call = make_call()
    allocation = make_request(call=call, submit=False)
    Call.objects.filter(pk=call.pk).update(closes_at=call.opens_at + timedelta(seconds=1))
    client.force_login(allocation.applicant)
    page = client.get(f"/compute/requests/{allocation.pk}/edit/")
    form = page.context["form"]
    data = {name: form.initial.get(name, "") or "" for name in form.fields}
    data.update(title="Edited after closing", requested_units="100", duration_days="90",
                desired_start=allocation.desired_start.isoformat(), submit="1")
    response = client.post(f"/compute/requests/{allocation.pk}/edit/", data)
    assert response.status_code in (200, 302, 409)
    allocation = AllocationRequest.objects.get(pk=allocation.pk)
    assert allocation.title != "Edited after closing"
    assert allocation.status == AllocationRequest.Status.DRAFT
