from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.compute.models import AllocationRequest, RequestAttachment
from apps.compute.services import decisions, requests, review, usage
from tests.accounts.factories import UserFactory
from tests.fragments import count_drawings
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


def test_calls_list_is_public_with_constant_queries(client, django_assert_num_queries):
    make_call()
    with django_assert_num_queries(2):
        small = client.get("/compute/")
    for _ in range(5):
        make_call()
    with django_assert_num_queries(2):
        large = client.get("/compute/")
    assert small.status_code == large.status_code == 200
    assert len(large.context["page"].object_list) == 6


def test_call_detail_and_apply_form(client):
    call = make_call()
    response = client.get(f"/compute/calls/{call.slug}/")
    assert response.status_code == 200 and "Scientific merit" in response.content.decode()
    assert client.get(f"/compute/calls/{call.slug}/apply/").status_code == 302  # log in first


def test_researcher_saves_a_draft_then_submits_from_the_form(client):
    call = make_call()
    member, colleague = UserFactory(), UserFactory()
    client.force_login(member)
    data = {
        "title": "Whisper for Galician", "applicant_affiliation": "Universidade de Vigo",
        "abstract": "Speech recognition for Galician.", "justification": "4 GPUs for a month.",
        "requested_units": "200", "desired_start": "2027-01-10", "duration_days": "60",
        "data_management": "Open weights.", "collaborators": f"{colleague.email}, CiTIUS",
        "outputs": "model, uvigo/whisper-gl, apache-2.0",
    }
    response = client.post(f"/compute/calls/{call.slug}/apply/", {**data, "save": "1"})
    allocation = AllocationRequest.objects.get()
    assert response.url == f"/compute/requests/{allocation.pk}/"
    assert allocation.status == "draft" and allocation.members.get().user == colleague
    assert client.post(f"/compute/requests/{allocation.pk}/edit/", {**data, "submit": "1"}).status_code == 302
    allocation.refresh_from_db()
    assert allocation.status == "submitted"


def test_form_shows_service_errors_next_to_the_field(client):
    call = make_call(per_request_max="100")
    client.force_login(UserFactory())
    response = client.post(f"/compute/calls/{call.slug}/apply/", {
        "title": "Too big", "applicant_affiliation": "UPV", "abstract": "a", "justification": "j",
        "requested_units": "101", "desired_start": "2027-01-10", "duration_days": "60",
        "outputs": "model, not a repo id, mit",
    })
    assert response.status_code == 200
    assert "requested_units" in response.context["form"].errors
    assert not AllocationRequest.objects.exists()


@pytest.mark.parametrize("role", ["applicant", "collaborator", "reviewer", "manager", "other", "anonymous"])
def test_request_page_visibility_per_role(client, role):
    call = make_call(blind_review=True)
    collaborator = UserFactory()
    allocation = make_request(call=call, collaborators=[requests.Collaborator(collaborator, "UGR")])
    assignment = assigned(call=call, allocation=allocation)
    people = {"applicant": allocation.applicant, "collaborator": collaborator, "reviewer": assignment.reviewer,
              "manager": manager_of(call), "other": UserFactory()}
    if role != "anonymous":
        client.force_login(people[role])
    response = client.get(f"/compute/requests/{allocation.pk}/")
    expected = {"anonymous": 302, "other": 404}.get(role, 200)
    assert response.status_code == expected
    if expected == 200:
        body = response.content.decode()
        assert (str(allocation.applicant) in body) is (role != "reviewer")  # blind review


def test_attachments_are_pdf_only_and_served_only_to_people_who_may_see_the_request(client, settings, tmp_path):
    settings.COMPUTE_PRIVATE_ROOT = str(tmp_path)
    call = make_call()
    allocation = make_request(call=call, submit=False)
    client.force_login(allocation.applicant)
    fake = SimpleUploadedFile("plan.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    client.post(f"/compute/requests/{allocation.pk}/attachments/", {"file": fake})
    assert not RequestAttachment.objects.exists()
    client.post(f"/compute/requests/{allocation.pk}/attachments/",
                {"file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")})
    attachment = RequestAttachment.objects.get()
    url = f"/compute/requests/{allocation.pk}/attachments/{attachment.pk}/"
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    settings.COMPUTE_ATTACHMENT_MAX_BYTES = 10
    client.force_login(allocation.applicant)
    client.post(f"/compute/requests/{allocation.pk}/attachments/",
                {"file": SimpleUploadedFile("big.pdf", PDF, content_type="application/pdf")})
    assert RequestAttachment.objects.count() == 1


