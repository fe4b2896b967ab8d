"""Steps a newcomer met that blocked them: editing dates, attaching the PDF, operators' pages, tabs."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.compute.models import AllocationRequest, RequestAttachment
from apps.compute.services import decisions
from tests.accounts.factories import UserFactory
from tests.compute.factories import (
    approved_request,
    assigned,
    make_call,
    make_operator,
    make_request,
    manager_of,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form_values(html: str) -> dict:
    """What a browser would send back: every input's value and every textarea's text."""
    values = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        values[name] = value
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\s*(.*?)</textarea>', html, re.S):
        values[name] = text
    values.pop("csrfmiddlewaretoken", None)
    return values


def test_the_edit_page_fills_the_date_so_a_browser_keeps_it_and_saving_works(client):
    allocation = make_request(call=make_call(), submit=False)
    client.force_login(allocation.applicant)
    page = client.get(f"/compute/requests/{allocation.pk}/edit/").content.decode()
    assert f'value="{allocation.desired_start.isoformat()}"' in page  # what <input type="date"> accepts
    data = form_values(page)
    data["title"] = "A clearer title"
    response = client.post(f"/compute/requests/{allocation.pk}/edit/", {**data, "save": "1"})
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.title == "A clearer title"


def apply_data(**overrides):
    data = {
        "title": "Whisper for Galician", "applicant_affiliation": "Universidade de Vigo",
        "abstract": "Speech recognition for Galician.", "justification": "4 GPUs for a month.",
        "requested_units": "200", "desired_start": "2027-01-10", "duration_days": "60",
        "data_management": "Open weights.", "collaborators": "", "outputs": "",
    }
    data.update(overrides)
    return data


def test_the_pdf_goes_with_the_request_when_submitting_straight_from_the_apply_form(client, settings, tmp_path):
    settings.COMPUTE_PRIVATE_ROOT = str(tmp_path)
    call = make_call()
    client.force_login(UserFactory())
    page = client.get(f"/compute/calls/{call.slug}/apply/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    upload = SimpleUploadedFile("annex.pdf", PDF, content_type="application/pdf")
    response = client.post(f"/compute/calls/{call.slug}/apply/", {**apply_data(), "file": upload, "submit": "1"})
    allocation = AllocationRequest.objects.get()
    assert response.status_code == 302 and allocation.status == "submitted"
    assert RequestAttachment.objects.get().request == allocation


def test_a_file_that_is_not_a_pdf_keeps_the_form_and_creates_nothing(client, settings, tmp_path):
    settings.COMPUTE_PRIVATE_ROOT = str(tmp_path)
    call = make_call()
    client.force_login(UserFactory())
    upload = SimpleUploadedFile("annex.pdf", b"<html>", content_type="application/pdf")
    response = client.post(f"/compute/calls/{call.slug}/apply/", {**apply_data(), "file": upload, "submit": "1"})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not AllocationRequest.objects.exists()


def test_operators_list_the_grants_they_report_against_and_open_their_requests(client):
    call = make_call()
    allocation, grant = approved_request(call=call)
    pending = make_request(call=call)
    operator = make_operator(call.resource)
    client.force_login(operator)
    page = client.get("/compute/grants/")
    assert page.status_code == 200
    assert f"<code>{allocation.pk}</code>" in page.content.decode()
    assert client.get(f"/compute/requests/{allocation.pk}/").status_code == 200
    assert client.get(f"/compute/requests/{pending.pk}/").status_code == 404  # nothing to report yet
    assert "/compute/grants/" in client.get("/compute/").content.decode()

    other_operator = make_operator(make_call().resource)
    client.force_login(other_operator)
    assert f"<code>{allocation.pk}</code>" not in client.get("/compute/grants/").content.decode()
    assert client.get(f"/compute/requests/{allocation.pk}/").status_code == 404

    client.force_login(UserFactory())
    assert client.get("/compute/grants/").status_code == 403


def test_grants_page_has_constant_queries(client, django_assert_num_queries):
    call = make_call()
    approved_request(call=call)
    operator = make_operator(call.resource)
    client.force_login(operator)
    client.get("/compute/grants/")
    with django_assert_num_queries(6):
        client.get("/compute/grants/")
    for _ in range(3):
        approved_request(call=call)
    with django_assert_num_queries(6):
        response = client.get("/compute/grants/")
    assert len(response.context["page"].object_list) == 4


def test_my_reviews_is_offered_only_to_reviewers(client):
    call = make_call()
    assignment = assigned(call=call, allocation=make_request(call=call))
    client.force_login(UserFactory())
    assert "/compute/reviews/" not in client.get("/compute/").content.decode()
    client.force_login(assignment.reviewer)
    assert "/compute/reviews/" in client.get("/compute/").content.decode()


def test_a_review_of_a_decided_request_is_read_only_and_says_why(client):
    call = make_call()
    allocation = make_request(call=call)
    assignment = assigned(call=call, allocation=allocation)
    client.force_login(assignment.reviewer)
    assert "review-closed" not in client.get(f"/compute/reviews/{assignment.pk}/").content.decode()
    decisions.request_approve(actor=manager_of(call), request=allocation, units=Decimal("50"), note="Fine.")
    body = client.get(f"/compute/reviews/{assignment.pk}/").content.decode()
    assert 'disabled aria-describedby="review-closed"' in body
    assert "/conflict/" not in body  # nothing to step back from any more


def test_after_saving_a_review_the_page_does_not_say_no_review_was_sent(client):
    call = make_call(score_visibility="after_own")
    allocation = make_request(call=call)
    assignment = assigned(call=call, allocation=allocation)
    client.force_login(assignment.reviewer)
    data = {f"criterion_{c.pk}": "7" for c in call.criteria.all()}
    response = client.post(f"/compute/reviews/{assignment.pk}/",
                           {**data, "recommendation": "approve", "comment": "Solid."}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "No reviews submitted yet" not in body and "Aún no" not in body
