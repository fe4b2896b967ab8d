"""Reads of the transparency register: what public money bought and whether anyone uses it.

Every figure can be rebuilt as of a past day from the stored daily snapshots, so a
permanent link (`?as_of=YYYY-MM-DD`) always shows the same number.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    Case,
    DateField,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.compute.models import ExpectedOutput, Grant, UsageRecord
from apps.compute.selectors import FUNDED
from apps.hub.models import HubOwner, HubRepository, HubRepositoryLanguage, HubSnapshot
from apps.transparency.models import FundingRecord, FundingRecordChange

MONTH = timedelta(days=30)
SNAPSHOT_TOLERANCE = timedelta(days=7)
SORTS = {
    "eur_per_monthly_download": lambda row: (row.eur_per_monthly_download is None, -(row.eur_per_monthly_download or 0)),
    "eur_per_download": lambda row: (row.eur_per_download_since is None, -(row.eur_per_download_since or 0)),
    "money": lambda row: -row.money_in,
    "downloads": lambda row: -row.downloads_30d,
    "derivatives": lambda row: -row.derivatives,
    "name": lambda row: row.name.lower(),
}
CACHE_SECONDS = 600
CACHE_VERSION_KEY = "transparency:register-version"


@dataclass
class RegisterRow:
    """One funded owner or repository with money in and the adoption it shows."""

    key: str  # "owner/BSC-LT", "model/BSC-LT/ALIA-40b", "dataset/…"
    kind: str  # "owner", "model" or "dataset"
    name: str
    owner_name: str
    repository_ids: list[int] = field(default_factory=list)
    records: list[FundingRecord] = field(default_factory=list)
    # Compute calls (programme) and providers (funder) of grants that promised it.
    compute_programmes: set[str] = field(default_factory=set)
    compute_funders: set[str] = field(default_factory=set)
    funded_since: date | None = None
    funding_eur: Decimal = Decimal("0")
    compute_eur: Decimal = Decimal("0")
    compute_units: Decimal = Decimal("0")
    languages: set[str] = field(default_factory=set)
    downloads_30d: int = 0
    downloads_30d_month_before: int | None = None
    downloads_since_funding: int | None = None
    since_tracking_began: date | None = None  # set when the count starts later than the funding
    derivatives: int = 0
    spaces: int = 0
    is_demo: bool = False

    @property
    def money_in(self) -> Decimal:
        return self.funding_eur + self.compute_eur

    @property
    def first_funded_on(self) -> date:
        return self.funded_since

    @property
    def programmes(self) -> list[str]:
        return sorted({record.programme for record in self.records} | self.compute_programmes)

    @property
    def funders(self) -> list[str]:
        return sorted({record.funder for record in self.records} | self.compute_funders)

    @property
    def years(self) -> list[int]:
        return sorted({self.funded_since.year} | {record.awarded_on.year for record in self.records})

    def funded_on(self, day: date) -> None:
        self.funded_since = day if self.funded_since is None else min(self.funded_since, day)

    @property
    def eur_per_monthly_download(self) -> Decimal | None:
        """Money in divided by the last 30 days' downloads; None when there were none."""
        return (self.money_in / self.downloads_30d).quantize(Decimal("0.01")) if self.downloads_30d else None

    @property
    def eur_per_download_since(self) -> Decimal | None:
        if not self.downloads_since_funding:
            return None
        return (self.money_in / self.downloads_since_funding).quantize(Decimal("0.01"))

    @property
    def growth_percent(self) -> int | None:
        """30-day downloads against those a month earlier."""
        before = self.downloads_30d_month_before
        if not before:
            return None
        return round((self.downloads_30d - before) * 100 / before)


def register_cache_clear() -> None:
    """Funding records, unit costs or adoption changed: the cached register is stale."""
    try:
        cache.set(CACHE_VERSION_KEY, timezone.now().timestamp(), timeout=None)
    except Exception:  # noqa: BLE001 - the cache is a fast path; it expires on its own
        pass


def _records(as_of: date) -> list[FundingRecord]:
    return list(
        FundingRecord.objects.filter(awarded_on__lte=as_of)
        .prefetch_related(
            Prefetch("owners", queryset=HubOwner.objects.only("id", "name")),
            Prefetch("repositories", queryset=HubRepository.objects.only("id", "kind", "repo_id", "owner_id")),
        )
        .order_by("awarded_on", "id")
    )


