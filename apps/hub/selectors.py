"""Every read of the Hub catalogue, already shaped and filtered for public pages and the API."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from apps.core.summaries import Summary
from apps.hub.models import HubOwner, HubRepository, HubRepositoryLanguage, HubSnapshot

SORTS = {
    "downloads": ["-downloads", "repo_id"],
    "likes": ["-likes", "-downloads", "repo_id"],
    "growth": ["-downloads_growth", "-downloads", "repo_id"],
    "recent": ["-hub_modified_at", "repo_id"],
}
FEATURED_LANGUAGES = ["es", "ca", "eu", "gl"]
SEARCH_MAX_LENGTH = 100
CATALOGUE_FACETS = Summary("catalogue-facets", ("hub",))


def clean_search(q: str | None) -> str:
    """Name search text as typed: NUL bytes (PostgreSQL refuses them) dropped, blanks stripped, capped."""
    return (q or "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


def repository_visible() -> QuerySet[HubRepository]:
    """What anyone may see: public repositories, live ones and removed ones alike."""
    return HubRepository.objects.filter(private=False).select_related("owner")


def repository_list(*, kind: str | None = None, owner: str | None = None, language: str | None = None,
                    task: str | None = None, licence: str | None = None, sort: str = "downloads",
                    include_removed: bool = False, q: str | None = None) -> QuerySet[HubRepository]:
    """Public repositories; `q` matches part of the repo id (owner/name), case-insensitively."""
    repos = repository_visible()
    if not include_removed:
        repos = repos.filter(removed_at__isnull=True)
    if kind:
        repos = repos.filter(kind=kind)
    if owner:
        repos = repos.filter(owner__name__iexact=owner)
    if language:
        repos = repos.filter(
            pk__in=HubRepositoryLanguage.objects.filter(code=language.lower()).values("repository_id")
        )
    if task:
        repos = repos.filter(task=task)
    if licence:
        repos = repos.filter(licence=licence)
    if q := clean_search(q):
        repos = repos.filter(repo_id__icontains=q)  # served by the trigram index hub_repo_id_trgm_idx
    return repos.order_by(*SORTS.get(sort, SORTS["downloads"]))


def repositories_of_hub_account(username: str, *, limit: int = 6) -> list[HubRepository]:
    """A Hub user's most downloaded live repositories, for their profile page."""
    return list(repository_list(owner=username, sort="downloads")[:limit])


def repositories_by_key(keys) -> dict[tuple[str, str], HubRepository]:
    """Catalogue entries for (kind, repo_id) pairs named elsewhere, in one query."""
    keys = set(keys)
    if not keys:
        return {}
    found = repository_visible().filter(repo_id__in={repo_id for _, repo_id in keys})
    return {(r.kind, r.repo_id): r for r in found if (r.kind, r.repo_id) in keys}


def repository_get(*, kind: str, repo_id: str) -> HubRepository | None:
    if "\x00" in repo_id:  # PostgreSQL refuses NUL in text; no repository can be named so
        return None
    return repository_visible().filter(kind=kind, repo_id=repo_id).first()


def catalogue_facets(*, kind: str, q: str | None = None, current: dict | None = None) -> dict:
    """Choices for the catalogue filters, with counts among the repositories matching `q`.

    Shared through the cache and recomputed after each sync (apps.core.summaries); a value
    the visitor has chosen stays listed even when the search leaves none of it."""
    q = clean_search(q)
    # icontains ignores case, so "LATXA" and "latxa" share one cached entry.
    facets = CATALOGUE_FACETS.get(lambda: _catalogue_facets(kind=kind, q=q), kind, q.lower())
    for group, name in (("owners", "owner"), ("languages", "language"), ("tasks", "task"), ("licences", "licence")):
        chosen = (current or {}).get(name)
        if chosen and chosen not in {value for value, _n in facets[group]}:
            facets[group] = [*facets[group], (chosen, 0)]
    return facets


