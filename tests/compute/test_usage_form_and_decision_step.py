"""Operators type one period's usage in a form (checked as a CSV line is); managers confirm a
decision on a page that counts the reviews in, and an approval grants only typed units."""

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.compute.models import AllocationRequest, UsageRecord
from apps.compute.services import review
from tests.accounts.factories import UserFactory
from tests.compute.factories import approved_request, assigned, make_call, make_operator, make_request, manager_of

pytestmark = pytest.mark.django_db


def test_an_operator_records_one_period_in_the_form_and_corrects_it(client):
    call = make_call()
    funded, grant = approved_request(call=call)
    client.force_login(make_operator(call.resource))
    start, end = grant.start_date, grant.start_date + timedelta(days=9)
    form = client.get("/compute/usage/report/").context["form"]
    assert list(form.fields["grant"].queryset) == [grant]
    data = {"grant": grant.pk, "period_start": start, "period_end": end, "units": "12.5", "note": "Nodos A100"}
    assert client.post("/compute/usage/report/", data).status_code == 302
    record = UsageRecord.objects.get(grant=grant)
    assert (record.units, record.note, record.source) == (Decimal("12.5"), "Nodos A100", UsageRecord.Source.FORM)
    assert client.post("/compute/usage/report/", {**data, "units": "14"}).status_code == 302
    assert UsageRecord.objects.get(grant=grant).units == Decimal("14")  # the same period, corrected


def test_the_form_shows_the_lines_checks_next_to_the_fields(client):
    call = make_call()
    funded, grant = approved_request(call=call)
    client.force_login(make_operator(call.resource))
    response = client.post("/compute/usage/report/", {
        "grant": grant.pk, "period_start": "2020-01-01", "period_end": "2020-01-31", "units": "3",
    })
    assert response.status_code == 200
    assert str(grant.start_date) in response.context["form"].errors["period_start"][0]
    assert not UsageRecord.objects.exists()


def test_only_operators_of_the_resource_record_its_usage(client):
    call = make_call()
    funded, grant = approved_request(call=call)
    client.force_login(funded.applicant)
    assert client.get("/compute/usage/report/").status_code == 403
    client.force_login(make_operator(make_call().resource))
    response = client.post("/compute/usage/report/", {
        "grant": grant.pk, "period_start": grant.start_date, "period_end": grant.start_date, "units": "1",
    })
    assert response.status_code == 200 and "grant" in response.context["form"].errors
    assert not UsageRecord.objects.exists()


def test_the_decision_waits_for_a_confirmation_that_counts_the_reviews(client):
    call = make_call(budget="300", per_request_max="300")
    allocation = make_request(call=call, units="250")
    client.force_login(manager_of(call))
    page = client.post(f"/compute/requests/{allocation.pk}/decide/confirm/",
                       {"action": "approve", "units": "200", "note": "ok"})
    assert page.status_code == 200
    assert (page.context["reviews_in"], page.context["reviews_assigned"]) == (0, 0)
    assert "data-no-reviews" in page.content.decode()
    allocation.refresh_from_db()
    assert allocation.status != AllocationRequest.Status.APPROVED  # nothing decided yet
    first, second = call.reviewers.all()
    assigned(call=call, allocation=allocation, reviewer=first)
    done = assigned(call=call, allocation=allocation, reviewer=second)
    review.review_submit(actor=second, assignment=done, scores={c.pk: 7 for c in call.criteria.all()},
                         recommendation="approve")
    page = client.post(f"/compute/requests/{allocation.pk}/decide/confirm/",
                       {"action": "approve", "units": "200", "note": "ok"})
    assert (page.context["reviews_in"], page.context["reviews_assigned"]) == (1, 2)
    assert "data-no-reviews" not in page.content.decode()
    client.post(f"/compute/requests/{allocation.pk}/decide/", {"action": "approve", "units": "200", "note": "ok"})
    allocation.refresh_from_db()
    assert allocation.grant.units == Decimal("200")


def test_an_approval_without_typed_units_is_refused_not_filled_with_the_full_request(client):
    call = make_call()
    allocation = make_request(call=call, units="250")
    client.force_login(manager_of(call))
    for url in (f"/compute/requests/{allocation.pk}/decide/confirm/", f"/compute/requests/{allocation.pk}/decide/"):
        response = client.post(url, {"action": "approve", "note": ""}, follow=True)
        assert response.redirect_chain[-1][0] == f"/compute/calls/{call.slug}/manage/"
        assert "Escribe las unidades que se conceden." in response.content.decode()
    allocation.refresh_from_db()
    assert not hasattr(allocation, "grant") or allocation.grant is None


def test_the_dashboard_starts_with_no_decision_chosen_and_no_units_filled(client):
    call = make_call()
    make_request(call=call, units="250")
    client.force_login(manager_of(call))
    page = client.get(f"/compute/calls/{call.slug}/manage/").content.decode()
    assert '<option value="">' in page and 'name="units" id="units-' in page
    assert 'value="250' not in page


def test_others_get_no_confirmation_page(client):
    call = make_call()
    allocation = make_request(call=call)
    client.force_login(UserFactory())
    assert client.post(f"/compute/requests/{allocation.pk}/decide/confirm/", {"action": "reject"}).status_code == 404
