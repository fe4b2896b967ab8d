"""Downloads that open correctly in a spreadsheet, with a description of their columns; JSON keeps raw values."""

import codecs
import csv
import io

import pytest

from apps.transparency import services
from tests.hub import factories as hub

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile(staff):
    hub.catalogue(hub.owner("lab"), [hub.remote("lab/modelo", downloads=50)])
    services.funding_record_create(actor=staff, data={
        "programme": '=HYPERLINK("https://evil.example/","Ver")', "funder": "@SUM(A1:A9)",
        "recipient": "-2+3 Fundación Añil", "amount_eur": "1000", "awarded_on": "2025-01-10",
        "sources": [{"url": "https://example.org/"}], "repositories": ["lab/modelo"],
    })


def test_the_csv_has_a_byte_order_mark_neutralised_formulas_and_a_status_column(client, hostile):
    content = client.get("/transparency/register.csv").content
    assert content.startswith(codecs.BOM_UTF8)
    (row,) = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    assert row["programmes"] == "'=HYPERLINK(\"https://evil.example/\",\"Ver\")"
    assert row["funders"] == "'@SUM(A1:A9)"
    assert row["recipients"] == "'-2+3 Fundación Añil"  # accents intact
    assert (row["downloads_30d"], row["downloads_30d_status"]) == ("50", "measured")
    assert (row["derivatives"], row["derivatives_status"]) == ("", "not_measured")
    assert row["money_in_eur"] == "1000.00" and row["funding_split"] == "False"


def test_the_json_keeps_raw_values(client, hostile):
    data = client.get("/transparency/register.json").json()
    (row,) = data["rows"]
    assert data["totals"] == {"rows": 1, "repositories": 1, "money_in_eur": "1000.00",
                              "money_in_eur_status": "measured", "downloads_30d": 50,
                              "downloads_30d_status": "measured"}
    assert row["programmes"] == '=HYPERLINK("https://evil.example/","Ver")'
    assert row["funders"] == "@SUM(A1:A9)"
    assert (row["derivatives"], row["derivatives_status"]) == (None, "not_measured")


def test_the_data_package_describes_every_csv_column_with_units_and_states(client, hostile):
    header = next(csv.reader(io.StringIO(client.get("/transparency/register.csv?as_of=2026-11-20")
                                         .content.decode("utf-8-sig"))))
    package = client.get("/transparency/register.datapackage.json?as_of=2026-11-20").json()
    (resource,) = package["resources"]
    fields = resource["schema"]["fields"]
    assert [field["name"] for field in fields] == header
    assert resource["encoding"] == "utf-8-sig" and resource["schema"]["missingValues"] == [""]
    assert "as_of=2026-11-20" in resource["path"] and resource["path"].startswith("http")
    by_name = {field["name"]: field for field in fields}
    assert by_name["eur_per_monthly_download"]["unit"] == "EUR/download"
    assert by_name["downloads_30d_status"]["constraints"]["enum"] == ["measured", "not_measured", "no_downloads"]
