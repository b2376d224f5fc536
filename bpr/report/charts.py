"""Bar charts as SVG written by bpr itself, for the HTML and Word reports: no script, no
network, labels as text a screen reader and a search can find, a ``<title>`` and a
``<desc>`` that say what the chart shows.

A chart has categories (the stages, the services) and one or more series of values; each bar's
length is its value over the axis's top (1 for shares, else a round number above the largest
value), so bars of one chart compare by length. A vertical chart suits a few categories (the
four stages), a horizontal one a long list (services, one row each).

>>> chart = BarChart("Shares", ("stage 3",), (Series("planned", (0.5,)),), percent=True)
>>> svg = chart_svg(chart, "c1")
>>> svg.startswith("<svg") and 'data-value="0.5"' in svg
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from bpr.core.i18n import domain, number
from bpr.core.text import for_html
from bpr.report.png import svg_to_png

__all__ = ["COLOURS", "BarChart", "Series", "axis_top", "chart_png", "chart_svg"]

_, ngettext, pgettext = domain("report")

#: The fill of each series in turn: grey, the report's blue, amber (readable in greyscale too).
COLOURS = ("#9aa9bb", "#1f5fa8", "#d98a1c", "#1b7a43")
_FONT = "DejaVu Sans, Segoe UI, Arial, sans-serif"
_CHAR = 6.6  # the mean width of a 12 px character, for the room a label needs


@dataclass(frozen=True)
class Series:
    """One series: its name in the legend and a value per category (None: no bar)."""

    name: str
    values: tuple[float | None, ...]
    colour: str | None = None  # the fill of its bars; None: the next of :data:`COLOURS`

    def fill(self, n: int) -> str:
        """The fill of the series' bars, the ``n``-th of the chart."""
        return self.colour or COLOURS[n % len(COLOURS)]


@dataclass(frozen=True)
class BarChart:
    """A bar chart: ``percent`` values are shares from 0 to 1 (the axis ends at 100 %);
    ``horizontal`` draws a row per category; ``unit`` names the value axis; ``label`` writes a
    value as the bar's label (defaults: a whole percentage or a whole number)."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    percent: bool = False
    horizontal: bool = False
    unit: str = ""
    label: Callable[[float], str] | None = None

    def text(self, value: float) -> str:
        """A value as the chart writes it beside its bar."""
        if self.label is not None:
            return self.label(value)
        if self.percent:
            return number(value, ".0%")
        return number(value, ",.0f")

    @property
    def top(self) -> float:
        """The value at the end of the axis."""
        if self.percent:
            return 1.0
        return axis_top(max((v for s in self.series for v in s.values if v), default=0.0))


def axis_top(largest: float) -> float:
    """The end of a value axis: the smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8
    times a power of ten) that is at least ``largest``, so the longest bar fills most of the
    axis and its quarters are round too (1 for nothing to show).

    >>> axis_top(750), axis_top(2000), axis_top(2_846_250), axis_top(0.3), axis_top(0)
    (800.0, 2000.0, 3000000.0, 0.3, 1.0)
    """
    if largest <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(largest))
    for step in (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if largest <= step * power * (1 + 1e-9):
            return float(f"{step * power:.12g}")  # 3 * 0.1 is 0.30000000000000004
    return 10.0 * power  # pragma: no cover - the loop ends at ten times the power


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{for_html(text)}</text>'


def _short(text: str, room: float) -> str:
    """A label cut to the characters that fit ``room`` pixels (with an ellipsis)."""
    fits = max(4, int(room / _CHAR))
    return text if len(text) <= fits else text[: fits - 1] + "…"


def chart_svg(chart: BarChart, prefix: str = "chart") -> str:
    """The chart as one ``<svg>`` element; ``prefix`` makes its ids unique in a page."""
    return _horizontal(chart, prefix) if chart.horizontal else _vertical(chart, prefix)


def _head(chart: BarChart, prefix: str, width: float, height: float) -> list[str]:
    lines = []
    for i, category in enumerate(chart.categories):
        shown = [(s.name, s.values[i]) for s in chart.series]
        values = ", ".join(f"{name} {chart.text(v)}" for name, v in shown if v is not None)
        lines.append(f"{category}: {values}" if values else category)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="{_FONT}" font-size="12">',
        f'<title id="{prefix}-title">{for_html(chart.title)}</title>',
        f'<desc id="{prefix}-desc">{for_html("; ".join(lines))}</desc>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        _text(width / 2, 20, chart.title, "middle", ' font-size="14" font-weight="bold"'),
    ]


def _legend(chart: BarChart, x: float, y: float) -> list[str]:
    out = []
    for n, series in enumerate(chart.series):
        colour = series.fill(n)
        out.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{colour}"/>')
        out.append(_text(x + 16, y, series.name))
        x += 16 + len(series.name) * _CHAR + 18
    return out


def _title_width(chart: BarChart) -> float:
    """The width the chart's title needs (14 px bold) with a margin each side."""
    return len(chart.title) * 8.4 + 24.0


def _ticks(chart: BarChart) -> list[float]:
    return [chart.top * i / 4 for i in range(5)]