def _catalogue_facets(*, kind: str, q: str) -> dict:
    """The four facets in one statement: the live repositories of a kind matching `q` are
    found once (for a search, one scan of the trigram index where four grouped queries
    made one each) and grouped four ways."""
    live = HubRepository.objects.filter(kind=kind, private=False, removed_at__isnull=True)
    if q:
        live = live.filter(repo_id__icontains=q)
    live_sql, params = live.order_by().values_list("id", "owner__name", "task", "licence").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH live (id, owner, task, licence) AS ({live_sql})
                SELECT 'owners', owner, COUNT(*) FROM live GROUP BY owner
                UNION ALL SELECT 'tasks', task, COUNT(*) FROM live WHERE task <> '' GROUP BY task
                UNION ALL SELECT 'licences', licence, COUNT(*) FROM live WHERE licence <> '' GROUP BY licence
                UNION ALL SELECT * FROM (
                    SELECT 'languages', code, COUNT(*) FROM {HubRepositoryLanguage._meta.db_table}
                    JOIN live ON live.id = repository_id
                    GROUP BY code ORDER BY COUNT(*) DESC, code LIMIT 60
                ) AS top_languages
                ORDER BY 1, 2""",
            params,
        )
        rows = cursor.fetchall()
    facets = {"owners": [], "tasks": [], "licences": [], "languages": []}
    for group, value, count in rows:
        facets[group].append((value, count))
    languages = dict(facets["languages"])
    facets["languages"] = [(code, languages.pop(code, 0)) for code in FEATURED_LANGUAGES] + sorted(languages.items())
    return facets


def repository_trend(repository: HubRepository, *, days: int = 90) -> list[HubSnapshot]:
    since = timezone.localdate() - timedelta(days=days)
    return list(repository.snapshots.filter(day__gte=since).order_by("day"))


def owner_list() -> QuerySet[HubOwner]:
    return HubOwner.objects.annotate(
        model_count=Count("repositories", filter=Q(repositories__kind="model", repositories__removed_at__isnull=True,
                                              repositories__private=False)),
        dataset_count=Count("repositories", filter=Q(repositories__kind="dataset",
                                                repositories__removed_at__isnull=True,
                                                repositories__private=False)),
        total_downloads=Sum("repositories__downloads", filter=Q(repositories__removed_at__isnull=True,
                                                         repositories__private=False), default=0),
    ).order_by("name")


def owner_get(name: str) -> HubOwner | None:
    if "\x00" in name:  # PostgreSQL refuses NUL in text; no owner can be named so
        return None
    return owner_list().filter(name__iexact=name).first()


def owner_adoption(owner: HubOwner, *, today: date | None = None) -> dict:
    """The adoption dashboard: totals, month-over-month change, top gainers, unused repositories."""
    today = today or timezone.localdate()
    live = repository_visible().filter(owner=owner, removed_at__isnull=True)
    sums = live.aggregate(
        total_downloads=Sum("downloads", default=0), total_likes=Sum("likes", default=0),
        total_all_time=Sum("downloads_all_time", default=0), total_count=Count("id"),
        total_unused=Count("id", filter=Q(downloads=0)),
    )
    totals = {key.removeprefix("total_"): value for key, value in sums.items()}
    daily = list(
        HubSnapshot.objects.filter(repository__in=live, day__gt=today - timedelta(days=90))
        .values("day").annotate(downloads=Sum("downloads")).order_by("day").values_list("day", "downloads")
    )
    month_ago = max((d for d, _ in daily if d <= today - timedelta(days=30)), default=None)
    previous = change = change_pct = None
    if month_ago:
        # Like with like: only repositories that already existed a month ago, so a new
        # upload does not count as growth of the old ones.
        then = HubSnapshot.objects.filter(repository__in=live, day=month_ago)
        previous = then.aggregate(total=Sum("downloads", default=0))["total"]
        current = live.filter(pk__in=then.values("repository_id")).aggregate(
            total=Sum("downloads", default=0))["total"]
        change = current - previous
        change_pct = round(100 * change / previous, 1) if previous else None
    return {
        "totals": totals,
        "previous_downloads": previous,
        "month_ago": month_ago,
        "change": change,
        "change_pct": change_pct,
        "daily": daily,
        "gainers": list(live.filter(downloads_growth__gt=0).order_by("-downloads_growth", "repo_id")[:5]),
        "unused": list(live.filter(downloads=0).order_by("repo_id")[:20]),
    }


def snapshot_list(repository: HubRepository) -> QuerySet[HubSnapshot]:
    return repository.snapshots.order_by("-day")


def hub_numbers() -> dict[str, int]:
    """Public repositories and their downloads for the home page (one query)."""
    hub = HubRepository.objects.filter(private=False, removed_at__isnull=True).aggregate(
        repositories=Count("id"), downloads=Sum("downloads", default=0)
    )
    return {"hub_repositories": hub["repositories"], "hub_downloads_last_30_days": hub["downloads"]}
