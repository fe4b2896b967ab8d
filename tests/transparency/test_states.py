"""Three states for every figure (a number, 0, not measured) through page, API, CSV, JSON, badge and as_of."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.hub.models import HubRepository, HubSnapshot
from apps.transparency import services
from tests.hub import factories as hub

pytestmark = pytest.mark.django_db


@pytest.fixture
def days(staff):
    """lab/modelo read 5 days ago (40 downloads) and 3 days ago (0 downloads), not 4 days ago."""
    today = timezone.localdate()
    read, zero, missing = today - timedelta(days=5), today - timedelta(days=3), today - timedelta(days=4)
    hub.history(hub.owner("lab"), {
        read: [hub.remote("lab/modelo", downloads=40, downloads_all_time=1000)],
        zero: [hub.remote("lab/modelo", downloads=0, downloads_all_time=1000)],
        today: [hub.remote("lab/modelo", downloads=25, downloads_all_time=1100)],
    })
    HubSnapshot.objects.filter(day=missing).delete()
    services.funding_record_create(actor=staff, data={
        "programme": "Programa", "funder": "Ministerio", "recipient": "Centro", "amount_eur": "1000",
        "awarded_on": (today - timedelta(days=60)).isoformat(), "sources": [{"url": "https://example.org/"}],
        "repositories": ["lab/modelo"],
    })
    return {"read": read, "zero": zero, "missing": missing}


def csv_row(client, as_of):
    content = client.get(f"/transparency/register.csv?as_of={as_of}").content.decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(content))
    return row


def test_a_day_without_a_snapshot_is_not_measured_everywhere(client, days):
    day = days["missing"].isoformat()
    page = client.get(f"/transparency/?as_of={day}").content.decode()
    cell = page[page.index("data-downloads-30d>"):][:200]
    assert 'data-status="not_measured"' in cell and ">0<" not in cell
    ratio = page[page.index("data-eur-per-monthly-download>"):][:300]
    assert 'data-status="not_measured"' in ratio
    api = client.get(f"/api/transparency/register/?as_of={day}").json()["results"][0]
    assert (api["downloads_30d"], api["downloads_30d_status"]) == (None, "not_measured")
    assert (api["eur_per_monthly_download"], api["eur_per_monthly_download_status"]) == (None, "not_measured")
    assert (api["derivatives"], api["derivatives_status"]) == (None, "not_measured")
    row = csv_row(client, day)
    assert (row["downloads_30d"], row["downloads_30d_status"]) == ("", "not_measured")
    assert (row["eur_per_monthly_download"], row["eur_per_monthly_download_status"]) == ("", "not_measured")
    data = json.loads(client.get(f"/transparency/register.json?as_of={day}").content)["rows"][0]
    assert (data["downloads_30d"], data["downloads_30d_status"]) == (None, "not_measured")
    item = client.get(f"/transparency/item/model/lab/modelo/?as_of={day}").content.decode()
    assert 'data-downloads-30d><span data-status="not_measured">' in item
    assert "no reading of the Hub on" in item or "ninguna lectura del Hub" in item


def test_a_day_measured_as_zero_is_zero_and_its_ratio_says_why_it_is_missing(client, days):
    day = days["zero"].isoformat()
    api = client.get(f"/api/transparency/register/?as_of={day}").json()["results"][0]
    assert (api["downloads_30d"], api["downloads_30d_status"]) == (0, "measured")
    assert (api["eur_per_monthly_download"], api["eur_per_monthly_download_status"]) == (None, "no_downloads")
    row = csv_row(client, day)
    assert (row["downloads_30d"], row["downloads_30d_status"]) == ("0", "measured")
    assert row["eur_per_monthly_download_status"] == "no_downloads"
    page = client.get(f"/transparency/?as_of={day}").content.decode()
    cell = page[page.index("data-downloads-30d>"):][:300]
    assert '<span data-status="measured">0</span>' in cell


def test_a_measured_day_has_its_numbers_and_the_badge_follows_today(client, days):
    api = client.get(f"/api/transparency/register/?as_of={days['read'].isoformat()}").json()["results"][0]
    assert (api["downloads_30d"], api["eur_per_monthly_download"]) == (40, "25.00")
    badge = client.get("/transparency/badge/model/lab/modelo.svg").content.decode()
    assert 'data-status="measured measured"' in badge and "40,00 €" in badge
    # Gone from the Hub: today's downloads are unknown, not 0, and the badge says so.
    HubRepository.objects.filter(repo_id="lab/modelo").update(removed_at=timezone.now())
    services.register_cache_clear()
    badge = client.get("/transparency/badge/model/lab/modelo.svg").content.decode()
    assert 'data-status="not_measured not_measured"' in badge and "0 €" not in badge
