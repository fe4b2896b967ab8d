import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.hub import services
from apps.hub.hub_client import CallBudget, HubPolicy
from apps.hub.models import HubOwner, HubRepository, HubRepositoryLanguage, HubSnapshot
from apps.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.hub import factories
from tests.hub.fake_hub import dataset_item, model_item
from workers.hub import sync_all_owners, sync_owner

DAY = date(2026, 11, 24)


class Sleeper:
    """Records waits instead of sleeping, so backoff is tested without waiting."""

    def __init__(self):
        self.calls = []

    def __call__(self, seconds):
        self.calls.append(seconds)


def policy(**kw):
    kw.setdefault("sleep", Sleeper())
    kw.setdefault("jitter", lambda: 0.5)
    return HubPolicy(**kw)


def big_owner(fake_hub, name="bsc-lt", models=2000, datasets=500):
    fake_hub.set_owner(
        name,
        models=[model_item(f"{name}/modelo-{i:04d}", downloads=i, likes=i % 7,
                           languages=("es", "ca") if i % 2 else ("eu",)) for i in range(models)],
        datasets=[dataset_item(f"{name}/corpus-{i:04d}", downloads=i * 2, languages=("gl",))
                  for i in range(datasets)],
    )


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE")]


@pytest.mark.django_db
def test_hf_endpoint_points_at_the_imitation_before_import(fake_hub):
    from huggingface_hub import constants

    assert constants.ENDPOINT == fake_hub.url


@pytest.mark.django_db
def test_sync_of_2500_paginated_repositories_then_idle_run_writes_nothing(fake_hub):
    fake_hub.page_size = 500
    big_owner(fake_hub)
    owner = factories.owner("bsc-lt")

    result = services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)

    assert (result.status, result.created, result.removed) == ("ok", 2500, 0)
    # 2,000 models in 4 pages and 500 datasets in 1: five listing calls, following the Link
    # header (the client may add its once-a-day /api/agent-harnesses lookup; counted too).
    assert result.http_calls == len(fake_hub.requests) <= 6
    cursors = [r["query"].get("cursor", ["0"])[0] for r in fake_hub.listing_requests()]
    assert cursors == ["0", "500", "1000", "1500", "0"]
    assert HubRepository.objects.filter(kind="model").count() == 2000
    assert HubRepository.objects.filter(kind="dataset").count() == 500
    assert HubSnapshot.objects.filter(day=DAY).count() == 2500
    model = HubRepository.objects.get(repo_id="bsc-lt/modelo-0007")
    assert (model.downloads, model.downloads_all_time, model.likes) == (7, 35, 0)
    assert model.languages == ["ca", "es"]
    assert (model.task, model.library, model.licence, model.gated, model.private) == (
        "fill-mask", "transformers", "apache-2.0", "", False)
    assert model.hub_created_at.isoformat() == "2025-03-04T10:11:12+00:00"
    dataset = HubRepository.objects.get(repo_id="bsc-lt/corpus-0003")
    assert (dataset.kind, dataset.downloads, dataset.task, dataset.licence, dataset.languages) == (
        "dataset", 6, "text-classification", "cc-by-4.0", ["gl"])
    assert HubRepositoryLanguage.objects.filter(code="gl").count() == 500
    owner.refresh_from_db()
    assert (owner.sync_status, owner.repository_count, owner.last_http_calls) == ("ok", 2500, result.http_calls)

    with CaptureQueriesContext(connection) as queries:
        again = services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)
    assert again.status == "ok"
    assert (again.created, again.updated, again.removed, again.snapshots, again.rows_written) == (0, 0, 0, 0, 0)
    assert writes(queries.captured_queries) == []
    assert len(queries.captured_queries) <= 8  # reads in bulk too, never row by row


