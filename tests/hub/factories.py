"""Hub catalogue test data, created through the services like a sync would."""

from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

from apps.hub import services
from apps.hub.hub_client import RemoteRepository
from apps.hub.models import HubOwner, HubSnapshot


def remote(repo_id: str, *, kind="model", downloads=10, likes=1, languages=("es",), task="fill-mask",
           licence="apache-2.0", **overrides) -> RemoteRepository:
    values = dict(
        kind=kind, repo_id=repo_id, downloads=downloads, downloads_all_time=downloads * 4, likes=likes,
        tags=["transformers", *languages], languages=sorted(languages), task=task,
        library="transformers" if kind == "model" else "", licence=licence, gated="", private=False,
        hub_created_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt_timezone.utc),
        hub_modified_at=datetime(2026, 10, 1, 8, 0, tzinfo=dt_timezone.utc),
    )
    values.update(overrides)
    return RemoteRepository(**values)


def owner(name="bsc-lt", kind="org", **extra) -> HubOwner:
    return services.tracked_owner_ensure(name=name, kind=kind, **extra)


def catalogue(owner_obj: HubOwner, items: list[RemoteRepository], today: date | None = None):
    return services.catalogue_apply(owner=owner_obj, remote=items, today=today)


def history(owner_obj: HubOwner, items_by_day: dict[date, list[RemoteRepository]]):
    """Sync results on several days, oldest first, as the daily job would have stored them."""
    for day in sorted(items_by_day):
        services.catalogue_apply(owner=owner_obj, remote=items_by_day[day], today=day)


def weekly_history(owner_obj, repo_id, *, weeks=6, start=100, step=20, today=None, **kw):
    today = today or date.today()
    history(owner_obj, {
        today - timedelta(days=7 * (weeks - 1 - w)): [remote(repo_id, downloads=start + step * w, **kw)]
        for w in range(weeks)
    })
    return HubSnapshot.objects.filter(repository__repo_id=repo_id).count()
