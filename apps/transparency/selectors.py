"""Reads of the transparency register: what public money bought and whether anyone uses it.

Every figure can be rebuilt as of a past day from the stored daily snapshots, so a
permanent link (`?as_of=YYYY-MM-DD`) always shows the same number.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
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
from django.utils.text import capfirst

from apps.compute.models import ExpectedOutput, Grant, Resource, UsageRecord
from apps.compute.selectors import FUNDED
from apps.core.formatting import day, quantity
from apps.hub.models import HubOwner, HubRepository, HubRepositoryLanguage, HubSnapshot
from apps.transparency import figures
from apps.transparency.models import FundingRecord, FundingRecordChange

MONTH = timedelta(days=figures.WINDOW_DAYS)


def _value(figure: figures.Figure):
    return figure.value if figure.measured else None


# Each column's sort value; None (not measured) goes last whichever the direction.
SORTS = {
    "name": lambda row: row.name.lower(),
    "programme": lambda row: "; ".join(row.programmes + row.calls).lower(),
    "recipient": lambda row: "; ".join(row.recipients).lower(),
    "money": lambda row: _value(row.money_in),
    "downloads": lambda row: _value(row.downloads_30d),
    "eur_per_monthly_download": lambda row: _value(row.eur_per_monthly_download),
    "downloads_since": lambda row: _value(row.downloads_since_funding),
    "eur_per_download": lambda row: _value(row.eur_per_download_since),
    "derivatives": lambda row: _value(row.derivatives),
    "growth": lambda row: _value(row.growth_percent),
}
DEFAULT_SORT = "eur_per_monthly_download"
CACHE_SECONDS = 600
CACHE_VERSION_KEY = "transparency:register-version"


@dataclass(frozen=True)
class FundingShare:
    """The part of a funding record counted on a row; `parts` > 1 is a split made here."""

    record: FundingRecord
    amount: Decimal
    parts: int


@dataclass(frozen=True)
class ComputeCost:
    """Compute used on a funded grant that promised the row's model, valued at its public cost."""

    grant_id: int
    call: str
    units: Decimal
    euros_per_unit: Decimal | None

    @property
    def euros(self) -> Decimal | None:
        """Not known when units were used on a resource without a public unit cost."""
        if self.euros_per_unit is None:
            return None if self.units else Decimal("0")
        return self.units * self.euros_per_unit


@dataclass
class RegisterRow:
    """One funded owner or repository with money in and the adoption it shows."""

    key: str  # "owner/BSC-LT", "model/BSC-LT/ALIA-40b", "dataset/…"
    kind: str  # "owner", "model" or "dataset"
    name: str
    owner_name: str
    as_of: date | None = None
    repository_ids: list[int] = field(default_factory=list)
    shares: list[FundingShare] = field(default_factory=list)
    # Compute calls, their providers (funders) and the institutions of grants that promised it.
    compute_calls: set[str] = field(default_factory=set)
    compute_funders: set[str] = field(default_factory=set)
    compute_recipients: set[str] = field(default_factory=set)
    compute: dict[int, ComputeCost] = field(default_factory=dict)
    funded_since: date | None = None
    funding_eur: Decimal = Decimal("0")
    languages: set[str] = field(default_factory=set)
    members: list[tuple[figures.Readings, figures.SinceFunding]] = field(default_factory=list)
    adoption: figures.RowFigures = field(default_factory=figures.RowFigures)
    is_demo: bool = False

    @property
    def records(self) -> list[FundingRecord]:
        return [share.record for share in self.shares]

    @property
    def is_split(self) -> bool:
        """Some funding was divided here among the items a record names: an estimate, not a public figure."""
        return any(share.parts > 1 for share in self.shares)

    @property
    def compute_units(self) -> Decimal:
        return sum((cost.units for cost in self.compute.values()), Decimal("0"))

    @property
    def compute_eur(self) -> figures.Figure:
        euros = [cost.euros for cost in self.compute.values()]
        if any(value is None for value in euros):
            return figures.Figure(None, figures.NOT_MEASURED)
        return figures.Figure(sum(euros, Decimal("0")).quantize(Decimal("0.01")))

    @property
    def money_in(self) -> figures.Figure:
        compute = self.compute_eur
        return figures.Figure(self.funding_eur + compute.value) if compute.measured else compute

    @property
    def downloads_30d(self) -> figures.Figure:
        return self.adoption.downloads_30d

    @property
    def downloads_since_funding(self) -> figures.Figure:
        return self.adoption.since_funding

    @property
    def derivatives(self) -> figures.Figure:
        return self.adoption.derivatives

    @property
    def spaces(self) -> figures.Figure:
        return self.adoption.spaces

    @property
    def first_funded_on(self) -> date:
        return self.funded_since

    @property
    def programmes(self) -> list[str]:
        return sorted({share.record.programme for share in self.shares})

    @property
    def calls(self) -> list[str]:
        return sorted(self.compute_calls)

    @property
    def funders(self) -> list[str]:
        return sorted({share.record.funder for share in self.shares} | self.compute_funders)

    @property
    def recipients(self) -> list[str]:
        return sorted({share.record.recipient for share in self.shares} | self.compute_recipients)

    @property
    def years(self) -> list[int]:
        return sorted({self.funded_since.year} | {share.record.awarded_on.year for share in self.shares})

    def funded_on(self, day: date) -> None:
        self.funded_since = day if self.funded_since is None else min(self.funded_since, day)

    @property
    def eur_per_monthly_download(self) -> figures.Figure:
        return figures.ratio(self.money_in, self.downloads_30d)

    @property
    def eur_per_download_since(self) -> figures.Figure:
        return figures.ratio(self.money_in, self.downloads_since_funding)

    @property
    def growth_percent(self) -> figures.Figure:
        return figures.growth_percent(self.downloads_30d, self.adoption.month_before)