def test_manager_dashboard_with_constant_queries(client, django_assert_num_queries):
    call = make_call(per_request_max="100", budget="5000")
    manager = manager_of(call)
    approved_request(call=call, units="50")
    client.force_login(manager)
    with django_assert_num_queries(12):
        small = client.get(f"/compute/calls/{call.slug}/manage/")
    for _ in range(4):
        assigned(call=call, allocation=make_request(call=call))
    approved_request(call=call, units="50")
    with django_assert_num_queries(12):
        large = client.get(f"/compute/calls/{call.slug}/manage/")
    assert small.status_code == large.status_code == 200
    assert len(large.context["page"].object_list) == 6
    assert large.context["remaining"] == Decimal("4900")


def test_manager_dashboard_is_only_for_managers(client):
    call = make_call()
    for person in (UserFactory(), call.reviewers.first()):
        client.force_login(person)
        assert client.get(f"/compute/calls/{call.slug}/manage/").status_code == 404
        assert client.get(f"/compute/calls/{call.slug}/decisions.csv").status_code == 404


def test_manager_assigns_and_decides_from_the_dashboard_and_exports_csv(client):
    call = make_call(budget="300", per_request_max="300")
    allocation = make_request(call=call, units="250", title="=HYPERLINK(evil)")
    client.force_login(manager_of(call))
    client.post(f"/compute/requests/{allocation.pk}/assign/", {"reviewer": call.reviewers.first().pk})
    assert allocation.assignments.count() == 1
    client.post(f"/compute/requests/{allocation.pk}/decide/", {"action": "approve", "units": "200", "note": "ok"})
    allocation.refresh_from_db()
    assert allocation.grant.units == Decimal("200")
    other = make_request(call=call, units="250")
    response = client.post(f"/compute/requests/{other.pk}/decide/", {"action": "approve", "units": "250"},
                           follow=True)
    assert "solo quedan 100 " in response.content.decode()
    export = client.get(f"/compute/calls/{call.slug}/decisions.csv").content.decode()
    assert "'=HYPERLINK(evil)" in export and ",200.00," in export


def test_reviewer_queue_with_constant_queries(client, django_assert_num_queries):
    call = make_call()
    reviewer = call.reviewers.first()
    assigned(call=call, allocation=make_request(call=call), reviewer=reviewer)
    client.force_login(reviewer)
    with django_assert_num_queries(5):
        client.get("/compute/reviews/")
    for _ in range(4):
        assigned(call=call, allocation=make_request(call=call), reviewer=reviewer)
    with django_assert_num_queries(5):
        response = client.get("/compute/reviews/")
    assert len(response.context["page"].object_list) == 5


def test_reviewer_scores_on_the_review_page(client):
    call = make_call(score_visibility="never")
    allocation = make_request(call=call)
    first, second = call.reviewers.all()
    a1 = assigned(call=call, allocation=allocation, reviewer=first)
    a2 = assigned(call=call, allocation=allocation, reviewer=second)
    criteria = list(call.criteria.all())
    review.review_submit(actor=second, assignment=a2, scores={c.pk: 2 for c in criteria},
                         recommendation="reject", comment="Secret opinion")
    client.force_login(first)
    page = client.get(f"/compute/reviews/{a1.pk}/")
    assert "Secret opinion" not in page.content.decode()
    data = {f"criterion_{c.pk}": 8 for c in criteria} | {"recommendation": "approve", "comment": "Solid"}
    assert client.post(f"/compute/reviews/{a1.pk}/", data).status_code == 302
    a1.refresh_from_db()
    assert a1.status == "submitted" and a1.weighted_score == Decimal("8.00")
    assert "Secret opinion" not in client.get(f"/compute/reviews/{a1.pk}/").content.decode()
    client.force_login(UserFactory())
    assert client.get(f"/compute/reviews/{a1.pk}/").status_code == 404


def test_my_requests_with_constant_queries(client, django_assert_num_queries):
    call = make_call(budget="5000")
    applicant = UserFactory()
    approved_request(call=call, applicant=applicant)
    client.force_login(applicant)
    with django_assert_num_queries(6):
        client.get("/compute/requests/")
    for _ in range(3):
        approved_request(call=call, applicant=applicant)
        make_request(call=call, applicant=applicant)
    with django_assert_num_queries(6):
        response = client.get("/compute/requests/")
    assert len(response.context["page"].object_list) == 7


