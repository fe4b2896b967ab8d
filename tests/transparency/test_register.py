from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.hub.models import HubRepository, HubSnapshot
from apps.transparency import selectors, services
from apps.transparency.models import FundingRecord
from tests.hub import factories as hub
from tests.transparency.factories import funding_record as record

pytestmark = pytest.mark.django_db


def test_euros_per_monthly_download_of_alia_matches_a_hand_computation(demo):
    alia = HubRepository.objects.get(repo_id="BSC-LT/ALIA-40b")
    row = selectors.register_row(key="model/BSC-LT/ALIA-40b")
    # The demo's 10.2 M€ fund two ALIA models, split equally; no compute grant promised them.
    expected_money = Decimal("10200000") / 2
    assert row.money_in.value == expected_money
    assert row.downloads_30d.value == alia.downloads > 0
    assert row.eur_per_monthly_download.value == (expected_money / alia.downloads).quantize(Decimal("0.01"))
    assert row.is_demo


def test_as_of_a_past_day_uses_that_days_snapshot(demo):
    day = timezone.localdate() - timedelta(days=12)
    snapshot = HubSnapshot.objects.get(repository__repo_id="BSC-LT/ALIA-40b", day=day)
    row = selectors.register_row(key="model/BSC-LT/ALIA-40b", as_of=day)
    assert row.downloads_30d.value == snapshot.downloads
    assert row.eur_per_monthly_download.value == (Decimal("5100000") / snapshot.downloads).quantize(Decimal("0.01"))
    today_row = selectors.register_row(key="model/BSC-LT/ALIA-40b")
    assert today_row.downloads_30d.value != snapshot.downloads  # the demo's downloads move day to day


def test_as_of_before_the_funding_has_no_row(staff):
    owner = hub.owner("lab")
    hub.catalogue(owner, [hub.remote("lab/modelo", downloads=50)])
    record(staff, awarded_on="2025-06-01")
    assert selectors.register(as_of=timezone.localdate().replace(year=2025, month=5, day=1)) == []
    assert [row.key for row in selectors.register()] == ["model/lab/modelo"]


def test_downloads_since_funding_subtract_the_all_time_count_on_the_funding_day(staff):
    owner = hub.owner("lab")
    today = timezone.localdate()
    funded = today - timedelta(days=20)
    hub.history(owner, {
        today - timedelta(days=25): [hub.remote("lab/modelo", downloads=10, downloads_all_time=1000)],
        funded: [hub.remote("lab/modelo", downloads=20, downloads_all_time=1100)],
        today: [hub.remote("lab/modelo", downloads=40, downloads_all_time=1500)],
    })
    record(staff, awarded_on=funded.isoformat(), amount_eur="800")
    row = selectors.register_row(key="model/lab/modelo")
    assert row.downloads_since_funding.value == 400
    assert row.eur_per_download_since.value == Decimal("2.00")
    assert row.eur_per_monthly_download.value == Decimal("20.00")


def test_compute_used_is_valued_at_the_resources_public_cost(staff):
    from apps.compute.services.usage import usage_report
    from tests.compute import factories as compute

    resource = compute.make_resource()
    call = compute.make_call(resource=resource, budget="1000", per_request_max="1000")
    allocation, grant = compute.approved_request(
        call=call, units="500", outputs=[compute.requests.Output("model", "lab/modelo", "apache-2.0")])
    operator = compute.make_operator(resource)
    today = timezone.localdate()
    usage_report(actor=operator, request_id=allocation.pk, period_start=grant.start_date,
                 period_end=grant.start_date, units=Decimal("200"))
    services.unit_cost_set(actor=staff, resource=resource, euros_per_unit="1.50",
                           source_url="https://example.org/tarifa")
    hub.catalogue(hub.owner("lab"), [hub.remote("lab/modelo", downloads=30)])
    row = selectors.register_row(key="model/lab/modelo", as_of=max(today, grant.start_date))
    assert row.compute_units == Decimal("200")
    assert row.compute_eur.value == Decimal("300.00")
    assert row.money_in.value == Decimal("300.00")  # a model funded only through compute is listed too
    assert row.eur_per_monthly_download.value == Decimal("10.00")
    assert call.title in row.calls


