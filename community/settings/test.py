"""Test settings: the real stack (PostgreSQL and Redis) on this machine by default."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django-checks")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/community")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from community.settings.base import *  # noqa: E402,F403
from community.settings.base import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Serve static files straight from the source folders: tests never run collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Tests enqueue through the real Redis broker; the ones that need a worker start one.
CELERY_TASK_ALWAYS_EAGER = False
# Production reads sessions through the Redis cache (cached_db). Tests keep plain database
# sessions so the exact query counts asserted across the suite do not depend on the cache;
# tests/core/test_connections.py checks the production engine.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