@dataclass(frozen=True)
class RegisterTotals:
    """The rows shown, added up without counting a repository or a grant twice."""

    rows: int
    money_in: figures.Figure
    downloads_30d: figures.Figure
    repositories: int


def register_totals(rows: list[RegisterRow]) -> RegisterTotals:
    grants: dict[int, ComputeCost] = {}
    windows: dict[int, figures.Figure] = {}
    for row in rows:
        grants.update(row.compute)
        for readings, _count in row.members:
            windows[readings.repository_id] = figures.Figure.of(readings.window)
    compute = [cost.euros for cost in grants.values()]
    funding = sum((row.funding_eur for row in rows), Decimal("0"))
    money = (figures.Figure(None, figures.NOT_MEASURED) if any(value is None for value in compute)
             else figures.Figure(funding + sum(compute, Decimal("0"))))
    return RegisterTotals(rows=len(rows), money_in=money, downloads_30d=figures.total(list(windows.values())),
                          repositories=len(windows))


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


def _rows_from_records(records: list[FundingRecord], as_of: date) -> dict[str, RegisterRow]:
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
            row = rows.setdefault(key, RegisterRow(key=key, kind=kind, name=name, owner_name=owner_name, as_of=as_of))
            row.shares.append(FundingShare(record, share, len(targets)))
            row.funded_on(record.awarded_on)
            row.funding_eur += share
            row.is_demo = row.is_demo or record.is_demo
    return rows


def _funded_outputs(as_of: date):
    return ExpectedOutput.objects.filter(
        request__status__in=FUNDED, request__grant__isnull=False, request__grant__start_date__lte=as_of,
    )


