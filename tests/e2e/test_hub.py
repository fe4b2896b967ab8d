import re

from playwright.sync_api import expect

from tests.hub import factories


def test_visitor_filters_catalogue_by_language_and_sees_a_model_trend(page, screenshot, transactional_db):
    owner = factories.owner("BSC-LT")
    factories.weekly_history(owner, "BSC-LT/salamandra-7b-instruct", weeks=6, start=90, step=17,
                             languages=("es", "ca", "eu", "gl"), task="text-generation")
    factories.catalogue(owner, [
        factories.remote("BSC-LT/salamandra-7b-instruct", downloads=174, languages=("es", "ca", "eu", "gl"),
                         task="text-generation"),
        factories.remote("BSC-LT/roberta-base-bne", downloads=2310, languages=("es",)),
    ])
    latxa = factories.owner("HiTZ")
    factories.catalogue(latxa, [factories.remote("HiTZ/latxa-7b", downloads=205, languages=("eu",))])

    page.goto("/")
    page.get_by_role("link", name="Modelos").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modelos y conjuntos de datos")
    expect(page.locator("[data-result-count]")).to_contain_text("3")
    screenshot("hub-01-catalogue")

    filters = page.get_by_role("form", name="Filtros")
    filters.get_by_label("Idioma").select_option("ca")
    filters.get_by_role("button", name="Aplicar filtros").click()
    expect(page).to_have_url(re.compile(r"language=ca"))
    expect(page.locator("[data-result-count]")).to_contain_text("1")
    expect(page.get_by_role("link", name="HiTZ/latxa-7b")).to_have_count(0)
    screenshot("hub-02-catalogue-catalan")

    page.get_by_role("link", name="BSC-LT/salamandra-7b-instruct").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("BSC-LT/salamandra-7b-instruct")
    chart = page.locator("[data-trend-chart] svg.chart-line")
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(6)
    # Values on hover and on keyboard focus: a tooltip with the point's day and value.
    tooltip = page.locator("[data-trend-chart] .chart-tooltip")
    chart.locator("[data-chart-point]").first.hover()
    expect(tooltip).to_be_visible()
    expect(chart.locator('[data-chart-point][tabindex="0"]')).to_have_count(1)  # one tab stop per chart
    last = chart.locator("[data-chart-point]").last
    last.focus()
    expect(tooltip).to_have_text(last.get_attribute("aria-label"))
    page.keyboard.press("ArrowLeft")
    expect(chart.locator("[data-chart-point]").nth(4)).to_be_focused()
    screenshot("hub-03-repository-trend")

    page.get_by_role("link", name="BSC-LT").first.click()
    expect(page.locator('[data-stat="downloads"]')).to_have_text(re.compile(r"^2\D?484$"))
    screenshot("hub-04-owner-dashboard")


def test_visitor_searches_the_catalogue_by_name(page, screenshot, transactional_db):
    factories.catalogue(factories.owner("HiTZ"), [
        factories.remote("HiTZ/latxa-7b", downloads=205, languages=("eu",)),
        factories.remote("HiTZ/latxa-70b", downloads=90, languages=("eu", "es")),
        factories.remote("HiTZ/ixa-tagger", downloads=12, languages=("eu",)),
    ])
    page.goto("/models/")
    filters = page.get_by_role("form", name="Filtros")
    filters.get_by_label("Buscar por nombre").fill("LATXA")
    filters.get_by_label("Idioma").select_option("es")
    filters.get_by_role("button", name="Aplicar filtros").click()
    expect(page).to_have_url(re.compile(r"q=LATXA"))
    expect(page.locator("[data-result-count]")).to_contain_text("1")
    expect(page.get_by_role("link", name="HiTZ/latxa-70b")).to_be_visible()
    expect(filters.get_by_label("Buscar por nombre")).to_have_value("LATXA")
    screenshot("hub-05-catalogue-search")
