"""A page cached for visitors never outlives a change of visibility, even when Redis is
frozen or refuses writes while the change is made (a Redis the test owns)."""

import time

import pytest
from django.test import Client

from tests.own_redis import OwnRedis
from tests.profiles.factories import make_profile

# Real commits: the generation kept in the database is bumped after the commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_redis(settings):
    server = OwnRedis().start()
    default = settings.CACHES["default"]
    # A shorter socket timeout than production's 1 s only makes the test quicker.
    settings.CACHES = {"default": {**default, "LOCATION": server.url,
                                   "OPTIONS": {**default["OPTIONS"], "socket_timeout": 0.3}}}
    settings.CACHE_OUTAGE_RETRY_SECONDS = 1
    yield server
    server.stop()


def hide(profile):
    from apps.profiles import services

    services.profile_update(actor=profile.user, profile=profile, data={"visibility": "hidden"})


def test_a_profile_hidden_while_redis_misbehaves_is_not_served_from_the_cache(own_redis):
    """Before: the generation bump was lost with Redis, and once the process used Redis
    again it served the stored page for up to VISITOR_CACHE_MAX_AGE (about 100 s measured)."""
    for fault in ("frozen", "writes paused"):
        profile = make_profile(display_name=f"Ana Ruiz {fault}", visibility="public")
        url = f"/talent/{profile.handle}/"
        assert Client().get(url).status_code == 200
        assert Client().get(url).context is None  # the stored page: what is at stake
        assert profile.display_name in Client().get("/talent/").content.decode()

        if fault == "frozen":
            own_redis.freeze()
            hide(profile)  # the cache gives up on Redis after its socket timeout
            own_redis.thaw()
        else:
            own_redis.pause_writes(seconds=3)  # reads answered, the bump held until it times out
            hide(profile)
        time.sleep(1.2)  # past CACHE_OUTAGE_RETRY_SECONDS: the process reads Redis again

        assert Client().get(url).status_code == 404, fault
        assert profile.display_name not in Client().get("/talent/").content.decode(), fault