def test_public_dashboard_shows_totals_without_private_data(client, django_assert_num_queries):
    call = make_call(budget="1000")
    allocation, grant = approved_request(call=call, units="100")
    operator = make_operator(call.resource)
    usage.usage_report(actor=operator, request_id=allocation.pk, period_start=grant.start_date,
                       period_end=grant.start_date, units=Decimal("30"))
    with django_assert_num_queries(9):  # 8 + the topics' generations, read once for the page (visitor cache) and its fragment
        response = client.get("/compute/dashboard/")
    rejected = make_request(call=make_call(resource=call.resource), justification="Private justification")
    decisions.request_reject(actor=manager_of(rejected.call), request=rejected, note="Private note")
    for _ in range(3):
        approved_request(call=call)
    with django_assert_num_queries(9):  # 8 + the topics' generations, read once for the page (visitor cache) and its fragment
        response = client.get("/compute/dashboard/")
    body = response.content.decode()
    assert response.status_code == 200 and "<svg" in body
    assert str(allocation.applicant) not in body
    assert "Private justification" not in body and "Private note" not in body
    ledger = {row.slug: row for row in response.context["per_call"]}[call.slug]
    assert (ledger.granted, ledger.used, ledger.requests, ledger.acceptance_rate) == (
        Decimal("400"), Decimal("30"), 4, 100)


def test_operator_csv_upload_page_lists_line_errors_and_applies_nothing(client):
    call = make_call()
    funded, grant = approved_request(call=call)
    operator = make_operator(call.resource)
    client.force_login(operator)
    period = f"{grant.start_date},{grant.start_date + timedelta(days=9)}"
    bad = SimpleUploadedFile("usage.csv", (f"{funded.pk},{period},5\n{funded.pk},x,y,1\n"
                                           f"{funded.pk},2020-01-01,2020-01-31,1\n").encode())
    response = client.post("/compute/usage/import/", {"file": bad})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any(e.startswith("Línea 2:") for e in errors)
    assert any(e.startswith("Línea 3:") and str(grant.start_date) in e for e in errors)  # outside the grant
    assert not funded.grant.usage_records.exists()
    good = SimpleUploadedFile("usage.csv", f"{funded.pk},{period},5\n".encode())
    assert client.post("/compute/usage/import/", {"file": good}).status_code == 302
    assert funded.grant.usage_records.count() == 1
    client.force_login(funded.applicant)
    assert client.get("/compute/usage/import/").status_code == 403
    response = client.post("/compute/usage/import/", {
        "file": SimpleUploadedFile("usage.csv", f"{funded.pk},{period},6\n".encode())})
    assert response.status_code == 403 and funded.grant.usage_records.count() == 1
    # An operator of another resource gets the page, but not this request's lines.
    client.force_login(make_operator(make_call().resource))
    response = client.post("/compute/usage/import/", {
        "file": SimpleUploadedFile("usage.csv", f"{funded.pk},{period},6\n".encode())})
    assert response.status_code == 200 and funded.grant.usage_records.get().units == 5


def test_manager_assigns_reviewers_from_a_csv_page(client):
    call = make_call()
    allocation = make_request(call=call)
    client.force_login(manager_of(call))
    upload = SimpleUploadedFile("a.csv", f"request_id,reviewer_email\n{allocation.pk},{call.reviewers.first().email}\n"
                                .encode())
    assert client.post(f"/compute/calls/{call.slug}/assign-csv/", {"file": upload}).status_code == 302
    assert allocation.assignments.count() == 1


def test_public_dashboard_shows_hub_downloads_of_funded_outputs(client):
    from apps.hub.models import HubOwner
    from tests.hub import factories as hub_factories

    call = make_call(budget="1000")
    published, _grant = approved_request(call=call)
    approved_request(call=call)  # its promised model is not on the Hub yet
    repo_id = published.outputs.get().repo_id
    owner = hub_factories.owner(repo_id.split("/")[0])
    hub_factories.catalogue(owner, [hub_factories.remote(repo_id, downloads=174)])
    assert HubOwner.objects.count() == 1

    response = client.get("/compute/dashboard/")
    body = response.content.decode()
    adoption = response.context["adoption"]
    assert (adoption.promised, adoption.published, adoption.downloads_30d) == (2, 1, 174)
    assert f"/models/model/{repo_id}/" in body
    assert client.get("/api/compute/dashboard/").json()["funded_outputs_adoption"] == {
        "promised": 2, "published": 1, "downloads_30d": 174,
    }


