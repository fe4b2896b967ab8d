"""The register's writes, called directly, for invariants the funding tests leave out: a
refused correction changes nothing, a partial one keeps the rest, what a record paid for
is named once and only from the public catalogue, and unit costs are one per resource."""

from decimal import Decimal

import pytest

from apps.core.errors import InvalidInput, NotAllowed
from apps.transparency import selectors, services
from apps.transparency.models import ComputeUnitCost, FundingRecord, FundingRecordChange
from tests.compute import factories as compute
from tests.hub import factories as hub
from tests.transparency.factories import FUNDING, funding_record

pytestmark = pytest.mark.django_db



@pytest.fixture(autouse=True)
def catalogue(db):
    hub.catalogue(hub.owner("lab"), [hub.remote("lab/modelo", downloads=100), hub.remote("lab/secreto", private=True)])


def test_a_refused_correction_leaves_the_record_and_its_history_as_they_were(staff):
    record = funding_record(staff)
    with pytest.raises(InvalidInput) as refused:
        services.funding_record_update(actor=staff, record_id=record.pk, reason="Errata",
                                       data={"amount_eur": "2", "repositories": ["lab/no-existe"]})
    assert "repositories" in refused.value.errors
    record.refresh_from_db()
    assert record.amount_eur == Decimal(FUNDING["amount_eur"])
    assert list(record.repositories.values_list("repo_id", flat=True)) == ["lab/modelo"]
    assert list(FundingRecordChange.objects.values_list("action", flat=True)) == ["created"]


def test_members_cannot_correct_a_record(staff, member):
    record = funding_record(staff)
    with pytest.raises(NotAllowed):
        services.funding_record_update(actor=member, record_id=record.pk, data={"amount_eur": "1"}, reason="Mía")
    record.refresh_from_db()
    assert record.amount_eur == Decimal(FUNDING["amount_eur"])


def test_a_partial_correction_keeps_every_field_it_does_not_name(auditor):
    record = funding_record(auditor, purpose="Entrenar un modelo")
    services.funding_record_update(actor=auditor, record_id=record.pk, reason="Fuente nueva",
                                   data={"sources": ["https://example.org/boe/456"]})
    record.refresh_from_db()
    assert (record.programme, record.amount_eur, record.purpose) == (
        FUNDING["programme"], Decimal(FUNDING["amount_eur"]), "Entrenar un modelo",
    )
    assert list(record.repositories.values_list("repo_id", flat=True)) == ["lab/modelo"]
    assert record.sources == [{"url": "https://example.org/boe/456", "title": ""}]
    assert set(FundingRecordChange.objects.filter(action="updated").get().changes) == {"sources"}


def test_a_repository_named_twice_is_funded_once_not_split_in_half(staff):
    funding_record(staff, repositories=["lab/modelo", "model:lab/modelo"])
    row = selectors.register_row(key="model/lab/modelo")
    assert not row.is_split and row.money_in.value == Decimal(FUNDING["amount_eur"])


def test_a_private_repository_cannot_be_named_even_by_its_exact_id(staff):
    with pytest.raises(InvalidInput) as refused:
        funding_record(staff, repositories=["lab/secreto"])
    assert "lab/secreto" in refused.value.errors["repositories"][0]
    assert not FundingRecord.objects.exists()


def test_owners_are_named_in_any_case_and_unknown_ones_are_listed(staff):
    record = funding_record(staff, repositories=[], owners=["LAB"])
    assert list(record.owners.values_list("name", flat=True)) == ["lab"]
    with pytest.raises(InvalidInput) as refused:
        funding_record(staff, owners=["lab", "nadie"])
    assert "nadie" in refused.value.errors["owners"][0]
    assert FundingRecord.objects.count() == 1


@pytest.mark.parametrize("cost", ["0", "-1", "abc", "NaN", "Infinity", "1000000"])
def test_a_unit_cost_that_is_not_a_positive_amount_is_refused_and_stores_nothing(staff, cost):
    resource = compute.make_resource()
    with pytest.raises(InvalidInput) as refused:
        services.unit_cost_set(actor=staff, resource=resource, euros_per_unit=cost, source_url="https://example.org/t")
    assert "euros_per_unit" in refused.value.errors
    assert not ComputeUnitCost.objects.exists()


def test_a_resource_has_one_unit_cost_that_a_new_one_replaces(staff, member):
    resource = compute.make_resource()
    services.unit_cost_set(actor=staff, resource=resource, euros_per_unit="1.5", source_url="https://example.org/a")
    services.unit_cost_set(actor=staff, resource=resource, euros_per_unit="2.12346", source_url="https://example.org/b")
    assert list(ComputeUnitCost.objects.values_list("euros_per_unit", "source_url")) == [
        (Decimal("2.1235"), "https://example.org/b"),
    ]
    with pytest.raises(NotAllowed):
        services.unit_cost_set(actor=member, resource=resource, euros_per_unit="9", source_url="https://example.org/c")
    with pytest.raises(InvalidInput):
        services.unit_cost_set(actor=staff, resource=resource, euros_per_unit="3", source_url="javascript:alert(1)")
    assert ComputeUnitCost.objects.get().euros_per_unit == Decimal("2.1235")
