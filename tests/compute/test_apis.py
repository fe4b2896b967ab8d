from datetime import timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.compute.models import UsageRecord
from apps.compute.services import requests, review, usage
from tests.accounts.factories import UserFactory, api_token_key
from tests.compute.factories import (
    approved_request,
    assigned,
    make_call,
    make_operator,
    make_request,
    manager_of,
)

pytestmark = pytest.mark.django_db


def api(user=None, token=False):
    client = APIClient()
    if user is not None:
        if token:
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_key(user)}")
        else:
            client.force_authenticate(user)
    return client


def test_calls_api_is_public_with_constant_queries(django_assert_num_queries):
    make_call()
    with django_assert_num_queries(2):
        small = api().get("/api/compute/calls/")
    for _ in range(4):
        make_call()
    with django_assert_num_queries(2):
        large = api().get("/api/compute/calls/")
    assert small.json()["count"] == 1 and large.json()["count"] == 5
    detail = api().get(f"/api/compute/calls/{make_call().slug}/").json()
    assert [c["weight"] for c in detail["criteria"]] == [3, 2, 1]


def test_create_submit_and_read_through_the_api():
    call = make_call()
    member, colleague = UserFactory(), UserFactory()
    response = api(member).post("/api/compute/requests/", {
        "call": call.slug, "title": "Catalan ASR", "abstract": "a", "justification": "j",
        "requested_units": "120", "desired_start": "2027-02-01", "duration_days": 30,
        "applicant_affiliation": "UPF", "collaborators": [{"email": colleague.email, "affiliation": "BSC"}],
        "outputs": [{"kind": "dataset", "repo_id": "upf/catalan-speech", "licence": "cc-by-4.0"}],
        "submit": True,
    })
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted" and body["collaborators"][0]["affiliation"] == "BSC"
    trail = api(colleague).get(f"/api/compute/requests/{body['id']}/transitions/").json()
    assert [t["to_status"] for t in trail] == ["submitted"]


def test_validation_errors_use_the_common_format():
    call = make_call(per_request_max="10")
    response = api(UserFactory()).post("/api/compute/requests/", {
        "call": call.slug, "title": "x", "abstract": "a", "justification": "j", "requested_units": "11",
        "desired_start": "2027-02-01", "duration_days": 30, "applicant_affiliation": "UPF",
    })
    assert response.status_code == 400
    assert set(response.json()) == {"message", "errors"} and "requested_units" in response.json()["errors"]


@pytest.mark.parametrize(("role", "read", "decide", "report"), [
    ("applicant", 200, 403, 403),
    ("collaborator", 200, 403, 403),
    ("reviewer", 200, 403, 403),
    ("manager", 200, 200, 403),
    ("operator", 404, 404, 201),
    ("other", 404, 404, 403),
    ("anonymous", 403, 403, 403),  # session auth first: DRF answers 403, not 401
])
def test_permissions_per_role(role, read, decide, report):
    call = make_call()
    collaborator = UserFactory()
    allocation = make_request(call=call, collaborators=[requests.Collaborator(collaborator, "X")])
    funded, _grant = approved_request(call=call)
    people = {
        "applicant": allocation.applicant, "collaborator": collaborator,
        "reviewer": assigned(call=call, allocation=allocation).reviewer, "manager": manager_of(call),
        "operator": make_operator(call.resource), "other": UserFactory(),
    }
    client = api(people.get(role), token=True) if role != "anonymous" else api()
    assert client.get(f"/api/compute/requests/{allocation.pk}/").status_code == read
    assert client.post(f"/api/compute/requests/{allocation.pk}/decision/",
                       {"action": "approve", "units": "10"}).status_code == decide
    start = funded.grant.start_date
    response = client.post("/api/compute/usage/", {
        "request_id": funded.pk, "period_start": start, "period_end": start + timedelta(days=9), "units": "5"})
    assert response.status_code == report
    assert UsageRecord.objects.count() == (1 if report == 201 else 0)


def test_reviewers_never_see_other_scores_before_the_decision_unless_allowed():
    call = make_call(score_visibility="never")
    allocation = make_request(call=call)
    first, second = call.reviewers.all()
    a1 = assigned(call=call, allocation=allocation, reviewer=first)
    a2 = assigned(call=call, allocation=allocation, reviewer=second)
    criteria = {str(c.pk): 7 for c in call.criteria.all()}
    assert api(second).post(f"/api/compute/reviews/{a2.pk}/", {"scores": criteria,
                                                                "recommendation": "approve"}).status_code == 200
    assert api(first).get(f"/api/compute/reviews/{a1.pk}/").json()["reviews"] is None
    assert api(first).post(f"/api/compute/reviews/{a1.pk}/", {"scores": criteria,
                                                               "recommendation": "reject"}).status_code == 200
    assert api(first).get(f"/api/compute/reviews/{a1.pk}/").json()["reviews"] is None
    assert api(allocation.applicant).get(f"/api/compute/requests/{allocation.pk}/").json()["reviews"] is None
    manager_view = api(manager_of(call)).get(f"/api/compute/requests/{allocation.pk}/").json()
    assert len(manager_view["reviews"]) == 2
    api(manager_of(call)).post(f"/api/compute/requests/{allocation.pk}/decision/",
                               {"action": "approve", "units": "50"})
    after = api(first).get(f"/api/compute/requests/{allocation.pk}/").json()["reviews"]
    assert len(after) == 2 and all(r["reviewer"] is None for r in after)