def test_hub_repository_page_names_the_grant_that_funded_it(client):
    from tests.hub import factories as hub_factories

    call = make_call(budget="1000", title="Convocatoria GPU 2026")
    funded, _grant = approved_request(call=call, units="250")
    pending = make_request(call=call)
    funded_repo = funded.outputs.get().repo_id
    pending_repo = pending.outputs.get().repo_id
    owner = hub_factories.owner(funded_repo.split("/")[0])
    hub_factories.catalogue(owner, [hub_factories.remote(funded_repo), hub_factories.remote(pending_repo)])

    page = client.get(f"/models/model/{funded_repo}/").content.decode()
    assert funded.title in page and "Convocatoria GPU 2026" in page and "/compute/dashboard/" in page
    assert pending.title not in client.get(f"/models/model/{pending_repo}/").content.decode()


def test_blind_reviewers_never_see_attachment_file_names(client, settings, tmp_path):
    """File names often carry the author's name; blind reviewers get neutral ones everywhere."""
    settings.COMPUTE_PRIVATE_ROOT = str(tmp_path)
    call = make_call(blind_review=True)
    allocation = make_request(call=call, submit=False)
    requests.attachment_add(actor=allocation.applicant, request=allocation, uploaded_file=SimpleUploadedFile(
        "CV-Maria-Garcia.pdf", PDF, content_type="application/pdf"))
    requests.request_submit(actor=allocation.applicant, request=allocation)
    assignment = assigned(call=call, allocation=allocation)
    attachment = RequestAttachment.objects.get()
    download = f"/compute/requests/{allocation.pk}/attachments/{attachment.pk}/"
    client.force_login(assignment.reviewer)
    for page in (f"/compute/requests/{allocation.pk}/", f"/compute/reviews/{assignment.pk}/"):
        html = client.get(page).content.decode()
        assert "Maria-Garcia" not in html and download in html
    assert "Maria-Garcia" not in client.get(download)["Content-Disposition"]
    reviewer_api = APIClient()
    reviewer_api.force_authenticate(assignment.reviewer)
    for path in (f"/api/compute/requests/{allocation.pk}/", f"/api/compute/reviews/{assignment.pk}/"):
        assert reviewer_api.get(path).json()["attachments"][0]["name"] == f"attachment-{attachment.pk}.pdf"
    client.force_login(manager_of(call))
    assert "CV-Maria-Garcia.pdf" in client.get(f"/compute/requests/{allocation.pk}/").content.decode()
    assert "CV-Maria-Garcia.pdf" in client.get(download)["Content-Disposition"]


def test_notifications_reach_each_person_in_their_own_language():
    from django.utils import translation

    from apps.notifications.models import Notification

    english_manager = UserFactory(language="en")
    call = make_call(managers=[english_manager])
    with translation.override("es"):  # the applicant works in Spanish
        allocation = make_request(call=call, applicant=UserFactory(language="es"))
    to_manager = Notification.objects.get(recipient=english_manager, kind="compute.submitted")
    to_applicant = Notification.objects.get(recipient=allocation.applicant, kind="compute.submitted")
    assert to_manager.title == f"New compute request: {allocation.title}"
    assert to_applicant.title == f"Hemos recibido tu solicitud de cómputo «{allocation.title}»"


def test_public_dashboard_names_who_received_each_grant(client):
    call = make_call(budget="1000")
    funded, _grant = approved_request(call=call)
    AllocationRequest.objects.filter(pk=funded.pk).update(applicant_affiliation="Universidade de Vigo")
    body = client.get("/compute/dashboard/").content.decode()
    assert '<td data-label="Receptor" data-recipient>Universidade de Vigo</td>' in body
    assert 'class="data-table reflow ledger-projects"' in body  # one card per project on a phone


def test_public_ledger_is_drawn_once_for_every_member_until_compute_or_the_hub_changes(client, monkeypatch):
    from apps.core.summaries import invalidate
    drawn = count_drawings(monkeypatch)
    call = make_call(budget="1000")
    approved_request(call=call, title="Primer proyecto financiado")
    for _member in range(2):
        client.force_login(UserFactory())
        assert "Primer proyecto financiado" in client.get("/compute/dashboard/").content.decode()
    assert drawn["compute-ledger"] == 1
    approved_request(call=call, title="Segundo proyecto financiado")
    assert "Segundo proyecto financiado" in client.get("/compute/dashboard/").content.decode()
    assert drawn["compute-ledger"] == 2
    invalidate("hub")  # a sync: the outputs' download counts
    client.get("/compute/dashboard/")
    assert drawn["compute-ledger"] == 3
