"""The rules that turn what the catalogue read into the register's figures.

Every figure has one of three states: a number, 0 (measured and zero), or not measured
(no reading for that period). Not measured is never shown or added as 0, and a ratio is
only computed between two measured figures. These functions know nothing of the
database, so the property-based tests can check them over any history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

MEASURED = "measured"
NOT_MEASURED = "not_measured"
NO_DOWNLOADS = "no_downloads"  # a ratio whose downloads were measured as zero
STATUSES = {
    MEASURED: _("measured"),
    NOT_MEASURED: _("not measured"),
    NO_DOWNLOADS: _("no downloads to divide by"),
}
WINDOW_DAYS = 30
# How "downloads since funding" was counted: the Hub's all-time counter between two
# readings, or the Hub's 30-day counts of the windows lying inside the period when those
# are higher (the two counters are kept separately by the Hub and can disagree).
BASIS_ALL_TIME = "all_time"
BASIS_WINDOWS = "windows"


@dataclass(frozen=True)
class Figure:
    """A value with its state; `value` is None unless the state is measured."""

    value: int | Decimal | None
    status: str = MEASURED

    @classmethod
    def of(cls, value) -> Figure:
        return cls(value, MEASURED) if value is not None else cls(None, NOT_MEASURED)

    @property
    def measured(self) -> bool:
        return self.status == MEASURED

    @property
    def status_label(self) -> str:
        return str(STATUSES[self.status])


def ratio(money: Figure, downloads: Figure) -> Figure:
    """Euros per download, only when both are measured and there were downloads."""
    if not money.measured or not downloads.measured:
        return Figure(None, NOT_MEASURED)
    if downloads.value == 0:
        return Figure(None, NO_DOWNLOADS)
    return Figure((Decimal(money.value) / downloads.value).quantize(Decimal("0.01")))


def total(figures: list[Figure]) -> Figure:
    """The sum of figures, not measured as soon as one of them is (never a partial sum)."""
    if not figures or any(not figure.measured for figure in figures):
        return Figure(None, NOT_MEASURED)
    return Figure(sum(figure.value for figure in figures))


@dataclass(frozen=True)
class Readings:
    """What the catalogue knew about one repository as of a day (None: no reading)."""

    repository_id: int
    kind: str
    repo_id: str
    as_of: date
    window: int | None  # the Hub's downloads in the 30 days up to `as_of`
    window_read_on: date | None  # the snapshot's day, or the day of the last sync for today
    month_before: int | None  # the Hub's 30-day downloads on `as_of` - 30 days
    last_all_time: int | None  # the Hub's all-time downloads at the last reading up to `as_of`
    last_all_time_on: date | None
    created_on: date | None  # published on the Hub
    derivatives: int | None = None
    spaces: int | None = None
    adoption_read_at: object = None


@dataclass(frozen=True)
class SinceFunding:
    """Downloads since funding for one repository, and what they were counted from."""

    value: int | None
    basis: str = ""
    period_days: int = 0
    covered_days: int = 0
    base_on: date | None = None  # first all-time reading used (the funding day when published later)
    base_all_time: int | None = None
    counted_since: date | None = None  # set when counting began after the funding

    @property
    def missing_days(self) -> int:
        return max(0, self.period_days - self.covered_days)


def since_funding(readings: Readings, *, funded_on: date, base_on: date | None,
                  base_all_time: int | None) -> SinceFunding:
    """Downloads from the day after `funded_on` up to `readings.as_of`: a lower bound.

    `base_on`/`base_all_time` is the first all-time reading on or after the funding day.
    The all-time counter between two readings counts every download between them, so only
    the days before the first reading and after the last one are missing. Windows of the
    30-day count that lie wholly inside the period are counted too, and the larger count
    is kept: both are downloads that certainly happened since the funding.
    """
    as_of = readings.as_of
    period = max(0, (as_of - funded_on).days)
    if period == 0:
        return SinceFunding(0, BASIS_ALL_TIME, 0, 0)
    counted_since = None
    if readings.created_on is not None and readings.created_on >= funded_on:
        base_on, base_all_time = funded_on, 0  # published after the funding: every download counts
    elif base_on is not None and base_on > funded_on:
        counted_since = base_on
    by_all_time = None
    if (base_on is not None and base_all_time is not None and readings.last_all_time is not None
            and readings.last_all_time_on is not None and readings.last_all_time_on > base_on):
        by_all_time = SinceFunding(
            max(0, readings.last_all_time - base_all_time), BASIS_ALL_TIME, period,
            (readings.last_all_time_on - base_on).days, base_on, base_all_time, counted_since)
    windows, covered = 0, 0
    if readings.window is not None and as_of - timedelta(days=WINDOW_DAYS) >= funded_on:
        windows, covered = readings.window, WINDOW_DAYS
        if readings.month_before is not None and as_of - timedelta(days=2 * WINDOW_DAYS) >= funded_on:
            windows, covered = windows + readings.month_before, 2 * WINDOW_DAYS
    if covered and (by_all_time is None or windows > by_all_time.value):
        return SinceFunding(windows, BASIS_WINDOWS, period, covered)
    return by_all_time or SinceFunding(None, "", period, 0)


@dataclass
class RowFigures:
    """The adoption figures of a register row, added up over its repositories."""

    downloads_30d: Figure = field(default_factory=lambda: Figure(None, NOT_MEASURED))
    month_before: Figure = field(default_factory=lambda: Figure(None, NOT_MEASURED))
    since_funding: Figure = field(default_factory=lambda: Figure(None, NOT_MEASURED))
    since_missing_days: int = 0
    since_period_days: int = 0
    counted_since: date | None = None
    derivatives: Figure = field(default_factory=lambda: Figure(None, NOT_MEASURED))
    spaces: Figure = field(default_factory=lambda: Figure(None, NOT_MEASURED))


def row_figures(members: list[tuple[Readings, SinceFunding]]) -> RowFigures:
    """Sum the repositories' figures; a figure one of them lacks is not measured for the row."""
    if not members:
        return RowFigures()
    since = [count for _readings, count in members]
    return RowFigures(
        downloads_30d=total([Figure.of(readings.window) for readings, _count in members]),
        month_before=total([Figure.of(readings.month_before) for readings, _count in members]),
        since_funding=total([Figure.of(count.value) for count in since]),
        since_missing_days=max(count.missing_days for count in since),
        since_period_days=max(count.period_days for count in since),
        counted_since=max((count.counted_since for count in since if count.counted_since), default=None),
        derivatives=total([Figure.of(readings.derivatives) for readings, _count in members]),
        spaces=total([Figure.of(readings.spaces) for readings, _count in members]),
    )


def growth_percent(now: Figure, before: Figure) -> Figure:
    """30-day downloads against those a month earlier; needs both, and some downloads before."""
    if not now.measured or not before.measured:
        return Figure(None, NOT_MEASURED)
    if before.value == 0:
        return Figure(None, NO_DOWNLOADS)
    return Figure(round((now.value - before.value) * 100 / before.value))
