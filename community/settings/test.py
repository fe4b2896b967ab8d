"""Test settings: the real stack (PostgreSQL and Redis) on this machine by default."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django-checks")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/community")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

# Each pytest-xdist worker (gw0, gw1, …; "main" in a serial run) keeps its Redis keys under
# its own namespace inside whatever database REDIS_URL names: cache, channel layer and
# broker keys of parallel workers never meet, and a test clears only its own worker's keys
# (tests/conftest.py). Set in the environment so servers a test starts inherit it.
TEST_REDIS_NAMESPACE = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
os.environ["CACHE_KEY_PREFIX"] = f"{TEST_REDIS_NAMESPACE}:cache"
os.environ["CHANNEL_LAYER_PREFIX"] = f"{TEST_REDIS_NAMESPACE}:asgi:"

from community.settings.base import *  # noqa: E402,F403
from community.settings.base import CELERY_BROKER_TRANSPORT_OPTIONS, STORAGES  # noqa: E402

# Tests share one process between the test thread, an in-process Celery worker and the servers
# some tests start in threads; they run without the connection pool, as Celery workers do in
# production (Procfile). The pool itself is tested through the Procfile's web process
# (tests/asgi_server.py sets DB_POOL=true for it; tests/core/test_connections.py).
DATABASES["default"]["OPTIONS"].pop("pool", None)  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Serve static files straight from the source folders: tests never run collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Tests enqueue through the real Redis broker; the ones that need a worker start one.
CELERY_TASK_ALWAYS_EAGER = False
# The test process is no long-running server: freezing its heap would only keep garbage.
GC_FREEZE_AFTER_REQUESTS = []
# Most tests run inside a transaction no other connection sees: a summary refreshed in
# another thread would count other rows. tests/core/test_summaries.py turns it on.
SUMMARY_REFRESH_IN_BACKGROUND = False

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": f"{TEST_REDIS_NAMESPACE}:celery:",
}
