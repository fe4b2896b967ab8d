"""Benchmark: sync Hub owners of 2,500 repositories each from the local Hub imitation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/community_hub \
    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python -m bench.hub_sync [--owners 20]

First one owner (first sync, idle sync, a day with 100 changes, a day on which every
repository's downloads change: target under 2 s), then `--owners` owners together
(50,000 repositories by default) on their first and on a normal next day (target under 60 s).

Runs in a throw-away test database (test_<name>), so it never touches real data. The
real `huggingface_hub` client talks HTTP to the imitation in tests/hub/fake_hub.py.
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings.test")

from tests.hub.fake_hub import FakeHub, dataset_item, model_item  # noqa: E402

FAKE_HUB = FakeHub()
os.environ["HF_ENDPOINT"] = FAKE_HUB.url  # before huggingface_hub is imported

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

from apps.hub import services  # noqa: E402
from apps.hub.hub_client import HubPolicy  # noqa: E402
from apps.hub.models import HubRepository, HubSnapshot  # noqa: E402

MODELS, DATASETS = 2000, 500
OWNER = "bench-org"


def publish(downloads_bump: int = 0, drop: int = 0, *, owner: str = OWNER, bumped: int = 100):
    """`bumped` models (and, when it is all of them, every dataset) gain `downloads_bump`."""
    FAKE_HUB.set_owner(
        owner,
        models=[model_item(f"{owner}/modelo-{i:04d}", downloads=i + (downloads_bump if i < bumped else 0),
                           likes=i % 13, languages=("es", "ca") if i % 2 else ("eu", "gl"))
                for i in range(drop, MODELS)],
        datasets=[dataset_item(f"{owner}/corpus-{i:04d}", downloads=i + (downloads_bump if bumped >= MODELS else 0),
                               languages=("es",)) for i in range(DATASETS)],
    )


def run(owner_id: int, label: str, day: date) -> dict:
    policy = HubPolicy.from_settings()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = services.owner_sync(owner_id=owner_id, policy=policy, today=day)
        elapsed = time.perf_counter() - started
    writes = sum(q["sql"].startswith(("INSERT", "UPDATE", "DELETE")) for q in queries.captured_queries)
    row = {
        "run": label, "seconds": round(elapsed, 2), "http_calls": result.http_calls,
        "sql_queries": len(queries.captured_queries), "sql_writes": writes, "created": result.created,
        "updated": result.updated, "removed": result.removed, "snapshots": result.snapshots,
        "status": result.status,
    }
    print(" | ".join(f"{k}={v}" for k, v in row.items()))
    return row


def many_owners(count: int, start: date) -> list[dict]:
    """`count` owners of 2,500 repositories: the first sync, then a day on which every download changes."""
    names = [f"bench-org-{n:02d}" for n in range(count)]
    for name in names:
        publish(owner=name)
    owners = [services.tracked_owner_ensure(name=name, kind="org", sync=False) for name in names]
    rows = []
    for label, day in (("first sync", start), ("next day, every repository changed", start + timedelta(days=1))):
        if day != start:
            for name in names:
                publish(downloads_bump=3, owner=name, bumped=MODELS)
        started = time.perf_counter()
        results = [services.owner_sync(owner_id=owner.pk, policy=HubPolicy.from_settings(), today=day)
                   for owner in owners]
        elapsed = round(time.perf_counter() - started, 1)
        row = {"run": f"{count} owners, {label}", "seconds": elapsed,
               "repositories": count * (MODELS + DATASETS),
               "updated": sum(r.updated for r in results), "created": sum(r.created for r in results),
               "status": ",".join(sorted({r.status for r in results}))}
        print(" | ".join(f"{k}={v}" for k, v in row.items()))
        rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owners", type=int, default=20, help="owners of 2,500 repositories in the national run")
    args = parser.parse_args()
    settings.HF_ENDPOINT = FAKE_HUB.url
    settings.DEBUG = False
    settings.HUB_CALL_BUDGET_ANONYMOUS = 10_000  # the budget is not what is measured here
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        rows = []
        for page_size in (1000, 100):
            HubRepository.objects.all().delete()
            FAKE_HUB.reset()
            FAKE_HUB.page_size = page_size
            publish()
            owner = services.tracked_owner_ensure(name=f"{OWNER}", kind="org", sync=False)
            today = date(2026, 11, 24)
            print(f"-- Hub page size {page_size}")
            rows.append(run(owner.pk, f"first sync (page {page_size})", today))
            rows.append(run(owner.pk, f"second sync, nothing changed (page {page_size})", today))
            publish(downloads_bump=5, drop=10)
            rows.append(run(owner.pk, f"next day, 100 changed + 10 removed (page {page_size})", today + timedelta(days=1)))
            publish(downloads_bump=9, drop=10, bumped=MODELS)
            rows.append(run(owner.pk, f"day after, every repository changed (page {page_size})",
                            today + timedelta(days=2)))
        assert HubRepository.objects.filter(removed_at__isnull=True).count() == MODELS + DATASETS - 10
        assert HubSnapshot.objects.filter(day=date(2026, 11, 26)).count() == MODELS + DATASETS - 10
        assert rows[1]["sql_writes"] == 0 and rows[5]["sql_writes"] == 0
        all_changed = max(r["seconds"] for r in rows if "every repository" in r["run"])
        print(f"one owner, every repository changed: {all_changed} s (target < 2 s)")

        HubRepository.objects.all().delete()
        FAKE_HUB.reset()
        FAKE_HUB.page_size = 1000
        national = many_owners(args.owners, date(2026, 12, 1))
        print(f"{args.owners} owners, daily sync: {national[-1]['seconds']} s (target < 60 s)")
        return 0 if all_changed < 2 and national[-1]["seconds"] < 60 else 1
    finally:
        teardown_databases(old_config, verbosity=0)
        FAKE_HUB.stop()


if __name__ == "__main__":
    sys.exit(main())
