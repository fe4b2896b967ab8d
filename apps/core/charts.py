"""Server-rendered SVG charts: readable at a glance, accessible, working without JavaScript.

Line charts give each point a focusable mark with its label and value (a small script in
frontend/static/js/charts.js shows it as a tooltip on hover and focus), carry a table of the same
points for screen readers and anyone who prefers numbers, and may mark events on the time axis."""

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

PALETTE = ["#0b5cab", "#e07a00", "#1b7a3d", "#8e3ab5", "#b3261e"]


def _coord(value: float) -> str:
    """SVG coordinates as plain strings, so locale formatting (decimal commas) never applies."""
    return f"{round(value, 1):g}"


def _nice_ceiling(value: float) -> float:
    """Round an axis maximum up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def line_chart(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 640,
    height: int = 220,
    markers: Sequence[tuple[float, str]] = (),
) -> SafeString:
    """One series over time; `points` are (label, value) in order.

    `markers` are (position, label): a dashed vertical line at that position, counted in points
    from the first (0) to the last (len(points) - 1), fractions in between allowed; markers
    outside the series' range are left out.
    """
    left, right, top, bottom = 56, 12, 16, 28
    if markers:
        top = 34  # room for the markers' labels above the plot
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_ceiling(max((v for _, v in points), default=0))
    step = plot_w / max(len(points) - 1, 1)
    coords = [
        (_coord(left + i * step), _coord(top + plot_h - (v / top_value) * plot_h), label, v)
        for i, (label, v) in enumerate(points)
    ]
    # A middle gridline only where its value is a whole number (no "0, 1, 1" axes).
    fractions = (0, 0.5, 1) if (top_value / 2).is_integer() else (0, 1)
    ticks = [(_coord(top + plot_h - f * plot_h), top_value * f) for f in fractions]
    label_every = max(1, len(points) // 6)
    last = len(points) - 1
    shown_markers = [
        {
            "x": _coord(left + position * step), "label": label, "short": _shorten(label),
            # Labels read away from the nearer edge and alternate in height, so neighbours overlap less.
            "anchor": "end" if position > last / 2 else "start", "y": top - 6 - (n % 2) * 12,
        }
        for n, (position, label) in enumerate(sorted(markers, key=lambda m: m[0]))
        if points and 0 <= position <= last
    ]
    return render_to_string(
        "core/charts/line.html",
        {
            "title": title, "width": width, "height": height, "left": left, "top": top,
            "right_edge": width - right, "baseline": top + plot_h,
            "polyline": " ".join(f"{x},{y}" for x, y, _, _ in coords),
            "points": coords, "ticks": ticks, "markers": shown_markers,
            "x_labels": [
                (x, label, "end" if i == len(coords) - 1 and i else "middle")
                for i, (x, _, label, _) in enumerate(coords)
                if i % label_every == 0 or i == len(coords) - 1
            ],
            "colour": PALETTE[0],
        },
    )


def position_of(days: Sequence[date], day: date) -> float | None:
    """Where `day` falls on a series drawn at `days` (in order), in points from the first, for a
    marker; between two drawn days it is placed proportionally; None outside the range."""
    if not days or not days[0] <= day <= days[-1]:
        return None
    index = bisect_left(days, day)
    if days[index] == day:
        return float(index)
    before, after = days[index - 1], days[index]
    return index - 1 + (day - before).days / (after - before).days


def _shorten(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def grouped_bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
) -> SafeString:
    """Horizontal bars: for each category, one bar per series (e.g. budget, granted, used).

    Laid out in HTML with each value written beside its bar, so the text keeps its size on
    a phone and the bars take the card's whole width on a desktop; only the bar itself is a
    (stretchable) SVG, which needs no inline styles.
    """
    top_value = _nice_ceiling(max((v for _, values in series for v in values), default=0))
    groups = [
        {
            "label": category,
            "bars": [
                {"name": name, "value": values[c], "colour": PALETTE[s % len(PALETTE)],
                 "percent": _coord(max(values[c], 0) / top_value * 100)}
                for s, (name, values) in enumerate(series)
            ],
        }
        for c, category in enumerate(categories)
    ]
    return render_to_string("core/charts/bars.html", {"title": title, "groups": groups})