@pytest.mark.django_db
def test_changes_and_disappearances_are_applied_and_history_is_kept(fake_hub):
    fake_hub.set_owner("proyecto-gl", models=[model_item(f"proyecto-gl/m{i}", downloads=i) for i in range(6)])
    owner = factories.owner("proyecto-gl")
    services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY - timedelta(days=1))

    fake_hub.set_owner("proyecto-gl", models=[
        model_item("proyecto-gl/m0", downloads=100, likes=9, languages=("gl", "es")),
        *[model_item(f"proyecto-gl/m{i}", downloads=i) for i in (1, 2, 3)],
        model_item("proyecto-gl/m6", downloads=1),
    ])
    result = services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)

    assert (result.created, result.updated, result.removed) == (1, 1, 2)
    gone = HubRepository.objects.filter(repo_id__in=["proyecto-gl/m4", "proyecto-gl/m5"])
    assert all(repo.removed_at is not None for repo in gone)
    assert HubSnapshot.objects.filter(repository__in=gone).count() == 2  # yesterday's stay
    m0 = HubRepository.objects.get(repo_id="proyecto-gl/m0")
    assert (m0.downloads, m0.likes, m0.languages) == (100, 9, ["es", "gl"])
    assert sorted(m0.language_rows.values_list("code", flat=True)) == ["es", "gl"]
    assert list(m0.snapshots.values_list("day", "downloads")) == [(DAY - timedelta(days=1), 0), (DAY, 100)]

    fake_hub.set_owner("proyecto-gl", models=[model_item("proyecto-gl/m4", downloads=4)])
    services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)
    assert HubRepository.objects.get(repo_id="proyecto-gl/m4").removed_at is None
    assert HubRepository.objects.filter(owner=owner, removed_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_token_is_sent_only_when_configured(fake_hub, settings):
    fake_hub.set_owner("grupo", models=[model_item("grupo/a")])
    owner = factories.owner("grupo")
    services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)
    assert all("authorization" not in {k.lower() for k in r["headers"]} for r in fake_hub.requests)

    settings.HF_TOKEN = "hf_test_token"
    services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)
    sent = [{k.lower(): v for k, v in r["headers"].items()} for r in fake_hub.listing_requests()[-2:]]
    assert [h.get("authorization") for h in sent] == ["Bearer hf_test_token"] * 2


@pytest.mark.django_db
def test_429_waits_for_the_reset_time_the_hub_sends(fake_hub):
    fake_hub.set_owner("grupo", models=[model_item("grupo/a")])
    owner = factories.owner("grupo")
    fake_hub.queue(429, {"RateLimit": '"api";r=0;t=7', "RateLimit-Policy": '"fixed window";"api";q=500;w=300'})
    fake_hub.queue(429, {"Retry-After": "3"})
    sleeper = Sleeper()

    result = services.owner_sync(owner_id=owner.pk, policy=policy(sleep=sleeper), today=DAY)

    assert result.status == "ok"
    assert sleeper.calls == [7.0, 3.0]
    assert len(fake_hub.listing_requests()) == 4


@pytest.mark.django_db
def test_5xx_is_retried_with_exponential_backoff_and_jitter(fake_hub):
    fake_hub.set_owner("grupo", models=[model_item("grupo/a")])
    owner = factories.owner("grupo")
    for status in (503, 502, 500):
        fake_hub.queue(status)
    sleeper = Sleeper()

    result = services.owner_sync(owner_id=owner.pk, policy=policy(sleep=sleeper, jitter=lambda: 0.5), today=DAY)

    assert result.status == "ok"
    # base 1 s doubling, each wait between half and all of it (jitter 0.5 → three quarters)
    assert sleeper.calls == [0.75, 1.5, 3.0]
    jittery = HubPolicy(jitter=lambda: 0.0)
    assert [jittery.backoff(n) for n in range(7)] == [0.5, 1, 2, 4, 8, 15, 15]