def _rows_from_records(records: list[FundingRecord]) -> dict[str, RegisterRow]:
    """Group records by what they funded; a record funding several items is split equally among them."""
    rows: dict[str, RegisterRow] = {}
    for record in records:
        targets = [("owner", owner.name, owner.name) for owner in record.owners.all()]
        targets += [(repo.kind, repo.repo_id, repo.repo_id.split("/")[0]) for repo in record.repositories.all()]
        if not targets:
            continue  # compute-only records are context (shown in the funding list), not a model's cost
        share = record.amount_eur / len(targets)  # rounded only when shown, so shares add up
        for kind, name, owner_name in targets:
            key = f"{kind}/{name}"
            row = rows.setdefault(key, RegisterRow(key=key, kind=kind, name=name, owner_name=owner_name))
            row.records.append(record)
            row.funded_on(record.awarded_on)
            row.funding_eur += share
            row.is_demo = row.is_demo or record.is_demo
    return rows


def _add_compute_rows(rows: dict[str, RegisterRow], as_of: date) -> None:
    """Models promised by funded compute grants are publicly funded too, through the compute they used."""
    outputs = ExpectedOutput.objects.filter(
        request__status__in=FUNDED, request__grant__isnull=False, request__grant__start_date__lte=as_of,
    ).values_list("kind", "repo_id", "request__call__title", "request__call__resource__provider",
                  "request__grant__start_date")
    for kind, repo_id, call_title, provider, start in outputs:
        key = f"{kind}/{repo_id}"
        row = rows.setdefault(key, RegisterRow(key=key, kind=kind, name=repo_id, owner_name=repo_id.split("/")[0]))
        row.compute_programmes.add(call_title)
        row.compute_funders.add(provider)
        row.funded_on(start)


def _snapshot(field_name: str, *, on_or_before, after=None):
    snaps = HubSnapshot.objects.filter(repository=OuterRef("pk"), day__lte=on_or_before)
    if after is not None:
        snaps = snaps.filter(day__gt=after)
    return Subquery(snaps.order_by("-day").values(field_name)[:1])


def _repositories(rows: dict[str, RegisterRow], as_of: date, today: date) -> list[HubRepository]:
    """Every public repository behind the rows, with its figures as of `as_of`, in one query."""
    owners = [row.name for row in rows.values() if row.kind == "owner"]
    repo_ids = [row.name for row in rows.values() if row.kind != "owner"]
    if not owners and not repo_ids:
        return []
    funded_on = Case(
        *[When(owner__name=name, then=Value(rows[f"owner/{name}"].first_funded_on)) for name in owners],
        *[When(Q(repo_id=row.name, kind=row.kind), then=Value(row.first_funded_on))
          for row in rows.values() if row.kind != "owner"],
        output_field=DateField(),
    )
    repos = HubRepository.objects.filter(
        Q(owner__name__in=owners) | Q(repo_id__in=repo_ids), private=False,
    ).select_related("owner", "adoption").annotate(funded_on=funded_on)
    current = as_of >= today
    repos = repos.annotate(
        downloads_then=F("downloads") if current else _snapshot("downloads", on_or_before=as_of),
        all_time_then=F("downloads_all_time") if current else _snapshot("downloads_all_time", on_or_before=as_of),
        downloads_month_before=_snapshot(
            "downloads", on_or_before=as_of - MONTH, after=as_of - MONTH - SNAPSHOT_TOLERANCE),
        all_time_at_funding=_snapshot("downloads_all_time", on_or_before=OuterRef("funded_on")),
        first_day=Subquery(HubSnapshot.objects.filter(repository=OuterRef("pk")).order_by("day").values("day")[:1]),
        first_all_time=Subquery(
            HubSnapshot.objects.filter(repository=OuterRef("pk")).order_by("day").values("downloads_all_time")[:1]),
    )
    if not current:
        repos = repos.filter(Q(first_seen_at__date__lte=as_of) | Q(first_day__lte=as_of))
    return list(repos)


def _downloads_since(repo: HubRepository) -> tuple[int | None, date | None]:
    """All-time downloads since funding, and the day counting began when it began later."""
    if repo.all_time_then is None:
        return None, None
    if repo.all_time_at_funding is not None:
        return max(0, repo.all_time_then - repo.all_time_at_funding), None
    created = repo.hub_created_at.date() if repo.hub_created_at else None
    if created and created >= repo.funded_on:
        return repo.all_time_then, None  # published after the funding: every download counts
    if repo.first_all_time is not None:
        return max(0, repo.all_time_then - repo.first_all_time), repo.first_day
    return None, None


