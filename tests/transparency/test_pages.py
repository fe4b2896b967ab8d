import csv
import io
from decimal import Decimal

import pytest

from apps.transparency import services
from tests.hub import factories as hub

pytestmark = pytest.mark.django_db


def fund(staff, n):
    owner = hub.owner("lab")
    hub.catalogue(owner, [hub.remote(f"lab/modelo-{i}", downloads=10 * (i + 1)) for i in range(n)])
    for i in range(n):
        services.funding_record_create(actor=staff, data={
            "programme": f"Programa {i % 3}", "funder": "Ministerio", "recipient": "Centro",
            "amount_eur": "1000", "awarded_on": "2025-01-10",
            "sources": [{"url": f"https://example.org/{i}"}], "repositories": [f"lab/modelo-{i}"],
        })


@pytest.mark.parametrize("n", [2, 8])
def test_register_page_and_api_queries_do_not_grow_with_rows(client, staff, n, django_assert_num_queries):
    fund(staff, n)
    with django_assert_num_queries(5):  # records, 2 prefetches, compute outputs, repositories
        response = client.get("/transparency/")
    assert response.status_code == 200
    assert len(response.context["rows"]) == n
    from tests.conftest import clear_worker_redis

    clear_worker_redis()  # the page cached today's register; the API must build it too
    with django_assert_num_queries(5):
        response = client.get("/api/transparency/register/?sort=money")
    assert response.json()["count"] == n


@pytest.mark.parametrize("n", [2, 8])
def test_funding_list_queries_do_not_grow(client, staff, n, django_assert_num_queries):
    fund(staff, n)
    with django_assert_num_queries(6):  # records, 4 prefetches, compute costs
        response = client.get("/transparency/funding/")
    assert response.status_code == 200


def test_register_page_is_public_and_sorted_with_its_denominators(client, staff):
    fund(staff, 3)
    response = client.get("/transparency/?sort=eur_per_monthly_download")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.name for row in rows] == ["lab/modelo-0", "lab/modelo-1", "lab/modelo-2"]
    html = response.content.decode()
    assert html.count("data-eur-per-monthly-download") == 3
    assert "data-permalink" in html


def test_bad_as_of_is_reported_and_ignored(client, staff):
    fund(staff, 1)
    response = client.get("/transparency/?as_of=2999-01-01")
    assert response.status_code == 200
    assert "as_of" in response.context["form"].errors
    assert client.get("/api/transparency/register/?as_of=2999-01-01").status_code == 400
    assert client.get("/api/transparency/register/?as_of=nonsense").status_code == 400
    assert client.get("/api/transparency/register/?sort=nonsense").status_code == 400


def test_csv_download_has_one_row_per_item_with_permalinks(client, staff):
    fund(staff, 2)
    response = client.get("/transparency/register.csv?as_of=2026-11-20")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["name"] for row in rows} == {"lab/modelo-0", "lab/modelo-1"}
    assert all(row["as_of"] == "2026-11-20" and "as_of=2026-11-20" in row["permalink"] for row in rows)
    assert Decimal(rows[0]["money_in_eur"]) == Decimal("1000.00")
    data = client.get("/transparency/register.json?as_of=2026-11-20").json()
    assert data["as_of"] == "2026-11-20" and len(data["rows"]) == 2


