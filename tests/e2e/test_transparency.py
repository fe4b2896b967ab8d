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

    # Column headers sort on a wide window; on a phone the table is cards and the form sorts.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("a[data-sort=downloads]").click()
    expect(rows.first).to_have_attribute("data-row", "model/HiTZ/latxa-7b")
    page.locator("a[data-sort=eur_per_monthly_download]").click()
    expect(page).to_have_url(re.compile(r"sort=eur_per_monthly_download"))
    expect(rows.first).to_have_attribute("data-row", "model/BSC-LT/ALIA-40b")
    page.locator("a[data-sort=eur_per_monthly_download]").click()  # the same header again: ascending
    expect(page).to_have_url(re.compile(r"order=asc"))
    expect(rows.first).to_have_attribute("data-row", "model/HiTZ/latxa-7b")
    page.locator("a[data-sort=eur_per_monthly_download]").click()
    expect(rows.first).to_have_attribute("data-row", "model/BSC-LT/ALIA-40b")

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


def _figures(page) -> list[float]:
    """The € per monthly download of every row shown, in order (measured ones only)."""
    texts = page.locator('tr[data-row] [data-eur-per-monthly-download] [data-status="measured"]').all_inner_texts()
    return [float(re.sub(r"[\s.]", "", text).replace(",", ".")) for text in texts]


def test_a_journalist_on_a_phone_reads_alias_cost_sorts_filters_and_opens_its_explanation(page, transactional_db):
    from apps.accounts import demo as accounts_demo
    from apps.compute import demo as compute_demo
    from apps.hub import demo as hub_demo
    from apps.transparency import demo as transparency_demo

    from django.contrib.auth.models import Group

    from apps.accounts import roles

    # The roles come from a data migration, which an earlier transactional test flushed away.
    for role in roles.ALL_ROLES:
        Group.objects.get_or_create(name=role)
    people = accounts_demo.seed(lambda *a: None)
    for seeder in (hub_demo.seed, compute_demo.seed, transparency_demo.seed):
        seeder(lambda *a: None, people)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/transparency/")
    alia = page.locator('tr[data-row="model/BSC-LT/ALIA-40b"]')
    cost = alia.locator("[data-eur-per-monthly-download]")
    expect(cost.locator('[data-status="measured"]')).to_have_text(re.compile(r"^\d{1,3}([\s.]\d{3})*,\d{2}$"))
    expect(cost).to_be_visible()  # a card per row: the key figure is on screen, not cut off
    expect(alia.locator("[data-split]")).to_be_visible()  # 10.2 M€ for two models, divided here
    expect(alia.locator("[data-recipients]")).to_contain_text("Barcelona Supercomputing Center")
    shoot(page, "transparency-10-register-phone")

    page.locator("#f-sort").select_option("eur_per_monthly_download")
    page.locator("#f-order").select_option("asc")
    page.get_by_role("button", name="Aplicar").click()
    expect(page).to_have_url(re.compile(r"sort=eur_per_monthly_download.*order=asc"))
    ascending = _figures(page)
    assert len(ascending) >= 3 and ascending == sorted(ascending)
    page.locator("#f-order").select_option("desc")
    page.get_by_role("button", name="Aplicar").click()
    expect(page).to_have_url(re.compile(r"order=desc"))
    descending = _figures(page)
    assert descending == sorted(ascending, reverse=True)
    expect(page.locator("tr[data-row]").first).to_have_attribute("data-row", "model/BSC-LT/ALIA-40b-instruct")

    funder = page.locator("#f-funder option", has_text="Ministerio para la Transformación Digital")
    expect(funder).to_have_text(re.compile(r"\(2\)$"))  # choices come from the rows, with their counts
    page.locator("#f-funder").select_option(funder.get_attribute("value"))
    page.get_by_role("button", name="Aplicar").click()
    expect(page).to_have_url(re.compile(r"funder=Ministerio"))
    expect(page.locator("tr[data-row]")).to_have_count(2)
    expect(page.locator("#f-order")).to_have_value("desc")  # sorting stays in the URL with the filter
    shoot(page, "transparency-11-register-filtered-phone")

    alia.locator("[data-eur-per-monthly-download] a").click()
    expect(page).to_have_url(re.compile(r"/transparency/item/model/BSC-LT/ALIA-40b/\?as_of=.*#figure-eur-per-monthly-download$"))
    explanation = page.locator("#figure-eur-per-monthly-download")
    expect(explanation).to_be_in_viewport()
    expect(explanation).to_contain_text(cost_text := explanation.locator('[data-status="measured"]').inner_text())
    expect(page.locator("#figure-eur-per-monthly-download + p")).to_contain_text("÷")
    expect(page.locator("#figure-eur-per-monthly-download + p strong")).to_contain_text(cost_text)
    expect(page.locator("#figure-money-in ~ ul [data-share]").first).to_contain_text("÷ 2")
    shoot(page, "transparency-12-explanation-phone")

    page.goto("/compute/dashboard/")
    expect(page.locator("[data-recipient]").first).to_be_visible()
    shoot(page, "transparency-13-compute-ledger-phone")
