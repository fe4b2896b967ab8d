"""Relations every register must keep, between the figures of a row and between rows and totals."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from apps.transparency import figures, selectors

MONEY_FIGURES = ("money_in", "compute_eur", "eur_per_monthly_download", "eur_per_download_since")
COUNT_FIGURES = ("downloads_30d", "downloads_since_funding", "derivatives", "spaces")


def assert_register_agrees(rows, as_of):
    shares = defaultdict(Decimal)
    for row in rows:
        assert_row_agrees(row, as_of)
        for share in row.shares:
            shares[share.record.pk, share.record.amount_eur] += share.amount
    # The parts of a record split among several rows add up to the record (to the cent: a third
    # of an amount has no exact decimal).
    for (_pk, amount), counted in shares.items():
        assert counted.quantize(Decimal("0.01")) == amount
    totals = selectors.register_totals(rows)
    money = [row.money_in for row in rows]
    if totals.money_in.measured:
        assert all(figure.measured and figure.value <= totals.money_in.value for figure in money)
        assert totals.money_in.value <= sum(figure.value for figure in money)
    downloads = [row.downloads_30d for row in rows if row.members]
    if totals.downloads_30d.measured:
        assert all(figure.measured and figure.value <= totals.downloads_30d.value for figure in downloads)
        assert totals.downloads_30d.value <= sum(figure.value for figure in downloads)
    else:
        assert any(not figure.measured for figure in downloads) or not downloads


def assert_row_agrees(row, as_of):
    for name in MONEY_FIGURES + COUNT_FIGURES + ("growth_percent",):
        figure = getattr(row, name)
        assert figure.status in figures.STATUSES, name
        assert (figure.value is not None) == figure.measured, name  # not measured is never a number
        if figure.measured and name != "growth_percent":
            assert figure.value >= 0, name
    if not row.members:
        for name in COUNT_FIGURES:
            assert not getattr(row, name).measured, name  # nothing in the catalogue: nothing measured
    # A ratio exists exactly when both sides are measured and there were downloads.
    for ratio, downloads in (("eur_per_monthly_download", row.downloads_30d),
                             ("eur_per_download_since", row.downloads_since_funding)):
        result = getattr(row, ratio)
        if row.money_in.measured and downloads.measured and downloads.value:
            assert result.value == (row.money_in.value / downloads.value).quantize(Decimal("0.01"))
        elif row.money_in.measured and downloads.measured:
            assert result.status == figures.NO_DOWNLOADS
        else:
            assert result.status == figures.NOT_MEASURED
    # Since funding is never less than the 30-day windows lying inside the funded period.
    since, window, before = row.downloads_since_funding, row.downloads_30d, row.adoption.month_before
    if window.measured and as_of - timedelta(days=30) >= row.first_funded_on:
        assert since.measured and since.value >= window.value
        if before.measured and as_of - timedelta(days=60) >= row.first_funded_on:
            assert since.value >= window.value + before.value
    if since.measured:
        assert 0 <= row.adoption.since_missing_days <= row.adoption.since_period_days
        assert row.adoption.since_period_days <= (as_of - row.first_funded_on).days
    for readings, count in row.members:
        assert readings.as_of == as_of
        if count.value is not None:
            assert 0 <= count.missing_days <= count.period_days
    if row.money_in.measured:
        assert row.money_in.value == row.funding_eur + row.compute_eur.value