def test_a_record_funding_an_owner_counts_all_its_public_repositories(staff):
    owner = hub.owner("lab")
    hub.catalogue(owner, [hub.remote("lab/a", downloads=30), hub.remote("lab/b", downloads=70),
                          hub.remote("lab/secret", downloads=999, private=True)])
    record(staff, repositories=[], owners=["lab"], amount_eur="1000")
    row = selectors.register_row(key="owner/lab")
    assert row.downloads_30d.value == 100
    assert row.eur_per_monthly_download.value == Decimal("10.00")


def test_filters_and_sorting(staff):
    owner = hub.owner("lab")
    hub.catalogue(owner, [hub.remote("lab/cheap", downloads=1000, languages=("ca",)),
                          hub.remote("lab/dear", downloads=10, languages=("eu",))])
    record(staff, repositories=["lab/cheap"], programme="A", amount_eur="1000", awarded_on="2024-03-01")
    record(staff, repositories=["lab/dear"], programme="B", amount_eur="1000")
    assert [r.name for r in selectors.register()] == ["lab/dear", "lab/cheap"]
    assert [r.name for r in selectors.register(sort="downloads")] == ["lab/cheap", "lab/dear"]
    assert [r.name for r in selectors.register(programme="A")] == ["lab/cheap"]
    assert [r.name for r in selectors.register(language="eu")] == ["lab/dear"]
    assert [r.name for r in selectors.register(year=2024)] == ["lab/cheap"]


def test_the_cached_register_is_dropped_when_funding_changes(staff, django_capture_on_commit_callbacks):
    owner = hub.owner("lab")
    hub.catalogue(owner, [hub.remote("lab/modelo", downloads=100)])
    with django_capture_on_commit_callbacks(execute=True):
        first = record(staff, amount_eur="1000")
    assert selectors.register_row(key="model/lab/modelo").money_in.value == Decimal("1000")
    with django_capture_on_commit_callbacks(execute=True):
        services.funding_record_update(actor=staff, record_id=first.pk, data={"amount_eur": "3000"},
                                       reason="Ampliación")
    assert selectors.register_row(key="model/lab/modelo").money_in.value == Decimal("3000")


def test_comparables_share_task_and_language_and_exclude_funded_models(staff):
    owner = hub.owner("lab")
    other = hub.owner("otros")
    hub.catalogue(owner, [hub.remote("lab/modelo", downloads=100, languages=("es",), task="text-generation")])
    hub.catalogue(other, [
        hub.remote("otros/parecido", downloads=500, languages=("es", "en"), task="text-generation"),
        hub.remote("otros/otra-tarea", downloads=900, languages=("es",), task="fill-mask"),
        hub.remote("otros/otro-idioma", downloads=900, languages=("de",), task="text-generation"),
    ])
    record(staff)
    row = selectors.register_row(key="model/lab/modelo")
    assert [r.repo_id for r in selectors.comparable_repositories(row=row)] == ["otros/parecido"]


def test_funding_records_store_the_split_for_several_repositories(staff):
    owner = hub.owner("lab")
    hub.catalogue(owner, [hub.remote("lab/a", downloads=10), hub.remote("lab/b", downloads=10)])
    record(staff, repositories=["lab/a", "lab/b"], amount_eur="1000.01")
    rows = {row.key: row for row in selectors.register()}
    assert rows["model/lab/a"].funding_eur == rows["model/lab/b"].funding_eur
    assert rows["model/lab/a"].funding_eur + rows["model/lab/b"].funding_eur == Decimal("1000.01")
    assert FundingRecord.objects.get().amount_eur == Decimal("1000.01")
