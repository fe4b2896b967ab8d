"""Whole-table numbers come from the cache, follow writes, and survive a Redis outage."""

import logging
import time

import pytest

from apps.core import summaries
from apps.core.selectors import platform_numbers
from apps.hub import selectors as hub_selectors
from tests.accounts.factories import UserFactory
from tests.hub import factories as hub
from tests.notifications.live_stack import wait_until
from tests.own_redis import OwnRedis
from tests.profiles.factories import make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_redis(settings):
    """A Redis of this test's own, as the only cache, that the test may stop."""
    server = OwnRedis().start()
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": server.url,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }}
    yield server
    server.stop()


def test_home_numbers_are_cached_until_a_member_joins(django_assert_num_queries):
    UserFactory.create_batch(2)
    with django_assert_num_queries(8):
        assert platform_numbers()["members"] == 2
    with django_assert_num_queries(0):
        assert platform_numbers()["members"] == 2
    UserFactory()
    with django_assert_num_queries(8):
        assert platform_numbers()["members"] == 3


def test_catalogue_facets_follow_the_search_and_the_next_sync(django_assert_num_queries):
    owner = hub.owner("bsc-lt")
    hub.catalogue(owner, [
        hub.remote("bsc-lt/latxa-7b", task="text-generation", languages=("eu",)),
        hub.remote("bsc-lt/roberta-ca", task="fill-mask", languages=("ca",)),
    ])
    latxa = hub_selectors.catalogue_facets(kind="model", q="LATXA")
    assert latxa["tasks"] == [("text-generation", 1)]
    assert dict(latxa["languages"])["eu"] == 1 and dict(latxa["languages"])["ca"] == 0
    assert hub_selectors.catalogue_facets(kind="model")["tasks"] == [("fill-mask", 1), ("text-generation", 1)]
    with django_assert_num_queries(0):
        hub_selectors.catalogue_facets(kind="model", q="latxa")

    hub.catalogue(owner, [
        hub.remote("bsc-lt/latxa-7b", task="text-generation", languages=("eu",)),
        hub.remote("bsc-lt/latxa-13b", task="text-generation", languages=("eu",)),
        hub.remote("bsc-lt/roberta-ca", task="fill-mask", languages=("ca",)),
    ])
    assert hub_selectors.catalogue_facets(kind="model", q="latxa")["tasks"] == [("text-generation", 2)]


def test_a_chosen_value_stays_listed_when_the_search_leaves_none():
    hub.catalogue(hub.owner("bsc-lt"), [hub.remote("bsc-lt/latxa-7b", task="text-generation")])
    facets = hub_selectors.catalogue_facets(kind="model", q="latxa", current={"task": "fill-mask"})
    assert ("fill-mask", 0) in facets["tasks"]


def test_catalogue_page_facets_respect_q(client):
    owner = hub.owner("bsc-lt")
    hub.catalogue(owner, [
        hub.remote("bsc-lt/latxa-7b", task="text-generation"),
        hub.remote("bsc-lt/roberta-ca", task="fill-mask"),
    ])
    body = client.get("/models/", {"q": "latxa"}).content.decode()
    assert "text-generation (1)" in body and "fill-mask (1)" not in body


def test_talent_facets_follow_profile_changes():
    from apps.profiles import selectors, services

    member = UserFactory()
    search = selectors.TalentSearch(skills=["nlp"])
    profile = make_profile(skills=[("nlp", 2)])
    assert selectors.talent_facets(viewer=member, search=search)["total"] == 1
    make_profile(skills=[("nlp", 1)])
    assert selectors.talent_facets(viewer=member, search=search)["total"] == 2
    services.profile_update(actor=profile.user, profile=profile, data={"visibility": "hidden"})
    assert selectors.talent_facets(viewer=member, search=search)["total"] == 1
    # The owner of the hidden profile still counts it: their view of the pool is their own.
    assert selectors.talent_facets(viewer=profile.user, search=search)["total"] == 2


def test_pages_render_and_compute_while_redis_is_down(own_redis, client, caplog):
    make_profile(skills=[("nlp", 2)])
    hub.catalogue(hub.owner("bsc-lt"), [hub.remote("bsc-lt/latxa-7b")])
    assert client.get("/talent/").status_code == 200  # fills the cache

    own_redis.stop()
    make_profile(skills=[("nlp", 1)])  # invalidation fails too: logged, the write goes through
    with caplog.at_level(logging.WARNING, logger="apps.core.summaries"):
        talent = client.get("/talent/", {"skill": "nlp"})
        models = client.get("/models/", {"q": "latxa"})
        home = client.get("/")
        ledger = client.get("/compute/dashboard/")
    assert [r.status_code for r in (talent, models, home, ledger)] == [200, 200, 200, 200]
    assert talent.context["page"].paginator.count == 2
    assert home.context["numbers"]["public_profiles"] == 2
    assert "latxa-7b" in models.content.decode()
    assert any("Cache unavailable" in record.getMessage() for record in caplog.records)


