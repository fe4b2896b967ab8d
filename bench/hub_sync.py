"""Benchmark: sync one Hub owner with 2,500 repositories from the local Hub imitation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/community_hub \
    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python -m bench.hub_sync

Runs in a throw-away test database (test_<name>), so it never touches real data. The
real `huggingface_hub` client talks HTTP to the imitation in tests/hub/fake_hub.py.
"""

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


def publish(downloads_bump: int = 0, drop: int = 0):
    FAKE_HUB.set_owner(
        OWNER,
        models=[model_item(f"{OWNER}/modelo-{i:04d}", downloads=i + (downloads_bump if i < 100 else 0),
                           likes=i % 13, languages=("es", "ca") if i % 2 else ("eu", "gl"))
                for i in range(drop, MODELS)],
        datasets=[dataset_item(f"{OWNER}/corpus-{i:04d}", downloads=i, languages=("es",)) for i in range(DATASETS)],
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


def main() -> int:
    settings.HF_ENDPOINT = FAKE_HUB.url
    settings.DEBUG = False
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
        assert HubRepository.objects.filter(removed_at__isnull=True).count() == MODELS + DATASETS - 10
        assert HubSnapshot.objects.filter(day=date(2026, 11, 25)).count() == MODELS + DATASETS - 10
        assert rows[1]["sql_writes"] == 0 and rows[4]["sql_writes"] == 0
        worst = max(r["seconds"] for r in rows)
        print(f"slowest run {worst} s (target < 20 s); most HTTP calls in one run: "
              f"{max(r['http_calls'] for r in rows)} (budget {settings.HUB_CALL_BUDGET_ANONYMOUS} per 5 min)")
        return 0 if worst < 20 else 1
    finally:
        teardown_databases(old_config, verbosity=0)
        FAKE_HUB.stop()


if __name__ == "__main__":
    sys.exit(main())
