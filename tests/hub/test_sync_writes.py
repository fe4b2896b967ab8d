"""A sync writes only the repositories whose synced fields changed, and only those fields."""

import re
from dataclasses import replace
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.hub.models import HubRepository
from tests.hub import factories

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 24)


def _repository_updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "hub_hubrepository"')]


def _set_columns(sql: str) -> set[str]:
    assignments = sql.split(" SET ", 1)[1].split(" FROM ", 1)[0]
    return set(re.findall(r'"(\w+)" = v\.', assignments))


def test_partial_change_writes_only_the_changed_rows_and_fields():
    owner = factories.owner("bsc-lt", sync=False)
    items = [factories.remote(f"bsc-lt/modelo-{i}", downloads=100 + i) for i in range(20)]
    factories.catalogue(owner, items, today=DAY)

    changed = list(items)
    for i in range(5):
        changed[i] = replace(items[i], downloads=items[i].downloads + 7)  # downloads only
    changed[10] = replace(items[10], licence="mit")  # one other field on one row
    with CaptureQueriesContext(connection) as captured:
        result = factories.catalogue(owner, changed, today=DAY)

    updates = _repository_updates(captured.captured_queries)
    assert sorted(_set_columns(sql) for sql in updates) == sorted([{"downloads"}, {"licence"}])
    rows_per_update = sorted(len(re.findall(r"\(\d+::bigint", sql)) for sql in updates)  # a tuple per row
    assert rows_per_update == [1, 5]
    assert result.updated == 6
    assert HubRepository.objects.get(repo_id="bsc-lt/modelo-3").downloads == 110
    assert HubRepository.objects.get(repo_id="bsc-lt/modelo-10").licence == "mit"
    assert HubRepository.objects.get(repo_id="bsc-lt/modelo-11").licence == "apache-2.0"


def test_nothing_changed_writes_nothing():
    owner = factories.owner("bsc-lt", sync=False)
    items = [factories.remote(f"bsc-lt/modelo-{i}") for i in range(5)]
    factories.catalogue(owner, items, today=DAY)
    with CaptureQueriesContext(connection) as captured:
        result = factories.catalogue(owner, items, today=DAY)
    assert not [q for q in captured.captured_queries if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]
    assert result.rows_written == 0


def test_vanished_repository_gets_only_its_removal_date():
    owner = factories.owner("bsc-lt", sync=False)
    items = [factories.remote(f"bsc-lt/modelo-{i}") for i in range(3)]
    factories.catalogue(owner, items, today=DAY)
    with CaptureQueriesContext(connection) as captured:
        result = factories.catalogue(owner, items[:2], today=DAY)
    assert [_set_columns(sql) for sql in _repository_updates(captured.captured_queries)] == [{"removed_at"}]
    assert result.removed == 1 and result.updated == 0
    assert HubRepository.objects.get(repo_id="bsc-lt/modelo-2").removed_at is not None
