"""The API's one budget per caller: visitors at the anonymous rate, members at theirs."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.accounts.factories import UserFactory
from tests.conftest import clear_worker_redis


@pytest.fixture
def low_rates(monkeypatch):
    clear_worker_redis()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "anon": "2/minute", "user": "4/minute"})
    yield
    clear_worker_redis()


def statuses(client, times):
    return [client.get("/api/hackathons/").status_code for _ in range(times)]


@pytest.mark.django_db
def test_visitors_and_members_each_have_their_own_budget_at_their_own_rate(low_rates):
    assert statuses(APIClient(), 3) == [200, 200, 429]
    member = APIClient()
    member.force_login(UserFactory())
    # Same address as the visitor whose budget is spent: a member is counted by account.
    assert statuses(member, 5) == [200, 200, 200, 200, 429]


@pytest.mark.django_db
def test_a_visitor_request_reads_and_writes_one_budget(monkeypatch):
    """One throttle, not DRF's anonymous and user throttles both counting a visitor."""
    clear_worker_redis()
    touched, real = [], SimpleRateThrottle.cache

    class Spy:
        def __getattr__(self, name):
            method = getattr(real, name)

            def spied(key, *args, **kwargs):
                touched.append((name, key))
                return method(key, *args, **kwargs)

            return spied

    monkeypatch.setattr(SimpleRateThrottle, "cache", Spy())
    assert APIClient().get("/api/hackathons/").status_code == 200
    assert [name for name, _key in touched] == ["get", "set"]
