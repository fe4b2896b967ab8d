"""Settings selection, checked in fresh interpreters so the environment really decides."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
from django.conf import settings
django.setup()
from community.celery import app
print(json.dumps({
    "database": settings.DATABASES["default"]["ENGINE"],
    "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "tasks_eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "email": settings.EMAIL_BACKEND,
    "email_timeout": settings.EMAIL_TIMEOUT,
    "debug": settings.DEBUG,
    "hf_endpoint": settings.HF_ENDPOINT,
    "acks_late": app.conf.task_acks_late,
    "reject_on_worker_lost": app.conf.task_reject_on_worker_lost,
    "serializer": app.conf.task_serializer,
}))
"""
CONFIG_VARS = {
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "EMAIL_URL", "HF_ENDPOINT",
    "ALLOWED_HOSTS", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "GITHUB_CLIENT_ID",
    "HF_OAUTH_CLIENT_ID", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_SENTINELS", "REDIS_SENTINEL_MASTER", "DB_PGBOUNCER",
}


def run_python(code: str, settings_module: str, *, timeout: int = 60, **env_vars) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    env.update(DJANGO_SETTINGS_MODULE=settings_module, **env_vars)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def probe(settings_module: str, **env_vars) -> dict:
    result = run_python(PROBE, settings_module, **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_variables_means_the_embedded_stack():
    config = probe("community.settings.local")
    assert config["database"] == "django.db.backends.sqlite3"
    assert config["channel_layer"] == "channels.layers.InMemoryChannelLayer"
    assert config["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert config["tasks_eager"] is True
    assert config["email"] == "django.core.mail.backends.console.EmailBackend"
    assert config["debug"] is True


def test_database_and_redis_urls_select_the_full_stack():
    config = probe(
        "community.settings.local",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/community",
        REDIS_URL="redis://127.0.0.1:6379/3",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587",
        HF_ENDPOINT="http://127.0.0.1:9999",
    )
    assert config["database"] == "django.db.backends.postgresql"
    assert config["channel_layer"] == "apps.core.channel_layer.CommunityRedisChannelLayer"
    assert config["cache"] == "apps.core.cache.FailSoftRedisCache"  # Redis, degrading while it is down
    assert config["tasks_eager"] is False
    assert config["broker"] == "redis://127.0.0.1:6379/3"
    assert config["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert config["email_timeout"] == 30  # a silent mail server never holds a mailer for ever
    assert config["hf_endpoint"] == "http://127.0.0.1:9999"
    assert probe("community.settings.local", EMAIL_URL="smtp://smtp.example.org:25?timeout=7")["email_timeout"] == 7


def test_celery_is_configured_for_at_least_once_delivery_with_json():
    config = probe("community.settings.local")
    assert config["acks_late"] is True
    assert config["reject_on_worker_lost"] is True
    assert config["serializer"] == "json"


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python(PROBE, "community.settings.production", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    env.update(
        DJANGO_SETTINGS_MODULE="community.settings.production",
        SECRET_KEY="k8#Vq2!zR0pL9^wX4&nB7*cY1@mT6$hJ3%fD5+gS8-eA0=uI2~oP",
        ALLOWED_HOSTS="comunidad-ia.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/community",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


OAUTH_PROBE = """
import json, django
from django.conf import settings
django.setup()
from allauth.socialaccount.adapter import get_adapter
print(json.dumps(sorted(p.sub_id for p in get_adapter().list_providers(None))))
"""


def _test_database_url() -> str:
    """The test database, already migrated, for probes that read allauth's tables."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db
def test_oauth_logins_are_off_unless_their_credentials_are_set():
    result = run_python(OAUTH_PROBE, "community.settings.local", DATABASE_URL=_test_database_url())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


@pytest.mark.django_db
def test_github_and_hugging_face_logins_switch_on_with_credentials():
    result = run_python(
        OAUTH_PROBE,
        "community.settings.local",
        DATABASE_URL=_test_database_url(),
        GITHUB_CLIENT_ID="gh-id", GITHUB_CLIENT_SECRET="gh-secret",
        HF_OAUTH_CLIENT_ID="hf-id", HF_OAUTH_CLIENT_SECRET="hf-secret",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["github", "huggingface"]


SEVERAL_NODES_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.cache import cache
from community.celery import app
database = settings.DATABASES["default"]
pool = cache._cache._get_connection_pool(False)
print(json.dumps({
    "broker": app.conf.broker_url, "transport": app.conf.broker_transport,
    "transport_options": app.conf.broker_transport_options,
    "server_side_cursors_disabled": database.get("DISABLE_SERVER_SIDE_CURSORS", False),
    "prepare_threshold": database["OPTIONS"].get("prepare_threshold", "default"),
    "cache_pool": type(pool).__name__, "cache_service": pool.service_name, "cache_db": pool.connection_kwargs["db"],
}))
"""


def test_sentinels_and_pgbouncer_configure_every_redis_client_and_the_database():
    """REDIS_SENTINELS points the cache and the broker at the sentinels (the channel layer and
    presence share the cache's pool factory); DB_PGBOUNCER turns off what transaction pooling breaks."""
    result = run_python(
        SEVERAL_NODES_PROBE, "community.settings.local",
        DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:6432/community", REDIS_URL="redis://127.0.0.1:6379/3",
        REDIS_SENTINELS="10.0.0.1:26379,10.0.0.2:26379", REDIS_SENTINEL_MASTER="comunidad", DB_PGBOUNCER="true",
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout.strip().splitlines()[-1])
    assert config["broker"] == "sentinel://10.0.0.1:26379/3;sentinel://10.0.0.2:26379/3"
    assert config["transport"] == "community.broker:SentinelTransport"
    assert config["transport_options"] == {"visibility_timeout": 3600, "master_name": "comunidad"}
    assert config["server_side_cursors_disabled"] is True
    assert config["prepare_threshold"] is None
    assert config["cache_pool"] == "SentinelBlockingConnectionPool"
    assert (config["cache_service"], config["cache_db"]) == ("comunidad", 3)


def test_without_sentinels_or_pgbouncer_nothing_changes():
    result = run_python(
        SEVERAL_NODES_PROBE.replace('"cache_service": pool.service_name, ', ""), "community.settings.local",
        DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:5432/community", REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout.strip().splitlines()[-1])
    assert config["broker"] == "redis://127.0.0.1:6379/3"
    assert config["transport"] == "community.broker:Transport"
    assert config["server_side_cursors_disabled"] is False
    assert config["cache_pool"] == "BlockingConnectionPool"
