"""Refusals of the log-in budget are counted at `/metrics` (an alert watches their rate)."""

import pytest
from django.test import Client

from tests.accounts.factories import UserFactory
from tests.accounts.test_login_budget import PER_ACCOUNT, page_attempt
from tests.metrics_scrape import metric

pytestmark = pytest.mark.django_db


def test_login_budget_refusals_move_when_a_budget_is_spent():
    client = Client()
    before = metric(client, "community_login_budget_refusals_total", action="login_failed")
    user = UserFactory()
    for _ in range(PER_ACCOUNT):
        page_attempt(client, user.email, "wrong-guess")
    assert metric(client, "community_login_budget_refusals_total", action="login_failed") == before
    page_attempt(client, user.email, "wrong-guess")
    assert metric(client, "community_login_budget_refusals_total", action="login_failed") == before + 1