def test_blind_review_hides_identity_in_the_api():
    call = make_call(blind_review=True)
    allocation = make_request(call=call)
    assignment = assigned(call=call, allocation=allocation)
    body = api(assignment.reviewer).get(f"/api/compute/reviews/{assignment.pk}/").json()
    assert body["applicant"] is None and body["applicant_affiliation"] is None and body["collaborators"] == []
    trail = api(assignment.reviewer).get(f"/api/compute/requests/{allocation.pk}/transitions/").json()
    assert trail[0]["actor"] is None  # the applicant submitted it


def test_usage_csv_import_api_reports_line_errors():
    call = make_call()
    funded, grant = approved_request(call=call)
    operator = make_operator(call.resource)
    period = f"{grant.start_date},{grant.start_date + timedelta(days=9)}"
    response = api(operator, token=True).post("/api/compute/usage/import/", {
        "content": f"request_id,period_start,period_end,units\n{funded.pk},{period},5\nx,y,z,w\n"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["line 3"]
    assert not UsageRecord.objects.exists()
    ok = api(operator, token=True).post("/api/compute/usage/import/", {
        "content": f"{funded.pk},{period},5\n"})
    assert ok.status_code == 201 and UsageRecord.objects.count() == 1


def test_list_endpoints_have_constant_queries(django_assert_num_queries):
    call = make_call(budget="9000")
    reviewer = call.reviewers.first()
    manager = manager_of(call)
    operator = make_operator(call.resource)
    applicant = UserFactory()

    def grow():
        allocation = make_request(call=call, applicant=applicant)
        assigned(call=call, allocation=allocation, reviewer=reviewer)
        funded, grant = approved_request(call=call, applicant=applicant)
        usage.usage_report(actor=operator, request_id=funded.pk, period_start=grant.start_date,
                           period_end=grant.start_date, units=Decimal("1"))

    grow()
    checks = [
        (applicant, "/api/compute/requests/", 4),
        (manager, "/api/compute/requests/", 4),
        (reviewer, "/api/compute/reviews/", 2),
        (manager, f"/api/compute/calls/{call.slug}/requests/", 8),
        (None, "/api/compute/dashboard/", 6),  # with the topics' generations
    ]
    sizes = []
    for _round in range(2):
        counts = []
        for user, url, expected in checks:
            with django_assert_num_queries(expected):
                response = api(user).get(url)
            assert response.status_code == 200
            counts.append(response.json().get("count"))
        sizes.append(counts)
        for _ in range(3):
            grow()
    assert sizes[0][0] == 2 and sizes[1][0] == 8


def test_assignment_csv_api_and_conflict_declaration():
    call = make_call()
    allocation = make_request(call=call, affiliation="Universidad de Granada")
    reviewer = call.reviewers.first()
    review.reviewer_profile_set(user=reviewer, affiliation="Universidad de Granada")
    response = api(manager_of(call)).post(f"/api/compute/calls/{call.slug}/assignments/csv/", {
        "content": f"{allocation.pk},{reviewer.email}\n"})
    assert response.status_code == 400
    assert "line 1" in response.json()["errors"]
    other = call.reviewers.last()
    response = api(manager_of(call)).post(f"/api/compute/requests/{allocation.pk}/assignments/",
                                          {"reviewer_id": other.pk})
    assert response.status_code == 201
    assignment_id = response.json()["id"]
    assert api(other).post(f"/api/compute/reviews/{assignment_id}/conflict/", {"note": "co-author"}).status_code == 200
    assert api(other).get(f"/api/compute/requests/{allocation.pk}/").status_code == 404


def test_change_request_through_the_api():
    call = make_call()
    funded, grant = approved_request(call=call, units="100")
    response = api(funded.applicant).post(f"/api/compute/requests/{funded.pk}/change-requests/",
                                          {"extra_units": "20", "reason": "More epochs"})
    assert response.status_code == 201
    change_id = response.json()["id"]
    assert api(funded.applicant).post(f"/api/compute/change-requests/{change_id}/decision/",
                                      {"approve": True, "note": "self"}).status_code == 403
    assert api(manager_of(call)).post(f"/api/compute/change-requests/{change_id}/decision/",
                                      {"approve": True, "note": "Fine"}).status_code == 200
    grant.refresh_from_db()
    assert grant.units == Decimal("120")


def test_submit_and_withdraw_through_the_api_only_for_the_applicant():
    allocation = make_request(call=make_call(), submit=False)
    assert api(UserFactory()).post(f"/api/compute/requests/{allocation.pk}/submit/").status_code == 404
    response = api(allocation.applicant).post(f"/api/compute/requests/{allocation.pk}/submit/", {"note": "Ready"})
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert api(allocation.applicant).post(f"/api/compute/requests/{allocation.pk}/submit/").status_code == 409
    response = api(allocation.applicant).post(f"/api/compute/requests/{allocation.pk}/withdraw/")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_grant_shows_used_remaining_and_overrun_in_the_api():
    call = make_call()
    funded, grant = approved_request(call=call, units="100")
    usage.usage_report(actor=make_operator(call.resource), request_id=funded.pk, period_start=grant.start_date,
                       period_end=grant.start_date, units=Decimal("130"))
    body = api(funded.applicant).get(f"/api/compute/requests/{funded.pk}/").json()
    assert (body["used"], body["remaining"], body["overrun"]) == ("130.00", "-30.00", True)


def test_only_staff_open_calls_through_the_api():
    resource = make_call().resource
    manager = UserFactory()
    payload = {
        "resource": resource.slug, "title": "GPU 2027", "slug": "gpu-2027", "budget": "5000",
        "per_request_max": "1000", "opens_at": "2027-01-01T00:00:00Z", "closes_at": "2027-02-01T00:00:00Z",
        "review_deadline": "2027-03-01T00:00:00Z", "criteria": [{"name": "Merit", "weight": 2}],
        "manager_ids": [manager.pk], "blind_review": True,
    }
    assert api(manager).post("/api/compute/calls/", payload).status_code == 403
    assert api().post("/api/compute/calls/", payload).status_code == 403
    response = api(UserFactory(is_staff=True)).post("/api/compute/calls/", payload)
    assert response.status_code == 201 and response.json()["blind_review"] is True
    bad = api(UserFactory(is_staff=True)).post("/api/compute/calls/", {
        **payload, "per_request_max": "9000", "closes_at": "2026-12-01T00:00:00Z"})
    assert bad.status_code == 400
    assert {"slug", "per_request_max", "closes_at"} <= set(bad.json()["errors"])


def test_trail_and_usage_lists_have_constant_queries(django_assert_num_queries):
    call = make_call(budget="9000")
    allocation = make_request(call=call)
    sizes = []
    for _round in range(2):
        with django_assert_num_queries(9):
            trail = api(allocation.applicant).get(f"/api/compute/requests/{allocation.pk}/transitions/")
        sizes.append(len(trail.json()))
        for _ in range(2):
            requests.request_changes_ask(actor=manager_of(call), request=allocation, note="More detail")
            requests.request_submit(actor=allocation.applicant, request=allocation)
    assert sizes == [1, 5]

    funded, grant = approved_request(call=call)
    operator = make_operator(call.resource)
    counts = []
    for _round in range(2):
        with django_assert_num_queries(11):
            used = api(funded.applicant).get(f"/api/compute/requests/{funded.pk}/usage/")
        counts.append(used.json()["count"])
        for _ in range(3):
            start = grant.start_date + timedelta(days=len(counts) * 10 + _)
            usage.usage_report(actor=operator, request_id=funded.pk, period_start=start, period_end=start,
                               units=Decimal("1"))
    assert counts == [0, 3]


def test_applicant_edits_a_draft_partially_through_the_api():
    allocation = make_request(call=make_call(), submit=False)
    response = api(allocation.applicant).patch(f"/api/compute/requests/{allocation.pk}/",
                                               {"title": "Nuevo título"})
    assert response.status_code == 200 and response.json()["title"] == "Nuevo título"
    assert response.json()["outputs"]  # untouched fields stay as they were
    assert api(UserFactory()).patch(f"/api/compute/requests/{allocation.pk}/", {"title": "x"}).status_code == 404


def test_a_patch_validates_each_item_of_a_list_it_replaces():
    """partial=True used to skip the items' defaults and required fields: a collaborator
    without affiliation was a KeyError (500), an output without repo_id a TypeError."""
    allocation = make_request(call=make_call(), submit=False)
    client, url = api(allocation.applicant), f"/api/compute/requests/{allocation.pk}/"
    response = client.patch(url, {"collaborators": [{"email": "x@y.org"}]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["collaborators"] == [{"email": "x@y.org", "affiliation": ""}]
    response = client.patch(url, {"outputs": [{"kind": "model"}]}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"outputs.0.repo_id", "outputs.0.licence"}
    response = client.patch(url, {"collaborators": [{"affiliation": "UPM"}]}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["collaborators.0.email"]
