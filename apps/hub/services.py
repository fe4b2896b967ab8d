"""Every write of the Hub catalogue: tracked owners, syncs and their snapshots."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core import summaries
from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.core.tasks import enqueue_on_commit
from apps.hub import metrics, permissions
from apps.hub.hub_client import (
    OWNER_NAME, HubDeadlineExceeded, HubError, HubPolicy, RemoteRepository, fetch_owner_repositories,
)
from apps.hub.models import HubOwner, HubRepository, HubRepositoryLanguage, HubSnapshot
from apps.notifications.services import notify

logger = logging.getLogger(__name__)

SYNCED_FIELDS = [
    "owner_id", "downloads", "downloads_all_time", "likes", "downloads_growth", "tags", "languages",
    "task", "library", "licence", "gated", "private", "hub_created_at", "hub_modified_at", "removed_at",
]
GROWTH_DAYS = 30


# --- Tracked owners -------------------------------------------------------------------------


def _validate_owner(name: str, kind: str) -> str:
    name = (name or "").strip()
    errors = {}
    if not OWNER_NAME.match(name):
        errors["name"] = [_("Use the Hub name exactly as in its address: letters, digits, “-”, “_” or “.”.")]
    if kind not in HubOwner.Kind.values:
        errors["kind"] = [_("Choose organisation or user.")]
    if errors:
        raise InvalidInput(errors=errors)
    return name


def tracked_owner_ensure(*, name: str, kind: str, added_by=None, member=None, sync: bool = True) -> HubOwner:
    """Follow a Hub owner (idempotent); the profiles app calls this for linked Hub usernames.

    `member`, when given, is a platform user who may then ask for syncs of this owner.
    A newly tracked owner is synced right after the transaction commits (unless `sync=False`).
    """
    name = _validate_owner(name, kind)
    owner = HubOwner.objects.filter(name__iexact=name).first()
    created = False
    if owner is None:
        try:
            with transaction.atomic():
                owner = HubOwner.objects.create(name=name, kind=kind, added_by=added_by)
                created = True
        except IntegrityError:  # someone else added it at the same moment
            owner = HubOwner.objects.get(name__iexact=name)
    if member is not None:
        owner.members.add(member)
    if created and sync:
        enqueue_on_commit("workers.hub.sync_owner", owner.pk)
    return owner


@transaction.atomic
def owner_add(*, actor, name: str, kind: str, display_name: str = "") -> HubOwner:
    """Staff or an organiser starts tracking an organisation or user."""
    if not permissions.can_manage_owners(actor):
        raise NotAllowed()
    clean = _validate_owner(name, kind)
    if HubOwner.objects.filter(name__iexact=clean).exists():
        raise Conflict(errors={"name": [_("This owner is already tracked.")]})
    owner = tracked_owner_ensure(name=clean, kind=kind, added_by=actor)
    if display_name.strip():
        owner.display_name = display_name.strip()[:200]
        owner.save(update_fields=["display_name"])
    return owner


# --- Sync -----------------------------------------------------------------------------------


def _lock_key(owner_id: int) -> str:
    return f"hub:sync-lock:{owner_id}"


def _checked_key(owner_id: int) -> str:
    return f"hub:checked-at:{owner_id}"


def owner_sync_running(owner_id: int) -> bool:
    return cache.get(_lock_key(owner_id)) is not None


def owner_last_checked(owner_id: int):
    """When a sync last read the Hub successfully, even if it changed nothing (kept in cache)."""
    return cache.get(_checked_key(owner_id))


def owner_sync_request(*, actor, owner: HubOwner) -> bool:
    """"Sync now": queue one sync unless one is already queued or running for this owner."""
    if not permissions.can_sync_owner(actor, owner):
        raise NotAllowed()
    if owner_sync_running(owner.pk):
        return False
    if not cache.add(f"hub:sync-queued:{owner.pk}", 1, timeout=60):
        return False
    enqueue_on_commit("workers.hub.sync_owner", owner.pk)
    return True


@dataclass
class SyncResult:
    status: str  # "ok", "failed" or "skipped" (another sync held the lock)
    created: int = 0
    updated: int = 0
    removed: int = 0
    snapshots: int = 0
    skipped_items: int = 0
    http_calls: int = 0
    error: str = ""
    retry_after: float | None = None
    rows_written: int = field(default=0)


def owner_sync(*, owner_id: int, policy: HubPolicy | None = None, today: date | None = None) -> SyncResult:
    """Read one owner from the Hub and bring the catalogue in line; one run per owner at a time.

    The lock expires (HUB_SYNC_LOCK_SECONDS), so a worker that dies mid-sync does not
    block the owner for ever. A failed read keeps every stored row and records the error.
    """
    result = _owner_sync_locked(owner_id=owner_id, policy=policy, today=today)
    metrics.SYNC_RUNS.labels(result.status).inc()
    if result.status == "ok":
        metrics.LAST_SUCCESS.set_to_current_time()
    return result


def _owner_sync_locked(*, owner_id: int, policy: HubPolicy | None, today: date | None) -> SyncResult:
    key, token = _lock_key(owner_id), uuid.uuid4().hex
    if not cache.add(key, token, timeout=settings.HUB_SYNC_LOCK_SECONDS):
        return SyncResult(status="skipped")
    cache.delete(f"hub:sync-queued:{owner_id}")
    try:
        owner = HubOwner.objects.filter(pk=owner_id).first()
        if owner is None:
            return SyncResult(status="skipped")
        policy = policy or HubPolicy.from_settings()
        with translation.override(settings.LANGUAGE_CODE):
            try:
                remote, skipped = fetch_owner_repositories(owner.name, kind=owner.kind, policy=policy)
            except HubError as exc:
                if isinstance(exc, HubDeadlineExceeded):
                    metrics.SYNC_DEADLINES.inc()
                message = str(exc.message)
                _owner_failure_record(owner, message)
                return SyncResult(status="failed", error=message, http_calls=policy.calls, retry_after=exc.retry_after)
        result = catalogue_apply(owner=owner, remote=remote, today=today, http_calls=policy.calls)
        result.skipped_items = skipped
        cache.set(_checked_key(owner_id), timezone.now(), timeout=None)
        return result
    finally:
        if cache.get(key) == token:
            cache.delete(key)


def _owner_failure_record(owner: HubOwner, message: str) -> None:
    """Record the error on the owner; the people behind it hear about a new failure once."""
    newly_failing = owner.sync_status != HubOwner.SyncStatus.FAILED
    HubOwner.objects.filter(pk=owner.pk).update(
        sync_status=HubOwner.SyncStatus.FAILED, sync_error=message[:2000], sync_error_at=timezone.now()
    )
    if newly_failing:
        notify(
            recipients=[*owner.members.all(), owner.added_by],
            kind="hub.sync_failed",
            title=lambda: _("The Hub sync of %(owner)s failed") % {"owner": owner.name},
            body=lambda: _("The catalogue keeps the data of the last successful sync. Error: %(error)s")
            % {"error": message[:300]},
            url=reverse("hub:owner", kwargs={"name": owner.name}),
        )


def _growth_baselines(repository_ids: list[int], today: date) -> dict[int, int]:
    """30-day downloads about a month ago (latest snapshot in the week before that day)."""
    target = today - timedelta(days=GROWTH_DAYS)
    rows = HubSnapshot.objects.filter(
        repository_id__in=repository_ids, day__lte=target, day__gt=target - timedelta(days=7)
    ).order_by("day").values_list("repository_id", "downloads")
    return dict(rows)  # later days overwrite earlier ones


@transaction.atomic
def catalogue_apply(*, owner: HubOwner, remote: list[RemoteRepository], today: date | None = None,
                    http_calls: int = 0) -> SyncResult:
    """Upsert what the Hub listed, mark what vanished as removed, store today's snapshots.

    Every row is compared first, so a run with nothing new writes nothing at all.
    """
    now = timezone.now()
    today = today or timezone.localdate()
    remote = list({(item.kind, item.repo_id): item for item in remote}.values())
    keys = {(item.kind, item.repo_id) for item in remote}
    existing = {
        (repo.kind, repo.repo_id): repo
        for repo in HubRepository.objects.select_for_update().filter(
            Q(owner=owner) | Q(repo_id__in=[item.repo_id for item in remote])
        )
    }
    baselines = _growth_baselines([repo.pk for repo in existing.values()], today)

    to_create, to_update = [], {}  # to_update: changed fields -> rows with exactly those changes
    result = SyncResult(status="ok", http_calls=http_calls)
    for item in remote:
        values = {
            name: getattr(item, name) for name in RemoteRepository.__dataclass_fields__
            if name not in ("kind", "repo_id")
        }
        repo = existing.get((item.kind, item.repo_id))
        if repo is None:
            to_create.append(HubRepository(owner=owner, kind=item.kind, repo_id=item.repo_id, **values))
            continue
        values["owner_id"] = owner.pk  # the id: comparing `owner` would fetch it row by row
        values["removed_at"] = None
        base = baselines.get(repo.pk)
        values["downloads_growth"] = item.downloads - base if base is not None else 0
        changed = tuple(name for name in SYNCED_FIELDS if name in values and getattr(repo, name) != values[name])
        if changed:
            for name in changed:
                setattr(repo, name, values[name])
            to_update.setdefault(changed, []).append(repo)
            result.updated += 1
    for key, repo in existing.items():
        if key not in keys and repo.owner_id == owner.pk and repo.removed_at is None:
            repo.removed_at = now
            to_update.setdefault(("removed_at",), []).append(repo)
            result.removed += 1

    HubRepository.objects.bulk_create(to_create, batch_size=500)
    for fields, repos in to_update.items():
        _rows_update(HubRepository, repos, fields)
    result.created = len(to_create)

    live = [existing.get((item.kind, item.repo_id)) for item in remote]
    live = [repo for repo in live if repo is not None] + to_create
    result.rows_written = len(to_create) + result.updated + result.removed
    result.rows_written += _languages_apply(live)
    result.snapshots = _snapshots_apply(live, today)
    result.rows_written += result.snapshots

    if result.rows_written:
        summaries.invalidate("hub")  # bulk writes send no signals
    status_changed = owner.sync_status != HubOwner.SyncStatus.OK or owner.sync_error
    if result.rows_written or status_changed or owner.repository_count != len(live):
        owner.sync_status = HubOwner.SyncStatus.OK
        owner.sync_error = ""
        owner.repository_count = len(live)
        owner.last_http_calls = http_calls
        owner.synced_at = now
        owner.save(update_fields=[
            "sync_status", "sync_error", "repository_count", "last_http_calls", "synced_at"
        ])
    return result


def _languages_apply(live: list[HubRepository]) -> int:
    wanted = {(repo.pk, code) for repo in live for code in repo.languages}
    rows = HubRepositoryLanguage.objects.filter(repository_id__in=[repo.pk for repo in live])
    have = {(repository_id, code): pk for pk, repository_id, code in rows.values_list("pk", "repository_id", "code")}
    stale = [pk for key, pk in have.items() if key not in wanted]
    fresh = [HubRepositoryLanguage(repository_id=rid, code=code) for rid, code in wanted - have.keys()]
    if stale:
        HubRepositoryLanguage.objects.filter(pk__in=stale).delete()
    HubRepositoryLanguage.objects.bulk_create(fresh, batch_size=1000)
    return len(stale) + len(fresh)


def _snapshots_apply(live: list[HubRepository], today: date) -> int:
    """One row per repository and day; a later sync on the same day corrects that row."""
    todays = {
        snap.repository_id: snap
        for snap in HubSnapshot.objects.filter(repository__in=[repo.pk for repo in live], day=today)
    }
    to_create, to_update = [], []
    for repo in live:
        snap = todays.get(repo.pk)
        values = {"downloads": repo.downloads, "downloads_all_time": repo.downloads_all_time, "likes": repo.likes}
        if snap is None:
            to_create.append(HubSnapshot(repository_id=repo.pk, day=today, **values))
        elif any(getattr(snap, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(snap, name, value)
            to_update.append(snap)
    HubSnapshot.objects.bulk_create(to_create, batch_size=1000)
    _rows_update(HubSnapshot, to_update, ("downloads", "downloads_all_time", "likes"))
    return len(to_create) + len(to_update)


def _rows_update(model, rows: list, fields: tuple[str, ...], batch_size: int = 1000) -> None:
    """Write `fields` of `rows`, one statement per batch.

    On PostgreSQL an `UPDATE … FROM (VALUES …)` join: `bulk_update`'s CASE expression per
    field grows with the square of the batch and was most of a daily sync's time.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, fields, batch_size=batch_size)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name) for name in fields]
    pk = model._meta.pk
    names = [connection.ops.quote_name(pk.column)] + [connection.ops.quote_name(f.column) for f in columns]
    casts = [f"%s::{field.db_type(connection)}" for field in (pk, *columns)]
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start:start + batch_size]
            params = []
            for row in batch:
                params.append(row.pk)
                params.extend(field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns)
            values = ", ".join(f"({', '.join(casts)})" for _ in batch)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v({', '.join(names)}) "
                f"WHERE {table}.{names[0]} = v.{names[0]}",
                params,
            )
