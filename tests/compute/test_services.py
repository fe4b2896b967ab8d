"""Services of compute requests that save several things at once: all of them or none."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.compute.models import AllocationRequest
from apps.compute.services import requests
from apps.core.errors import InvalidInput
from tests.compute.factories import make_call, make_request

pytestmark = pytest.mark.django_db


def request_fields(call, applicant, **overrides) -> dict:
    """The fields of a new request, read from one the factory made (and then deleted)."""
    model = make_request(call=call, applicant=applicant, submit=False)
    fields = {name: getattr(model, name) for name in (
        "title", "abstract", "justification", "requested_units", "desired_start", "duration_days",
        "applicant_affiliation",
    )}
    model.delete()
    return {**fields, "applicant": applicant, "call": call, **overrides}


def test_a_draft_whose_attachment_is_refused_is_not_created():
    call = make_call()
    applicant = make_request(call=call, submit=False).applicant
    not_a_pdf = SimpleUploadedFile("plan.pdf", b"MZ not a pdf", content_type="application/pdf")
    fields = request_fields(call, applicant, title="Con anexo")
    with pytest.raises(InvalidInput) as refused:
        requests.request_create(**fields, uploaded_file=not_a_pdf)
    assert list(refused.value.errors) == ["file"]
    assert not AllocationRequest.objects.filter(title="Con anexo").exists()


def test_create_and_submit_sends_the_request_with_its_attachment():
    call = make_call()
    applicant = make_request(call=call, submit=False).applicant
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    allocation = requests.request_create_and_submit(**request_fields(call, applicant, title="Enviada"), uploaded_file=pdf)
    allocation.refresh_from_db()
    assert allocation.status == AllocationRequest.Status.SUBMITTED
    assert allocation.attachments.count() == 1

