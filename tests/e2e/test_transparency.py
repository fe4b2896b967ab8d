import csv
import io
import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from apps.transparency import services
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import shoot
from tests.hub import factories


def test_visitor_reads_the_register_sorts_it_opens_alia_and_downloads_the_csv(page, screenshot, transactional_db):
    staff = UserFactory(is_staff=True)
    owner = factories.owner("BSC-LT")
    factories.weekly_history(owner, "BSC-LT/ALIA-40b", weeks=6, start=150, step=4,
                             languages=("es", "ca", "eu", "gl"), task="text-generation")
    other = factories.owner("HiTZ")
    factories.catalogue(other, [factories.remote("HiTZ/latxa-7b", downloads=2050, languages=("eu",),
                                                 task="text-generation")])
    awarded_inside_the_trend = (timezone.localdate() - timedelta(days=10)).isoformat()
    for repo, amount, awarded in (("BSC-LT/ALIA-40b", "10200000", awarded_inside_the_trend),
                                  ("HiTZ/latxa-7b", "300000", "2025-01-20")):
        services.funding_record_create(actor=staff, data={
            "programme": "Programa público", "funder": "Ministerio", "recipient": repo.split("/")[0],
            "amount_eur": amount, "awarded_on": awarded,
            "sources": [{"url": "https://alia.gob.es/", "title": "Fuente oficial"}], "repositories": [repo],
        })

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    page.locator("[data-home-register]").click()
    expect(page).to_have_url(re.compile(r"/transparency/$"))
    rows = page.locator("tr[data-row]")
    expect(rows).to_have_count(2)
    screenshot("transparency-01-register-phone")

    page.locator("a[data-sort=downloads]").click()
    expect(rows.first).to_have_attribute("data-row", "model/HiTZ/latxa-7b")
    page.locator("a[data-sort=eur_per_monthly_download]").click()
    expect(page).to_have_url(re.compile(r"sort=eur_per_monthly_download"))
    expect(rows.first).to_have_attribute("data-row", "model/BSC-LT/ALIA-40b")

    page.set_viewport_size({"width": 1280, "height": 900})
    rows.first.get_by_role("link", name="BSC-LT/ALIA-40b").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("BSC-LT/ALIA-40b")
    expect(page.locator("figure svg.chart-line")).to_be_visible()
    expect(page.locator("[data-events] li").first).to_be_visible()
    expect(page.locator("[data-events]")).to_contain_text("Programa público")
    # The trend is annotated with the funding, which falls inside it.
    expect(page.locator("figure [data-chart-marker]")).to_have_count(1)
    expect(page.locator("figure [data-chart-marker] title")).to_have_text(re.compile("Programa público"))
    screenshot("transparency-02-alia")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("figure [data-chart-point]").last.focus()
    expect(page.locator("figure .chart-tooltip")).to_be_visible()
    shoot(page, "transparency-03-alia-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.go_back()
    with page.expect_download() as download_info:
        page.locator("[data-download-csv]").click()
    content = open(download_info.value.path(), encoding="utf-8").read()
    lines = list(csv.DictReader(io.StringIO(content)))
    assert [line["name"] for line in lines] == ["BSC-LT/ALIA-40b", "HiTZ/latxa-7b"]
    assert lines[0]["eur_per_monthly_download"] == f"{10200000 / int(lines[0]['downloads_30d']):.2f}"
