"""Accounts' Prometheus metrics (apps/core/metrics.py serves them)."""

from prometheus_client import Counter

LOGIN_BUDGET_REFUSALS = Counter(
    "community_login_budget_refusals_total",
    "Sign-in attempts refused because a budget of the address or account was spent.", ["action"],
)