@pytest.mark.django_db
def test_a_failed_sync_keeps_the_old_data_and_shows_the_error(fake_hub, client):
    fake_hub.set_owner("grupo", models=[model_item("grupo/a", downloads=42)])
    owner = factories.owner("grupo", added_by=UserFactory())
    services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)
    for _ in range(5):
        fake_hub.queue(500)

    result = services.owner_sync(owner_id=owner.pk, policy=policy(max_retries=4), today=DAY)

    assert result.status == "failed"
    assert len(fake_hub.listing_requests()) == 2 + 5  # the first sync's two calls, then five attempts
    assert HubRepository.objects.get(repo_id="grupo/a").downloads == 42
    owner.refresh_from_db()
    assert owner.sync_status == HubOwner.SyncStatus.FAILED
    assert "500" in owner.sync_error
    page = client.get(f"/models/owners/{owner.name}/").content.decode()
    assert owner.sync_error in page
    alert = Notification.objects.get(kind="hub.sync_failed")
    assert alert.recipient == owner.added_by
    for _ in range(5):
        fake_hub.queue(500)
    services.owner_sync(owner_id=owner.pk, policy=policy(max_retries=4), today=DAY)
    assert Notification.objects.filter(kind="hub.sync_failed").count() == 1  # told once, not every run

    services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)
    owner.refresh_from_db()
    assert (owner.sync_status, owner.sync_error) == ("ok", "")


@pytest.mark.django_db
def test_a_long_rate_limit_ends_the_run_without_waiting(fake_hub):
    fake_hub.set_owner("grupo", models=[model_item("grupo/a")])
    owner = factories.owner("grupo")
    fake_hub.queue(429, {"RateLimit": '"api";r=0;t=600'})
    sleeper = Sleeper()

    result = services.owner_sync(owner_id=owner.pk, policy=policy(sleep=sleeper, max_rate_limit_wait=120), today=DAY)

    assert (result.status, result.retry_after, sleeper.calls) == ("failed", 600.0, [])
    owner.refresh_from_db()
    assert "600" in owner.sync_error


@pytest.mark.django_db
def test_malformed_and_missing_fields_and_unicode_names(fake_hub):
    fake_hub.set_owner("comunidad-ñ", models=[
        model_item("comunidad-ñ/modelo-català-ü", downloads="12", likes=None, gated="manual",
                   cardData="not a mapping"),
        {"_id": "x1", "id": "comunidad-ñ/bare"},
        model_item("comunidad-ñ/negative", downloads=-5, tags="oops", pipeline_tag=["text-generation"],
                   private=True),
    ], datasets=[dataset_item("comunidad-ñ/datos", downloadsAllTime=None, cardData=None)])
    owner = factories.owner("comunidad-ñ".encode("ascii", "ignore").decode() + "x")
    owner.name = "comunidad-ñ"  # the Hub does not allow it, but a bad answer must not break us
    HubOwner.objects.filter(pk=owner.pk).update(name=owner.name)

    result = services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)

    assert (result.status, result.created) == ("ok", 4)
    unicode_repo = HubRepository.objects.get(repo_id="comunidad-ñ/modelo-català-ü")
    assert (unicode_repo.downloads, unicode_repo.likes, unicode_repo.gated) == (12, 0, "manual")
    assert unicode_repo.licence == "apache-2.0"  # from the tags when the card is unreadable
    bare = HubRepository.objects.get(repo_id="comunidad-ñ/bare")
    assert (bare.downloads, bare.likes, bare.tags, bare.languages, bare.hub_created_at) == (0, 0, [], [], None)
    negative = HubRepository.objects.get(repo_id="comunidad-ñ/negative")
    assert (negative.downloads, negative.tags, negative.task, negative.private) == (0, [], "text-generation", True)
    assert HubRepository.objects.get(repo_id="comunidad-ñ/datos").downloads_all_time is None


