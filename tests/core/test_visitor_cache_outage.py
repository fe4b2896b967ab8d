"""A page cached for visitors never outlives a change of visibility, even when Redis is
frozen or refuses writes while the change is made (a Redis the test owns)."""

import time

import pytest
from django.test import Client

from tests.own_redis import OwnRedis
from tests.profiles.factories import make_profile

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_redis(settings):
    server = OwnRedis().start()
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}
    settings.CACHE_OUTAGE_RETRY_SECONDS = 1
    yield server
    server.stop()


def hide(profile):
    from apps.profiles import services

    services.profile_update(actor=profile.user, profile=profile, data={"visibility": "hidden"})


@pytest.mark.parametrize("fault", ["frozen", "writes paused"])
def test_a_profile_hidden_while_redis_misbehaves_is_not_served_from_the_cache(own_redis, fault):
    """Before: the generation bump was lost with Redis, and once the process used Redis
    again it served the stored page for up to VISITOR_CACHE_MAX_AGE (about 100 s measured)."""
    profile = make_profile(display_name="Ana Ruiz", visibility="public")
    url = f"/talent/{profile.handle}/"
    assert Client().get(url).status_code == 200
    assert Client().get(url).context is None  # the stored page: what is at stake
    assert "Ana Ruiz" in Client().get("/talent/").content.decode()

    if fault == "frozen":
        own_redis.freeze()
        hide(profile)  # the cache gives up on Redis after its 1 s socket timeout
        own_redis.thaw()
    else:
        own_redis.pause_writes(seconds=4)  # reads answered, the bump held until it times out
        hide(profile)
    time.sleep(1.2)  # past CACHE_OUTAGE_RETRY_SECONDS: the process reads Redis again

    assert Client().get(url).status_code == 404
    assert "Ana Ruiz" not in Client().get("/talent/").content.decode()