def _add_compute_rows(rows: dict[str, RegisterRow], as_of: date) -> None:
    """Models promised by funded compute grants are publicly funded too, through the compute they used."""
    used = Coalesce(
        Subquery(
            UsageRecord.objects.filter(grant=OuterRef("request__grant"), period_end__lte=as_of)
            .values("grant").annotate(total=Sum("units")).values("total")[:1]
        ),
        Value(Decimal("0")), output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    outputs = _funded_outputs(as_of).annotate(used=used).values_list(
        "kind", "repo_id", "request__call__title", "request__call__resource__provider",
        "request__applicant_affiliation", "request__grant__start_date", "request__grant__id", "used",
        "request__call__resource__unit_cost__euros_per_unit",
    )
    for kind, repo_id, call_title, provider, affiliation, start, grant_id, units, per_unit in outputs:
        key = f"{kind}/{repo_id}"
        row = rows.setdefault(key, RegisterRow(key=key, kind=kind, name=repo_id, owner_name=repo_id.split("/")[0],
                                               as_of=as_of))
        row.compute_calls.add(call_title)
        row.compute_funders.add(provider)
        if affiliation:
            row.compute_recipients.add(affiliation)
        row.compute[grant_id] = ComputeCost(grant_id, call_title, units, per_unit)
        row.funded_on(start)


def _first_all_time(field_name: str, *, funded_on: str, as_of: date):
    """The first all-time reading on or after the funding day: where counting since funding starts."""
    snaps = HubSnapshot.objects.filter(
        repository=OuterRef("pk"), day__gte=OuterRef(funded_on), day__lte=as_of, downloads_all_time__isnull=False,
    )
    return Subquery(snaps.order_by("day").values(field_name)[:1])


def _repositories(rows: dict[str, RegisterRow], as_of: date, today: date) -> list[HubRepository]:
    """Every public repository behind the rows, with its readings as of `as_of`, in one query."""
    owners = [row.name for row in rows.values() if row.kind == "owner"]
    repo_rows = [row for row in rows.values() if row.kind != "owner"]
    if not owners and not repo_rows:
        return []
    # A repository may be on two rows (its owner's and its own), each with its funding day.
    owner_funded_on = Case(*[When(owner__name=name, then=Value(rows[f"owner/{name}"].first_funded_on))
                             for name in owners], default=None, output_field=DateField())
    repo_funded_on = Case(*[When(Q(repo_id=row.name, kind=row.kind), then=Value(row.first_funded_on))
                            for row in repo_rows], default=None, output_field=DateField())
    repos = HubRepository.objects.filter(
        Q(owner__name__in=owners) | Q(repo_id__in=[row.name for row in repo_rows]), private=False,
    ).select_related("owner", "adoption").annotate(owner_funded_on=owner_funded_on, repo_funded_on=repo_funded_on)

    def snapshots():
        return HubSnapshot.objects.filter(repository=OuterRef("pk"))

    if as_of >= today:
        # Today's figures are those of the last sync; a repository gone from the Hub has none.
        window = Case(When(removed_at__isnull=True, then=F("downloads")), default=None)
        # The sync stores the day's snapshot with the row: its latest day is when the count was read.
        repos = repos.annotate(
            window=window, window_read_on=Subquery(snapshots().order_by("-day").values("day")[:1]),
            last_all_time=Case(When(removed_at__isnull=True, then=F("downloads_all_time")), default=None),
            last_all_time_on=Value(today, output_field=DateField()),
        )
    else:
        last = snapshots().filter(day__lte=as_of, downloads_all_time__isnull=False).order_by("-day")
        repos = repos.annotate(
            window=Subquery(snapshots().filter(day=as_of).values("downloads")[:1]),
            window_read_on=Value(as_of, output_field=DateField()),
            last_all_time=Subquery(last.values("downloads_all_time")[:1]),
            last_all_time_on=Subquery(last.values("day")[:1]),
            first_day=Subquery(snapshots().order_by("day").values("day")[:1]),
        ).filter(Q(first_seen_at__date__lte=as_of) | Q(first_day__lte=as_of))
    return list(repos.annotate(
        month_before=Subquery(snapshots().filter(day=as_of - MONTH).values("downloads")[:1]),
        owner_base_on=_first_all_time("day", funded_on="owner_funded_on", as_of=as_of),
        owner_base_all_time=_first_all_time("downloads_all_time", funded_on="owner_funded_on", as_of=as_of),
        repo_base_on=_first_all_time("day", funded_on="repo_funded_on", as_of=as_of),
        repo_base_all_time=_first_all_time("downloads_all_time", funded_on="repo_funded_on", as_of=as_of),
    ))


def _readings(repo: HubRepository, as_of: date, current: bool) -> figures.Readings:
    # Derivatives and Spaces are read once a day with no history kept: known only for today.
    adoption = getattr(repo, "adoption", None) if current and repo.removed_at is None else None
    return figures.Readings(
        repository_id=repo.pk, kind=repo.kind, repo_id=repo.repo_id, as_of=as_of,
        window=repo.window, window_read_on=repo.window_read_on if repo.window is not None else None,
        month_before=repo.month_before, last_all_time=repo.last_all_time,
        last_all_time_on=repo.last_all_time_on if repo.last_all_time is not None else None,
        created_on=repo.hub_created_at.date() if repo.hub_created_at else None,
        derivatives=adoption.derivatives if adoption else None, spaces=adoption.spaces if adoption else None,
        adoption_read_at=adoption.changed_at if adoption else None,
    )


def _register(as_of: date) -> list[RegisterRow]:
    today = timezone.localdate()
    rows = _rows_from_records(_records(as_of), as_of)
    _add_compute_rows(rows, as_of)
    repos = _repositories(rows, as_of, today)
    for repo in repos:
        readings = _readings(repo, as_of, as_of >= today)
        for key, funded_on, base_on, base_all_time in (
            (f"owner/{repo.owner.name}", repo.owner_funded_on, repo.owner_base_on, repo.owner_base_all_time),
            (f"{repo.kind}/{repo.repo_id}", repo.repo_funded_on, repo.repo_base_on, repo.repo_base_all_time),
        ):
            if key in rows and funded_on is not None:
                count = figures.since_funding(readings, funded_on=funded_on, base_on=base_on,
                                              base_all_time=base_all_time)
                rows[key].members.append((readings, count))
                rows[key].repository_ids.append(repo.pk)
                rows[key].languages.update(repo.languages)
    for row in rows.values():
        row.adoption = figures.row_figures(row.members)
    # A grant's promised model not (yet) in the catalogue has nothing to measure; recorded
    # funding stays listed even then: money with nothing on the Hub is a finding too.
    return [row for row in rows.values() if row.repository_ids or row.shares]


def register(*, as_of: date | None = None, programme: str = "", funder: str = "", call: str = "",
             language: str = "", year: int | None = None, sort: str = DEFAULT_SORT,
             descending: bool = True) -> list[RegisterRow]:
    """The register as of a day (today by default), filtered and sorted.

    Today's register is cached for ten minutes and dropped when funding, unit costs or
    adoption counts change; a Hub sync shows up within those ten minutes.
    """
    rows = register_unfiltered(as_of=as_of)
    if programme:
        rows = [row for row in rows if programme in row.programmes]
    if funder:
        rows = [row for row in rows if funder in row.funders]
    if call:
        rows = [row for row in rows if call in row.calls]
    if language:
        rows = [row for row in rows if language in row.languages]
    if year:
        rows = [row for row in rows if year in row.years]
    value = SORTS.get(sort, SORTS[DEFAULT_SORT])
    rows = sorted(rows, key=lambda row: row.name.lower())  # ties stay in the order of names
    measured = sorted((row for row in rows if value(row) is not None), key=value, reverse=descending)
    return measured + [row for row in rows if value(row) is None]


def register_unfiltered(*, as_of: date | None = None) -> list[RegisterRow]:
    today = timezone.localdate()
    as_of = min(as_of or today, today)
    return _cached_register() if as_of == today else _register(as_of)


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
    return next((row for row in register_unfiltered(as_of=as_of) if row.key == key), None)


def register_filters(rows: list[RegisterRow]) -> dict[str, list[tuple]]:
    """Filter choices that exist in these rows, each with how many rows it would show."""
    counts: dict[str, Counter] = {name: Counter() for name in ("programmes", "funders", "calls", "years", "languages")}
    for row in rows:
        for name in counts:
            counts[name].update(set(getattr(row, name)))
    choices = {name: sorted(counter.items()) for name, counter in counts.items()}
    choices["years"].reverse()
    return choices


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


def _shown_value(name: str, text: str) -> str:
    """A stored history value (raw text) as a reader wants it: formatted amount and date, plain names."""
    if not text:
        return ""
    if name == "amount_eur":
        return f"{quantity(Decimal(text))} €"
    if name == "awarded_on":
        return day(date.fromisoformat(text))
    if name == "repositories":
        names = []
        for item in text.split(", "):
            kind, _sep, repo_id = item.partition(":")
            names.append(repo_id if kind == "model" else f"{repo_id} ({kind})")
        return ", ".join(names)
    if name == "grants":
        return ", ".join(f"#{grant}" for grant in text.split(", "))
    return text


def funding_change_lines(change: FundingRecordChange) -> list[tuple[str, str, str]]:
    """(field label, old, new) of one change, in the order of the record's fields."""
    order = {name: index for index, name in enumerate(f.name for f in FundingRecord._meta.get_fields())}
    lines = []
    for name, (old, new) in sorted(change.changes.items(), key=lambda item: order.get(item[0], 99)):
        try:
            label = capfirst(FundingRecord._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            label = name
        lines.append((label, _shown_value(name, old), _shown_value(name, new)))
    return lines


def repository_funding(repository: HubRepository) -> RegisterRow | None:
    """The register row of a repository, for its badge."""
    return register_row(key=f"{repository.kind}/{repository.repo_id}")


def compute_costs_by_resource() -> list:
    """Each compute resource with a public unit cost: granted and used units and their euro value."""
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