def test_invalidation_after_commit_too(django_capture_on_commit_callbacks):
    """A reader between the write and its commit would cache the old state: bump again on commit."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        summaries.invalidate("profiles")
        summaries.invalidate("profiles")
    assert len(callbacks) == 1


def test_while_one_caller_computes_the_others_get_the_last_value():
    """No stampede: callers arriving while a value is recomputed do not compute it too."""
    summary = summaries.Summary("stampede", ("profiles",))
    assert summary.get(lambda: "first", "x") == "first"
    summaries.invalidate("profiles")
    meanwhile = []

    def recompute():
        meanwhile.append(summary.get(lambda: pytest.fail("computed twice at once"), "x"))
        return "second"

    assert summary.get(recompute, "x") == "second"
    assert meanwhile == ["first"]
    assert summary.get(lambda: pytest.fail("cached"), "x") == "second"


def test_a_value_that_may_not_be_shared_any_more_is_never_served_meanwhile():
    summary = summaries.Summary("withdrawn", ("profiles",))
    assert summary.get(lambda: "public page", "x") == "public page"
    summaries.invalidate("profiles")
    assert summary.get(lambda: None, "x") is None  # e.g. the profile went private: a 404
    summaries.invalidate("profiles")
    meanwhile = []

    def recompute():
        meanwhile.append(summary.get(lambda: "computed by the second caller", "x"))
        return None

    assert summary.get(recompute, "x") is None
    assert meanwhile == ["computed by the second caller"]


def test_with_no_earlier_value_callers_wait_for_the_one_computing():
    """A cold start: 16 requests at once must not all run the same aggregate."""
    import threading

    summary = summaries.Summary("cold", ("profiles",))
    computed, results = [], []
    started = threading.Event()

    def slow():
        computed.append("slow")
        started.set()
        time.sleep(0.3)  # a slow aggregate is the case under test: the others must wait for it
        return "value"

    first = threading.Thread(target=lambda: results.append(summary.get(slow, "x")))
    first.start()
    started.wait(timeout=5)
    results.append(summary.get(lambda: computed.append("again") or "again", "x"))
    first.join()
    assert computed == ["slow"] and results == ["value", "value"]


def _sessions_on_this_database() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_an_expired_summary_is_recomputed_off_the_request_while_readers_get_the_last_value(settings):
    """The request that finds a summary stale answers at once; a thread of the process
    computes the new value (on a connection it gives back) and the next reader gets it."""
    from django.contrib.auth import get_user_model

    settings.SUMMARY_REFRESH_IN_BACKGROUND = True
    summary = summaries.Summary("refreshed", ("accounts",))
    members = get_user_model().objects

    def slow_count():
        time.sleep(0.4)  # slower than a request may wait: the case under test
        return members.count()

    UserFactory()
    assert summary.get(members.count, "x") == 1  # nothing to give meanwhile: computed here
    sessions = _sessions_on_this_database()
    for expected in (2, 3):
        UserFactory()  # invalidates "accounts"
        started = time.monotonic()
        assert summary.get(slow_count, "x") == expected - 1  # the last value, at once
        assert time.monotonic() - started < 0.3
        assert wait_until(lambda: summary.get(lambda: pytest.fail("computed twice"), "x") == expected, timeout=5, step=0.05)
    assert _sessions_on_this_database() == sessions  # the refresh thread closed its connection


@pytest.mark.django_db(transaction=True)
def test_a_failed_refresh_is_logged_and_the_next_reader_tries_again(settings, caplog):
    settings.SUMMARY_REFRESH_IN_BACKGROUND = True
    summary = summaries.Summary("refresh-fails", ("profiles",))
    assert summary.get(lambda: "first", "x") == "first"
    summaries.invalidate("profiles")

    def broken():
        raise RuntimeError("the database went away")

    with caplog.at_level(logging.ERROR, logger="apps.core.summaries"):
        assert summary.get(broken, "x") == "first"
        summaries._refresher.submit(lambda: None).result(timeout=5)  # the refresh has run
    assert "refresh-fails" in caplog.text
    assert summary.get(lambda: "second", "x") == "first"  # not locked out: this one refreshes
    summaries._refresher.submit(lambda: None).result(timeout=5)
    assert summary.get(lambda: pytest.fail("cached"), "x") == "second"


@pytest.mark.django_db
def test_a_page_withdrawn_from_visitors_is_never_served_while_summaries_refresh_off_the_request(settings):
    """Rendered pages need their request and may stop being public: they stay computed inline."""
    from django.test import Client

    settings.SUMMARY_REFRESH_IN_BACKGROUND = True
    profile = make_profile(display_name="Ana Ruiz", visibility="public")
    url = f"/talent/{profile.handle}/"
    assert Client().get(url).status_code == 200
    profile.visibility = "hidden"
    profile.save()
    assert Client().get(url).status_code == 404


def _round_trips_to_redis(monkeypatch) -> list:
    """Every command or pipeline the cache's Redis client sends, as it is sent."""
    import redis

    sent = []
    command, pipeline = redis.Redis.execute_command, redis.client.Pipeline.execute
    monkeypatch.setattr(redis.Redis, "execute_command", lambda self, *a, **k: sent.append(a[0]) or command(self, *a, **k))
    monkeypatch.setattr(redis.client.Pipeline, "execute", lambda self, *a, **k: sent.append(
        "pipeline:" + ",".join(c[0][0] for c in self.command_stack)) or pipeline(self, *a, **k))
    return sent