def _bar(
    chart: BarChart, n: int, i: int, x: float, y: float, w: float, h: float, value: float
) -> str:
    series = chart.series[n]
    category = chart.categories[i]
    return (
        f'<rect class="bar" x="{x:.2f}" y="{y:.2f}" width="{w:.2f}" height="{h:.2f}" '
        f'fill="{series.fill(n)}" data-series="{for_html(series.name)}" '
        f'data-category="{for_html(category)}" data-value="{value:g}">'
        f"<title>{for_html(f'{category}, {series.name}: {chart.text(value)}')}</title></rect>"
    )


def _vertical(chart: BarChart, prefix: str) -> str:
    groups = len(chart.categories)
    bars = len(chart.series)
    left, right, top, bottom = 56.0, 16.0, 40.0, 58.0
    group_width = max(36.0 * bars + 24.0, 100.0)
    plot_w = group_width * groups
    plot_h = 200.0
    width = max(left + plot_w + right, _title_width(chart))
    plot_w = width - left - right
    group_width = plot_w / max(groups, 1)
    height = top + plot_h + bottom
    out = _head(chart, prefix, width, height)
    base = top + plot_h
    for tick in _ticks(chart):
        y = base - plot_h * tick / chart.top
        out.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" '
            'stroke="#d5dbe3"/>'
        )
        out.append(_text(left - 6, y + 4, chart.text(tick), "end", ' fill="#5b6776"'))
    bar_w = (group_width - 24.0) / bars
    for i, category in enumerate(chart.categories):
        x0 = left + group_width * i + 12.0
        for n, series in enumerate(chart.series):
            value = series.values[i]
            if value is None:
                continue
            h = plot_h * max(value, 0.0) / chart.top
            x = x0 + bar_w * n
            out.append(_bar(chart, n, i, x + 1, base - h, bar_w - 2, h, value))
            out.append(
                _text(x + bar_w / 2, base - h - 4, chart.text(value), "middle", ' font-size="11"')
            )
        label = _short(category, group_width - 4)
        out.append(_text(x0 + (group_width - 24.0) / 2, base + 16, label, "middle"))
    out.append(
        f'<line x1="{left:.1f}" y1="{base:.1f}" x2="{left + plot_w:.1f}" y2="{base:.1f}" '
        'stroke="#1d2733"/>'
    )
    if chart.unit:
        out.append(_text(8, top - 8, chart.unit, "start", ' fill="#5b6776"'))
    out += _legend(chart, left, height - 12)
    out.append("</svg>")
    return "".join(out)


def _horizontal(chart: BarChart, prefix: str) -> str:
    rows = len(chart.categories)
    bars = len(chart.series)
    longest = max((len(c) for c in chart.categories), default=4)
    left = min(max(longest * _CHAR + 16, 60.0), 230.0)
    right, top = 70.0, 40.0
    bottom = 44.0 + (20.0 if bars > 1 else 0.0)
    row_h = 18.0 * bars + 8.0
    plot_h = row_h * rows
    width = max(left + 380.0 + right, _title_width(chart))
    plot_w = width - left - right
    height = top + plot_h + bottom
    out = _head(chart, prefix, width, height)
    for tick in _ticks(chart):
        x = left + plot_w * tick / chart.top
        out.append(
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{top + plot_h:.1f}" '
            'stroke="#d5dbe3"/>'
        )
        out.append(_text(x, top + plot_h + 16, chart.text(tick), "middle", ' fill="#5b6776"'))
    for i, category in enumerate(chart.categories):
        y0 = top + row_h * i + 4.0
        out.append(_text(left - 8, y0 + row_h / 2, _short(category, left - 12), "end"))
        for n, series in enumerate(chart.series):
            value = series.values[i]
            if value is None:
                continue
            w = plot_w * max(value, 0.0) / chart.top
            y = y0 + 18.0 * n
            out.append(_bar(chart, n, i, left, y + 1, w, 16.0, value))
            out.append(_text(left + w + 4, y + 13, chart.text(value), "start", ' font-size="11"'))
    out.append(
        f'<line x1="{left:.1f}" y1="{top:.1f}" x2="{left:.1f}" y2="{top + plot_h:.1f}" '
        'stroke="#1d2733"/>'
    )
    if chart.unit:
        out.append(
            _text(left + plot_w / 2, top + plot_h + 34, chart.unit, "middle", ' fill="#5b6776"')
        )
    if bars > 1:
        out += _legend(chart, left, height - 6)
    out.append("</svg>")
    return "".join(out)


def chart_png(chart: BarChart, scale: float = 3.0) -> bytes:
    """The same chart as a PNG (for Word, which shows no SVG before 2016), ``scale`` times
    the SVG's size in pixels (3: about 220 pixels per printed inch at the chart's size)."""
    return svg_to_png(
        chart_svg(chart).encode("utf-8"),
        purpose="charts in Word reports",
        no_cairo=_(
            "the charts of a Word report need the cairo graphics library, which is not "
            "installed; install it (Debian and Ubuntu: apt-get install libcairo2) or write "
            "the report as HTML"
        ),
        scale=scale,
    )