def _compute_costs(repos: list[HubRepository], as_of: date) -> dict[tuple[str, str], list[tuple[int, Decimal, Decimal]]]:
    """(kind, repo_id) → [(grant id, units used, euros)] of funded grants that promised it, usage up to `as_of`."""
    keys = {(repo.kind, repo.repo_id) for repo in repos}
    if not keys:
        return {}
    used = Coalesce(
        Subquery(
            UsageRecord.objects.filter(grant=OuterRef("request__grant"), period_end__lte=as_of)
            .values("grant").annotate(total=Sum("units")).values("total")[:1]
        ),
        Value(Decimal("0")), output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    outputs = (
        ExpectedOutput.objects.filter(
            repo_id__in={repo_id for _kind, repo_id in keys}, request__status__in=FUNDED,
            request__grant__isnull=False, request__grant__start_date__lte=as_of,
        )
        .annotate(used=used, euros_per_unit=F("request__call__resource__unit_cost__euros_per_unit"),
                  grant_id=F("request__grant__id"))
        .values_list("kind", "repo_id", "grant_id", "used", "euros_per_unit")
    )
    costs = defaultdict(list)
    for kind, repo_id, grant_id, units, per_unit in outputs:
        if (kind, repo_id) in keys:
            costs[(kind, repo_id)].append((grant_id, units, units * per_unit if per_unit is not None else Decimal("0")))
    return costs


def _register(as_of: date) -> list[RegisterRow]:
    today = timezone.localdate()
    rows = _rows_from_records(_records(as_of))
    _add_compute_rows(rows, as_of)
    repos = _repositories(rows, as_of, today)
    costs = _compute_costs(repos, as_of)
    by_row: dict[str, list[HubRepository]] = defaultdict(list)
    for repo in repos:
        for key in (f"owner/{repo.owner.name}", f"{repo.kind}/{repo.repo_id}"):
            if key in rows:
                by_row[key].append(repo)
    for key, row in rows.items():
        members = by_row.get(key, [])
        row.repository_ids = [repo.pk for repo in members]
        grants_seen: set[int] = set()
        since_total, month_before = 0, 0
        since_known = bool(members)
        for repo in members:
            row.languages.update(repo.languages)
            row.downloads_30d += repo.downloads_then or 0
            if repo.downloads_month_before is not None:
                month_before += repo.downloads_month_before
            since, began = _downloads_since(repo)
            if since is None:
                since_known = False
            else:
                since_total += since
            if began and (row.since_tracking_began is None or began > row.since_tracking_began):
                row.since_tracking_began = began
            adoption = getattr(repo, "adoption", None)
            if adoption is not None:
                row.derivatives += adoption.derivatives
                row.spaces += adoption.spaces
            for grant_id, units, euros in costs.get((repo.kind, repo.repo_id), []):
                if grant_id not in grants_seen:
                    grants_seen.add(grant_id)
                    row.compute_units += units
                    row.compute_eur += euros
        row.compute_eur = row.compute_eur.quantize(Decimal("0.01"))
        row.downloads_30d_month_before = month_before or None
        row.downloads_since_funding = since_total if since_known else None
    # A grant's promised model not (yet) in the catalogue has nothing to measure; recorded
    # funding stays listed even then: money with nothing on the Hub is a finding too.
    return [row for row in rows.values() if row.repository_ids or row.records]


def register(*, as_of: date | None = None, programme: str = "", funder: str = "", language: str = "",
             year: int | None = None, sort: str = "eur_per_monthly_download") -> list[RegisterRow]:
    """The register as of a day (today by default), filtered and sorted.

    Today's register is cached for ten minutes and dropped when funding, unit costs or
    adoption counts change; a Hub sync shows up within those ten minutes.
    """
    today = timezone.localdate()
    as_of = min(as_of or today, today)
    rows = _cached_register() if as_of == today else _register(as_of)
    if programme:
        rows = [row for row in rows if programme in row.programmes]
    if funder:
        rows = [row for row in rows if funder in row.funders]
    if language:
        rows = [row for row in rows if language in row.languages]
    if year:
        rows = [row for row in rows if year in row.years]
    return sorted(rows, key=lambda row: (SORTS.get(sort, SORTS["eur_per_monthly_download"])(row), row.name.lower()))


def _cached_register() -> list[RegisterRow]:
    try:
        version = cache.get(CACHE_VERSION_KEY, 0)
        key = f"transparency:register:{timezone.localdate().isoformat()}:{version}"
        rows = cache.get(key)
    except Exception:  # noqa: BLE001 - Redis down: compute it, as without a cache
        return _register(timezone.localdate())
    if rows is None:
        rows = _register(timezone.localdate())
        try:
            cache.set(key, rows, timeout=CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            pass
    return rows


def register_row(*, key: str, as_of: date | None = None) -> RegisterRow | None:
    return next((row for row in register(as_of=as_of) if row.key == key), None)


def register_filters() -> dict[str, list]:
    """Choices for the register's filters, from the (few) funding records."""
    records = FundingRecord.objects.values_list("programme", "funder", "awarded_on")
    programmes, funders, years = set(), set(), set()
    for programme, funder, awarded_on in records:
        programmes.add(programme)
        funders.add(funder)
        years.add(awarded_on.year)
    return {"programmes": sorted(programmes), "funders": sorted(funders), "years": sorted(years, reverse=True)}


def row_trend(*, row: RegisterRow, as_of: date | None = None, days: int = 120) -> list[tuple[date, int]]:
    """Daily 30-day downloads of the row's repositories added up, up to `as_of`."""
    end = as_of or timezone.localdate()
    return list(
        HubSnapshot.objects.filter(repository_id__in=row.repository_ids, day__lte=end,
                                   day__gt=end - timedelta(days=days))
        .values("day").annotate(total=Sum("downloads")).order_by("day").values_list("day", "total")
    )


def row_releases(*, row: RegisterRow, limit: int = 8) -> list[HubRepository]:
    """The row's repositories by publication date on the Hub (the releases on its trend)."""
    return list(
        HubRepository.objects.filter(pk__in=row.repository_ids, hub_created_at__isnull=False)
        .order_by("-hub_created_at")[:limit]
    )


def comparable_repositories(*, row: RegisterRow, limit: int = 5) -> list[HubRepository]:
    """Open models in the catalogue with the same task and a shared language, not funded here."""
    leader = (
        HubRepository.objects.filter(pk__in=row.repository_ids).exclude(task="").order_by("-downloads").first()
    )
    if leader is None or not row.languages:
        return []
    return list(
        HubRepository.objects.filter(
            kind=leader.kind, task=leader.task, private=False, removed_at__isnull=True,
            pk__in=HubRepositoryLanguage.objects.filter(code__in=sorted(row.languages)).values("repository_id"),
        )
        .exclude(pk__in=row.repository_ids)
        .exclude(funding_records__isnull=False)
        .exclude(owner__funding_records__isnull=False)
        .select_related("owner", "adoption")
        .order_by("-downloads", "repo_id")[:limit]
    )


def funding_record_list() -> QuerySet[FundingRecord]:
    """Every record (the register is public), with what it paid for."""
    return FundingRecord.objects.prefetch_related(
        Prefetch("owners", queryset=HubOwner.objects.only("id", "name")),
        Prefetch("repositories", queryset=HubRepository.objects.only("id", "kind", "repo_id")),
        "calls", "grants",
    ).order_by("-awarded_on", "-id")


def funding_record_get(pk: int) -> FundingRecord | None:
    return funding_record_list().filter(pk=pk).first() if 0 < pk < 2**63 else None


def funding_record_history(record: FundingRecord) -> QuerySet[FundingRecordChange]:
    return record.changes.select_related("actor").order_by("-created_at", "-id")


def repository_funding(repository: HubRepository) -> RegisterRow | None:
    """The register row of a repository, for its badge."""
    return register_row(key=f"{repository.kind}/{repository.repo_id}")


def compute_costs_by_resource() -> list:
    """Each compute resource with a public unit cost: granted and used units and their euro value."""
    from apps.compute.models import Resource

    granted = Subquery(
        Grant.objects.filter(call__resource=OuterRef("pk")).values("call__resource")
        .annotate(total=Sum("units")).values("total")[:1]
    )
    used = Subquery(
        UsageRecord.objects.filter(grant__call__resource=OuterRef("pk")).values("grant__call__resource")
        .annotate(total=Sum("units")).values("total")[:1]
    )
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
    resources = list(
        Resource.objects.filter(unit_cost__isnull=False).select_related("unit_cost")
        .annotate(granted=Coalesce(granted, zero), used=Coalesce(used, zero)).order_by("name")
    )
    for resource in resources:
        resource.granted_eur = resource.granted * resource.unit_cost.euros_per_unit
        resource.used_eur = resource.used * resource.unit_cost.euros_per_unit
    return resources
