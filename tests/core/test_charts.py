import re

from django.utils import translation

from datetime import date

from apps.core.charts import grouped_bar_chart, line_chart, position_of


def test_line_chart_scales_points_into_the_plot():
    svg = line_chart([("1 nov", 0), ("2 nov", 50), ("3 nov", 174)], title="Descargas")
    assert svg.startswith('<div class="chart-line-wrap"') and "<svg" in svg
    assert 'aria-label="Descargas"' in svg
    assert "<title>3 nov: 174</title>" in svg
    ys = [float(y) for y in re.findall(r"<circle cx=\"[\d.]+\" cy=\"([\d.]+)\"", svg)]
    assert ys[0] > ys[1] > ys[2]  # higher values are drawn higher up
    assert re.search(r">\s*200\s*<", svg)  # the axis rounds 174 up to 200


def test_grouped_bars_are_proportional_and_escaped():
    html = grouped_bar_chart(
        ["Convocatoria <2026>"], [("Presupuesto", [1000]), ("Concedido", [500])], title="Horas"
    )
    widths = [float(w) for w in re.findall(r'<rect x="0" y="0" width="([\d.]+)"', html)]
    assert widths[0] == 2 * widths[1]
    assert "&lt;2026&gt;" in html and "<2026>" not in html


def test_bar_values_are_written_beside_the_bars_in_the_readers_locale():
    with translation.override("es"):
        html = grouped_bar_chart(["MN5"], [("Presupuesto", [12000]), ("Usado", [3300])], title="Horas")
    assert '<span class="bars-value">12\u202f000</span>' in html
    assert '<span class="bars-value">3\u202f300</span>' in html


def test_empty_series_render_without_errors():
    assert "<svg" in line_chart([], title="Nada")
    assert 'aria-label="Nada"' in grouped_bar_chart([], [("Presupuesto", [])], title="Nada")


def test_small_counts_get_whole_number_gridlines_and_the_last_label_fits():
    svg = line_chart([("1 nov", 1), ("2 nov", 1), ("3 nov", 1)], title="Me gusta")
    tick_labels = re.findall(r"dy=\"4\" text-anchor=\"end\" font-size=\"11\" fill=\"#45525f\" aria-hidden=\"true\">([^<]+)<", svg)
    assert [t.strip() for t in tick_labels] == ["0", "1"]
    assert '<text x="628" y="212" text-anchor="end"' in svg


def test_every_point_is_focusable_with_its_label_and_value():
    with translation.override("es"):
        html = line_chart([("1 nov", 0), ("2 nov", 1500), ("3 nov", 174)], title="Descargas")
    labels = re.findall(r'<g class="chart-point" tabindex="0" role="img" aria-label="([^"]+)"', html)
    assert labels == ["1 nov: 0", "2 nov: 1\u202f500", "3 nov: 174"]
    assert 'role="group" aria-label="Descargas"' in html  # not role=img, which would hide the points


def test_the_data_table_has_the_same_points():
    html = line_chart([("1 nov", 3), ("2 nov", 50)], title="Descargas")
    table = html[html.index("<table"):html.index("</table>")]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', table)
    assert rows == [("1 nov", "3"), ("2 nov", "50")]
    assert "<caption>Descargas</caption>" in table


def test_markers_sit_at_their_day_and_out_of_range_ones_are_left_out():
    days = [date(2026, 11, d) for d in (1, 2, 3, 5)]  # the 4th is missing: no snapshot that day
    assert position_of(days, date(2026, 11, 2)) == 1
    assert position_of(days, date(2026, 11, 4)) == 2.5
    assert position_of(days, date(2026, 10, 31)) is None
    html = line_chart(
        [(f"{d.day}/11", 10) for d in days], title="Descargas",
        markers=[(position_of(days, date(2026, 11, 2)), "Financiación: PERTE"), (7, "fuera")],
    )
    # 640 wide, 56 left and 12 right margins, 4 points: one step is 572 / 3 = 190.7 units.
    assert re.findall(r'<line x1="([\d.]+)" x2="\1" y1="30"', html) == ["246.7"]
    assert "<title>Financiación: PERTE</title>" in html and "fuera" not in html
