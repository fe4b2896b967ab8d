"""The register's reads, called directly, for what the page and state tests leave out:
totals that count a repository once, compute with no public cost is "not measured" (never
0), rows not measured sort last, filter counts, and look-ups that must not fail."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.compute.services.usage import usage_report
from apps.transparency import figures, selectors, services
from tests.compute import factories as compute
from tests.hub import factories as hub
from tests.transparency.factories import FUNDING, funding_record

pytestmark = pytest.mark.django_db


def rows_by_key(**filters):
    return {row.key: row for row in selectors.register(**filters)}


def test_totals_count_a_repository_on_its_owners_row_and_its_own_once(staff):
    hub.catalogue(hub.owner("lab"), [hub.remote("lab/a", downloads=30), hub.remote("lab/b", downloads=70)])
    funding_record(staff, repositories=[], owners=["lab"], amount_eur="1000")
    funding_record(staff, repositories=["lab/a"], amount_eur="500")
    rows = selectors.register()
    assert sorted(row.key for row in rows) == ["model/lab/a", "owner/lab"]
    totals = selectors.register_totals(rows)
    assert (totals.rows, totals.repositories) == (2, 2)
    assert totals.downloads_30d == figures.Figure(100)
    assert totals.money_in == figures.Figure(Decimal("1500"))


def promised_model(*, used: str | None):
    """A model promised by a grant on a resource with no public unit cost, `used` units reported."""
    call = compute.make_call(budget="1000", per_request_max="1000")
    allocation, grant = compute.approved_request(
        call=call, units="500", outputs=[compute.requests.Output("model", "lab/modelo", "apache-2.0")])
    if used is not None:
        usage_report(actor=compute.make_operator(call.resource), request_id=allocation.pk,
                     period_start=grant.start_date, period_end=grant.start_date, units=Decimal(used))
    hub.catalogue(hub.owner("lab"), [hub.remote("lab/modelo", downloads=40)])
    return grant


def test_compute_used_with_no_public_unit_cost_is_not_measured_not_zero(staff):
    grant = promised_model(used="200")
    funding_record(staff, amount_eur="1000")
    row = selectors.register_row(key="model/lab/modelo", as_of=max(timezone.localdate(), grant.start_date))
    assert row.compute_units == Decimal("200")
    assert not row.compute_eur.measured and row.compute_eur.value is None
    assert not row.money_in.measured  # never the 1,000 € of funding alone, which would look cheaper
    assert not row.eur_per_monthly_download.measured
    assert not selectors.register_totals([row]).money_in.measured


def test_a_grant_with_nothing_used_costs_zero_even_without_a_unit_cost(staff):
    grant = promised_model(used=None)
    row = selectors.register_row(key="model/lab/modelo", as_of=max(timezone.localdate(), grant.start_date))
    assert row.compute_eur == figures.Figure(Decimal("0.00"))
    assert row.money_in == figures.Figure(Decimal("0.00"))


def test_rows_not_measured_sort_last_in_both_directions(staff):
    owner = hub.owner("lab")
    hub.catalogue(owner, [hub.remote("lab/poco", downloads=10), hub.remote("lab/mucho", downloads=1000),
                          hub.remote("lab/ido", downloads=500)])
    hub.catalogue(owner, [hub.remote("lab/poco", downloads=10), hub.remote("lab/mucho", downloads=1000)])
    for name in ("poco", "mucho", "ido"):
        funding_record(staff, repositories=[f"lab/{name}"])
    assert not rows_by_key()["model/lab/ido"].downloads_30d.measured  # gone from the Hub: no reading today
    for descending, measured in ((True, ["lab/mucho", "lab/poco"]), (False, ["lab/poco", "lab/mucho"])):
        names = [row.name for row in selectors.register(sort="downloads", descending=descending)]
        assert names == [*measured, "lab/ido"], descending


def test_filter_choices_count_the_rows_each_would_show_and_list_recent_years_first(staff):
    hub.catalogue(hub.owner("lab"), [hub.remote("lab/a"), hub.remote("lab/b"), hub.remote("lab/c")])
    funding_record(staff, repositories=["lab/a"], programme="Alfa", awarded_on="2023-05-01")
    funding_record(staff, repositories=["lab/b"], programme="Alfa", awarded_on="2025-05-01")
    funding_record(staff, repositories=["lab/c", "lab/a"], programme="Beta", awarded_on="2025-06-01")
    choices = selectors.register_filters(selectors.register())
    assert choices["programmes"] == [("Alfa", 2), ("Beta", 2)]
    assert choices["years"] == [(2025, 3), (2023, 1)]
    assert choices["funders"] == [(FUNDING["funder"], 3)]


def test_a_record_that_only_names_a_grant_adds_no_row_of_its_own(staff):
    _allocation, grant = compute.approved_request(call=compute.make_call(), units="100", outputs=[])
    funding_record(staff, repositories=[], grants=[grant.pk])
    assert selectors.register() == []


def test_a_future_day_reads_as_today_and_an_impossible_record_id_finds_nothing(staff):
    hub.catalogue(hub.owner("lab"), [hub.remote("lab/modelo", downloads=40)])
    record = funding_record(staff)
    future = selectors.register(as_of=timezone.localdate() + timedelta(days=30))
    assert [(row.key, row.downloads_30d) for row in future] == [("model/lab/modelo", figures.Figure(40))]
    assert selectors.funding_record_get(record.pk) == record
    for pk in (0, -1, 2**63):
        assert selectors.funding_record_get(pk) is None


def test_compute_costs_list_only_resources_with_a_public_cost_and_value_their_units(staff):
    priced, unpriced = compute.make_resource(), compute.make_resource()
    for resource in (priced, unpriced):
        compute.approved_request(call=compute.make_call(resource=resource), units="100")
    services.unit_cost_set(actor=staff, resource=priced, euros_per_unit="2.5", source_url="https://example.org/t")
    (listed,) = selectors.compute_costs_by_resource()
    assert listed.pk == priced.pk
    assert (listed.granted, listed.granted_eur, listed.used_eur) == (Decimal("100"), Decimal("250"), Decimal("0"))