def test_item_page_shows_trend_events_and_badge(client, staff):
    fund(staff, 1)
    response = client.get("/transparency/item/model/lab/modelo-0/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-events" in html and "Programa 0" in html
    assert client.get("/transparency/item/model/lab/nope/").status_code == 404
    badge = client.get("/transparency/badge/model/lab/modelo-0.svg")
    assert badge.status_code == 200 and badge["Content-Type"].startswith("image/svg+xml")
    assert "<svg" in badge.content.decode() and "100,00 €" in badge.content.decode()
    assert client.get("/transparency/badge/model/lab/nope.svg").status_code == 404
    assert client.get("/transparency/badge/space/lab/modelo-0.svg").status_code == 404


def test_badge_escapes_repository_names(client, staff):
    hub.catalogue(hub.owner("lab"), [hub.remote("lab/<script>", downloads=5)])
    badge = client.get("/transparency/badge/model/lab/<script>.svg")
    assert badge.status_code == 200
    assert b"<script>" not in badge.content


def test_funding_list_values_compute_at_its_public_unit_cost(client, staff):
    from apps.compute.services.usage import usage_report
    from tests.compute import factories as compute

    resource = compute.make_resource(name="MareNostrum 5 ACC")
    call = compute.make_call(resource=resource, budget="1000", per_request_max="1000")
    allocation, grant = compute.approved_request(call=call, units="400")
    usage_report(actor=compute.make_operator(resource), request_id=allocation.pk,
                 period_start=grant.start_date, period_end=grant.start_date, units=Decimal("100"))
    services.unit_cost_set(actor=staff, resource=resource, euros_per_unit="2.5",
                           source_url="https://example.org/tarifas", source_title="Tarifas")
    response = client.get("/transparency/funding/")
    (row,) = response.context["compute_costs"]
    assert (row.granted_eur, row.used_eur) == (Decimal("1000"), Decimal("250"))
    assert "Tarifas" in response.content.decode()


def test_item_trend_marks_the_funding_that_falls_inside_it(client, staff):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    owner = hub.owner("lab")
    hub.weekly_history(owner, "lab/modelo", weeks=5, today=today)  # points 28, 21, 14, 7 and 0 days ago
    for programme, awarded in (("Programa dentro", today - timedelta(days=14)), ("Programa antiguo", "2020-01-10")):
        services.funding_record_create(actor=staff, data={
            "programme": programme, "funder": "Ministerio", "recipient": "Centro", "amount_eur": "1000",
            "awarded_on": str(awarded), "sources": [{"url": "https://example.org/"}], "repositories": ["lab/modelo"],
        })
    html = client.get("/transparency/item/model/lab/modelo/").content.decode()
    chart = html[html.index('class="chart-line-wrap"'):html.index("</svg>")]
    # 640 units wide, margins 56 and 12, five points 143 apart: the middle one is at x = 342.
    assert '<line x1="342" x2="342"' in chart
    assert "Programa dentro" in chart and "Programa antiguo" not in chart
    assert chart.count("data-chart-marker") == 1
    assert html.count('class="chart-point" tabindex="0"') == 5 and "<table" in html


def test_filter_choices_come_from_the_rows_with_counts_and_sorting_goes_both_ways(client, staff):
    fund(staff, 3)  # three programmes "Programa 0..2", one funder, one year
    response = client.get("/transparency/?sort=downloads&order=asc")
    choices = response.context["choices"]
    assert choices["funders"] == [("Ministerio", "Ministerio", 3)]
    assert choices["years"] == [(2025, 2025, 3)] and choices["calls"] == []
    assert [row.name for row in response.context["rows"]] == ["lab/modelo-0", "lab/modelo-1", "lab/modelo-2"]
    response = client.get("/transparency/?sort=downloads&order=desc")
    assert [row.name for row in response.context["rows"]] == ["lab/modelo-2", "lab/modelo-1", "lab/modelo-0"]
    html = response.content.decode()
    # The current column's header offers the other direction; the query keeps the filters.
    assert 'aria-sort="descending"><a href="?sort=downloads&amp;order=asc"' in html
    stale = client.get("/transparency/?funder=EuroHPC")
    assert stale.context["rows"] == [] and ("EuroHPC", "EuroHPC", 0) in stale.context["choices"]["funders"]
    assert client.get("/api/transparency/register/?sort=name&order=asc").json()["results"][0]["name"] == "lab/modelo-0"
    assert client.get("/api/transparency/register/?order=sideways").status_code == 400


def test_every_figure_of_a_row_links_to_where_its_inputs_are_explained(client, staff):
    import re

    fund(staff, 1)
    html = client.get("/transparency/").content.decode()
    row = html[html.index("data-row="):html.index("</tr>", html.index("data-row="))]
    anchors = set(re.findall(r'/transparency/item/model/lab/modelo-0/\?as_of=[\d-]+#([\w-]+)"', row))
    assert anchors == {"how", "figure-money-in", "figure-downloads-30d", "figure-eur-per-monthly-download",
                       "figure-downloads-since", "figure-eur-per-download-since", "figure-adoption", "figure-trend"}
    item = client.get("/transparency/item/model/lab/modelo-0/").content.decode()
    assert all(f'id="{anchor}"' in item for anchor in anchors)
    assert "Programa 0" in item[item.index('id="figure-money-in"'):]  # the funding record behind the money