def test_a_summary_computed_by_its_reader_is_stored_in_one_round_trip(monkeypatch):
    """Value, last value and the end of the computing lock go together; a summary that never
    hands out its last value (database generations) does not store one."""
    from django.core.cache import cache

    sent = _round_trips_to_redis(monkeypatch)
    shared = summaries.Summary("one-trip", ("profiles",), in_background=False)
    assert shared.get(lambda: "numbers", "x") == "numbers"
    assert sent[-1] == "pipeline:SET,SET,DEL"
    key = shared.key("x")
    assert cache.get(key) == "numbers" and not cache.has_key(f"{key}:computing")
    assert cache.get(f"summary-latest:one-trip:{key.rsplit(':', 1)[1]}") == "numbers"

    sent.clear()
    fragment = summaries.Summary("one-trip-fragment", ("profiles",), in_background=False, database_generations=True)
    assert fragment.get(lambda: "<li>Ana</li>", "x") == "<li>Ana</li>"
    assert sent == ["MGET", "GET", "SET", "pipeline:SET,DEL"]  # generations, miss, lock, store
    key = fragment.key("x")
    assert cache.get(key) == "<li>Ana</li>" and not cache.has_key(f"{key}:computing")
    assert not cache.has_key(f"summary-latest:one-trip-fragment:{key.rsplit(':', 1)[1]}")
    assert fragment.get(lambda: pytest.fail("stored"), "x") == "<li>Ana</li>"


def test_a_summary_stored_during_a_redis_outage_is_kept_in_the_process(settings):
    """The one-trip store degrades like every other cache call: to the process's memory."""
    server = OwnRedis().start()
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}
    settings.CACHE_OUTAGE_RETRY_SECONDS = 60
    server.stop()
    summary = summaries.Summary("outage-store", ("profiles",), in_background=False)
    assert summary.get(lambda: "computed", "x") == "computed"
    assert summary.get(lambda: pytest.fail("kept in memory"), "x") == "computed"


def test_a_request_reads_the_database_generations_once_unless_it_writes(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    """A page and the fragments inside it, whatever their topics, share one read of the
    generations; a write the request makes is seen by what it reads afterwards."""
    from apps.core.models import TopicGeneration

    def request(_request):
        with django_assert_num_queries(1):
            first = summaries._database_stamp(("profiles", "accounts"))
            assert summaries._database_stamp(("profiles", "accounts")) == first
            summaries._database_stamp(("hub", "profiles"))  # other topics: from the same read
        with django_capture_on_commit_callbacks(execute=True):
            summaries.invalidate("profiles")  # bumped in the database when it commits
        after_write = summaries._database_stamp(("profiles", "accounts"))
        assert after_write != first
        assert after_write.split(".")[0] == str(TopicGeneration.objects.get(topic="profiles").generation)
        return after_write

    stamp = summaries.StampsPerRequestMiddleware(request)(None)
    with django_assert_num_queries(1):  # outside a request: read each time
        assert summaries._database_stamp(("profiles", "accounts")) == stamp
