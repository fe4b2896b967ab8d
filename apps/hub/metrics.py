"""The Hub sync's Prometheus metrics (apps/core/metrics.py serves them)."""

from prometheus_client import Counter, Gauge

SYNC_RUNS = Counter("community_hub_sync_runs_total", "Hub sync runs by outcome (ok, failed, skipped).", ["status"])
SYNC_DEADLINES = Counter("community_hub_sync_deadline_exceeded_total",
                         "Hub sync runs stopped by their deadline (HUB_SYNC_DEADLINE_SECONDS).")
LAST_SUCCESS = Gauge("community_hub_sync_last_success_timestamp_seconds",
                     "When a Hub sync last succeeded (Unix time).", multiprocess_mode="max")
