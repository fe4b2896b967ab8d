"""The public ledger must not read the whole Hub catalogue to show what compute funded."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.compute import selectors
from apps.compute.models import ExpectedOutput
from apps.hub.models import HubOwner, HubRepository
from tests.compute.factories import approved_request, make_call
from tests.query_plans import analyse, assert_no_seq_scan

pytestmark = pytest.mark.django_db
HUB_TABLE = HubRepository._meta.db_table


def _plans_of_every_query(run) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        run()
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def test_ledger_adoption_looks_repositories_up_by_index():
    owner = HubOwner.objects.create(name="bsc-lt")
    HubRepository.objects.bulk_create(
        (HubRepository(owner=owner, kind="model", repo_id=f"bsc-lt/modelo-{i:05d}", downloads=i) for i in range(6000)),
        batch_size=2000,
    )
    allocation, _grant = approved_request(call=make_call())
    ExpectedOutput.objects.create(request=allocation, kind="model", repo_id="bsc-lt/modelo-00042", licence="mit")
    analyse(HUB_TABLE)

    plans = _plans_of_every_query(selectors.funded_outputs_adoption)
    assert any(HUB_TABLE in plan for plan in plans)
    for plan in plans:
        assert_no_seq_scan(plan, HUB_TABLE)
    assert selectors.funded_outputs_adoption().published == 1


def test_ledger_sums_the_grants_kept_totals_not_the_usage_records():
    """The per-call sums of use add the grants' kept totals: the ledger never reads the
    usage records, however many years of daily use they hold."""
    from datetime import date, timedelta

    from apps.compute.models import UsageRecord
    from apps.compute.services.usage import usage_recorded

    call = make_call()
    grants = [approved_request(call=call)[1] for _ in range(3)]
    other = approved_request(call=make_call())[1]
    start = date(2020, 1, 1)
    UsageRecord.objects.bulk_create(
        (
            UsageRecord(grant=grant, period_start=start + timedelta(days=day), period_end=start + timedelta(days=day),
                        units=1, source="slurm" if day % 2 else "api")
            for grant in [*grants, other] for day in range(3000)
        ),
        batch_size=6000,
    )
    usage_recorded(grant.pk for grant in [*grants, other])  # what every write path ends with
    analyse(UsageRecord._meta.db_table)

    plans = _plans_of_every_query(selectors._public_ledger)
    for plan in plans:
        assert_no_seq_scan(plan, UsageRecord._meta.db_table)
        assert UsageRecord._meta.db_table not in plan, plan
    ledger = {row.slug: row for row in selectors._public_ledger()[0]}
    assert (ledger[call.slug].used, ledger[call.slug].measured) == (9000, 4500)
