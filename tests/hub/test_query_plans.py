"""The catalogue's lists and searches, and the lookups by repository id, use indexes.

The table is seeded with a few thousand rows and analysed, so the planner has a real
choice: without the right index it reads the whole table (a sequential scan)."""

import pytest
from django.db import connection

from apps.hub import selectors
from apps.hub.models import HubOwner, HubRepository
from tests.query_plans import analyse, assert_no_seq_scan, plan_of

pytestmark = pytest.mark.django_db
TABLE = HubRepository._meta.db_table


@pytest.fixture
def large_catalogue():
    owners = HubOwner.objects.bulk_create(HubOwner(name=f"org-{i}") for i in range(50))
    HubRepository.objects.bulk_create(
        (
            HubRepository(
                owner=owners[i % 50], kind="model" if i % 4 else "dataset",
                repo_id=f"org-{i % 50}/{'latxa' if i % 1000 == 1 else 'repo'}-{i:05d}",
                downloads=(i * 7919) % 10007, likes=i % 97, downloads_growth=(i * 31) % 1000 - 500, task="fill-mask" if i % 3 else "text-generation",
                licence="apache-2.0",
            )
            for i in range(6000)
        ),
        batch_size=2000,
    )
    analyse(TABLE, HubOwner._meta.db_table)


def test_lookup_by_repository_id_alone_uses_its_index(large_catalogue):
    """The compute ledger and submissions name repositories by id without their kind."""
    found = selectors.repository_visible().filter(repo_id__in=["org-3/repo-00003", "org-2/repo-00002"])
    plan = plan_of(found)
    assert_no_seq_scan(plan, TABLE)
    assert "hub_repo_repo_id_idx" in plan, plan


def test_name_search_does_not_scan_the_catalogue(large_catalogue):
    """A name that few repositories share (as searches are): at 6,000 rows a scan is still
    close in cost, so plain scans are priced out and the trigram index must be found."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = plan_of(selectors.repository_list(q="latxa"))  # the API searches every kind
    assert_no_seq_scan(plan, TABLE)
    assert "hub_repo_id_trgm_idx" in plan, plan


def test_api_list_of_every_kind_reads_the_top_in_index_order(large_catalogue):
    plan = plan_of(selectors.repository_list()[:20])
    assert_no_seq_scan(plan, TABLE)


@pytest.mark.parametrize("sort", list(selectors.SORTS))
def test_every_sort_of_a_kind_uses_an_index(large_catalogue, sort):
    plan = plan_of(selectors.repository_list(kind="model", sort=sort)[:25])
    assert_no_seq_scan(plan, TABLE)