@pytest.mark.django_db
def test_an_unreadable_answer_fails_the_sync_and_keeps_the_data(fake_hub):
    fake_hub.set_owner("grupo", models=[model_item("grupo/a", downloads=3)])
    owner = factories.owner("grupo")
    services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)
    fake_hub.set_owner("grupo", models=[model_item("grupo/a", createdAt="yesterday")])

    result = services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)

    assert result.status == "failed"
    assert HubRepository.objects.get(repo_id="grupo/a").removed_at is None
    owner.refresh_from_db()
    assert owner.sync_status == "failed" and "ValueError" in owner.sync_error

    fake_hub.queue(200, body="<html>not json</html>")
    assert services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY).status == "failed"


@pytest.mark.django_db
def test_an_owner_gone_from_the_hub_does_not_mark_everything_removed(fake_hub):
    fake_hub.set_owner("grupo", models=[model_item("grupo/a")])
    owner = factories.owner("grupo")
    services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)
    fake_hub.reset()

    result = services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)
    assert result.status == "failed"
    assert HubRepository.objects.get(repo_id="grupo/a").removed_at is None

    fake_hub.set_owner("grupo")  # exists, but has deleted every repository
    result = services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY)
    assert (result.status, result.removed) == ("ok", 1)


@pytest.mark.django_db
def test_call_budget_waits_for_the_next_window():
    now = [1000.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    budget = CallBudget(limit=2, window=300)
    for _ in range(5):
        budget.take(clock=lambda: now[0], sleep=sleep)
    assert [round(w, 2) for w in waits] == [200.01, 300.0]


@pytest.mark.django_db
def test_budget_follows_the_token(settings):
    settings.HF_TOKEN = ""
    assert CallBudget.from_settings().limit == 450 < 500
    settings.HF_TOKEN = "hf_x"
    assert CallBudget.from_settings().limit == 900 < 1000


@pytest.mark.django_db
def test_growth_compares_with_about_a_month_ago(fake_hub):
    owner = factories.owner("grupo")
    factories.history(owner, {
        DAY - timedelta(days=33): [factories.remote("grupo/a", downloads=100), factories.remote("grupo/b", downloads=50)],
        DAY - timedelta(days=1): [factories.remote("grupo/a", downloads=160), factories.remote("grupo/b", downloads=40)],
        DAY: [factories.remote("grupo/a", downloads=174), factories.remote("grupo/b", downloads=30)],
    })
    growth = dict(HubRepository.objects.values_list("repo_id", "downloads_growth"))
    assert growth == {"grupo/a": 74, "grupo/b": -20}


@pytest.mark.django_db(transaction=True)
def test_concurrent_sync_now_runs_once(fake_hub):
    fake_hub.set_owner("grupo", models=[model_item("grupo/a")])
    owner = factories.owner("grupo")
    fake_hub.delay = 0.4
    results = []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            results.append(services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["ok", "skipped"]
    assert len(fake_hub.listing_requests()) == 2  # one models and one datasets call
    assert HubRepository.objects.count() == 1


@pytest.mark.django_db
def test_the_lock_expires_so_a_crashed_worker_does_not_block_for_ever(fake_hub, settings):
    from django.core.cache import cache

    fake_hub.set_owner("grupo", models=[model_item("grupo/a")])
    owner = factories.owner("grupo")
    cache.add(f"hub:sync-lock:{owner.pk}", "crashed-worker", timeout=1)
    assert services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY).status == "skipped"
    cache.delete(f"hub:sync-lock:{owner.pk}")  # what Redis does when the timeout passes
    assert services.owner_sync(owner_id=owner.pk, policy=policy(), today=DAY).status == "ok"
    assert cache.get(f"hub:sync-lock:{owner.pk}") is None


@pytest.mark.django_db
def test_sync_task_takes_an_id_and_is_idempotent(fake_hub):
    fake_hub.set_owner("grupo", models=[model_item("grupo/a", downloads=3)])
    owner = factories.owner("grupo")
    first = sync_owner.apply(args=[owner.pk]).get()
    second = sync_owner.apply(args=[owner.pk]).get()
    assert (first["status"], first["created"]) == ("ok", 1)
    assert (second["status"], second["created"], second["updated"], second["snapshots"]) == ("ok", 0, 0, 0)


@pytest.mark.django_db
def test_periodic_job_queues_every_enabled_owner(django_capture_on_commit_callbacks):
    from workers.hub import sync_all_owners

    factories.owner("uno")
    factories.owner("dos")
    HubOwner.objects.filter(name="dos").update(sync_enabled=False)
    with django_capture_on_commit_callbacks() as callbacks:
        assert sync_all_owners.apply().get() == 1
    assert len(callbacks) == 1


def test_beat_schedule_runs_the_sync_every_few_hours():
    from django.conf import settings

    from workers.schedule import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["hub.sync-all-owners"]
    assert entry["task"] == "workers.hub.sync_all_owners"
    assert len(entry["schedule"].hour) == 4
    assert "workers.hub" in settings.CELERY_IMPORTS


@pytest.mark.django_db
def test_the_budget_applies_to_every_call_of_a_sync(fake_hub):
    fake_hub.page_size = 1
    fake_hub.set_owner("grupo", models=[model_item(f"grupo/m{i}") for i in range(4)])
    owner = factories.owner("grupo")
    now = [600.0]
    sleeper = Sleeper()

    def sleep(seconds):
        sleeper(seconds)
        now[0] += seconds

    budget = CallBudget(limit=3, window=300)
    result = services.owner_sync(
        owner_id=owner.pk, policy=policy(sleep=sleep, clock=lambda: now[0], budget=budget), today=DAY
    )
    assert result.status == "ok" and result.created == 4
    assert result.http_calls >= 5  # 4 model pages + datasets (+ the client's registry lookup)
    assert len(sleeper.calls) == (result.http_calls - 1) // 3


@pytest.mark.django_db
def test_policy_survives_another_library_replacing_the_client_factory(fake_hub):
    import huggingface_hub

    huggingface_hub.set_client_factory(huggingface_hub.utils._http.default_client_factory)
    fake_hub.set_owner("grupo", models=[model_item("grupo/a")])
    fake_hub.queue(503)
    sleeper = Sleeper()
    result = services.owner_sync(owner_id=factories.owner("grupo").pk, policy=policy(sleep=sleeper), today=DAY)
    assert result.status == "ok" and sleeper.calls == [0.75]


@pytest.mark.django_db
def test_sync_now_is_refused_while_a_sync_runs():
    from django.core.cache import cache

    from tests.accounts.factories import UserFactory

    member = UserFactory()
    owner = factories.owner("grupo", member=member)
    cache.add(f"hub:sync-lock:{owner.pk}", "running", timeout=60)
    assert services.owner_sync_request(actor=member, owner=owner) is False


@pytest.mark.django_db(transaction=True)
def test_sync_now_runs_on_a_real_worker_through_the_broker(fake_hub, celery_worker):
    from tests.accounts.factories import UserFactory
    from tests.notifications.live_stack import wait_until

    fake_hub.set_owner("grupo", models=[model_item("grupo/a", downloads=174)])
    member = UserFactory()
    owner = factories.owner("grupo", member=member)  # queues the first sync after commit
    assert wait_until(lambda: HubRepository.objects.filter(repo_id="grupo/a").exists(), timeout=20)
    assert HubRepository.objects.get(repo_id="grupo/a").downloads == 174

    fake_hub.set_owner("grupo", models=[model_item("grupo/a", downloads=180)])
    assert services.owner_sync_request(actor=member, owner=owner) is True
    assert wait_until(lambda: HubRepository.objects.get(repo_id="grupo/a").downloads == 180, timeout=20)


def test_sync_tasks_are_delivered_again_when_a_worker_dies_mid_sync():
    for task in (sync_owner, sync_all_owners):
        assert task.acks_late is True and task.reject_on_worker_lost is True
