"""Account deletion and the data export cover compute: drafts, requests in review, files, places."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.accounts import services as accounts
from apps.compute.models import AllocationRequest, RequestAttachment, RequestMember, ReviewerProfile
from apps.compute.services import requests, review
from tests.accounts.factories import PASSWORD, UserFactory, api_token_key
from tests.compute.factories import make_call, make_request

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n%test\n"


def test_deleting_an_account_removes_drafts_files_and_places_and_anonymises_submissions():
    from pathlib import Path

    call = make_call()
    applicant, other = UserFactory(), UserFactory()
    draft = make_request(call=call, applicant=applicant, submit=False)
    submitted = make_request(call=call, applicant=applicant, submit=False)
    requests.attachment_add(actor=applicant, request=submitted, uploaded_file=SimpleUploadedFile("cv.pdf", PDF))
    requests.request_submit(actor=applicant, request=submitted)
    theirs = make_request(call=call, applicant=other, collaborators=[requests.Collaborator(applicant, "UGR")])
    review.reviewer_profile_set(user=applicant, affiliation="UGR")
    stored = [Path(a.file.path) for a in RequestAttachment.objects.filter(request__applicant=applicant)]
    assert stored and all(path.exists() for path in stored)

    accounts.account_delete(user=applicant, password=PASSWORD)

    assert not AllocationRequest.objects.filter(pk=draft.pk).exists()
    submitted.refresh_from_db()
    assert submitted.status == AllocationRequest.Status.WITHDRAWN
    assert submitted.justification == "" and submitted.title
    assert not RequestAttachment.objects.filter(request=submitted).exists()
    assert not any(path.exists() for path in stored)
    assert not RequestMember.objects.filter(request=theirs, user=applicant).exists()
    assert not ReviewerProfile.objects.filter(user=applicant).exists()


def test_deleting_an_account_ends_sessions_and_tokens():
    user = UserFactory()
    key = api_token_key(user)
    other_device = Client()
    other_device.force_login(user)
    browser = Client()
    browser.force_login(user)
    browser.post("/talent/me/account/", {"password": PASSWORD})
    assert other_device.get("/api/me/").status_code == 403
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/me/").status_code == 401


def test_export_includes_compute():
    call = make_call()
    applicant = UserFactory()
    make_request(call=call, applicant=applicant, submit=False, title="My draft on Basque ASR")
    data = accounts.personal_data_export(user=applicant)
    assert [r["title"] for r in data["compute"]["requests"]] == ["My draft on Basque ASR"]
