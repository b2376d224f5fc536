"""The report as one self-contained HTML page: inline CSS and SVG, no network, prints to PDF."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable
from contextlib import closing
from typing import Any

from bpr.comparison.html import redesign_items
from bpr.comparison.rows import act_lines
from bpr.core import i18n
from bpr.core.i18n import domain
from bpr.core.money import Money
from bpr.core.text import for_html
from bpr.core.version import __version__
from bpr.portfolio import PortfolioTable
from bpr.render.page import ORIENTATIONS, page_size
from bpr.report.charts import chart_svg
from bpr.report.collect import Pair, Portfolio, Service, Skipped, Variant
from bpr.report.content import (
    HIGHER_IS_BETTER,
    Table,
    cell_text,
    change_records,
    compact_money,
    display_label,
    document_table,
    format_money,
    format_percent,
    format_value,
    gain_text,
    has_passport,
    headline,
    made_with,
    measure_table,
    passport_table,
    phase_table,
    portfolio_table,
    severity_text,
    skipped_heading,
    step_table,
    variant_facts,
)
from bpr.report.diagrams import ServiceDiagrams, diagrams_in_order, inline_svg
from bpr.report.portfolio_section import (
    NUMERIC_KINDS,
    PortfolioSection,
    portfolio_cell,
    portfolio_section,
)

__all__ = ["html_report"]

_, ngettext, pgettext = domain("report")

_CSS = """
:root { --ink: #1d2733; --muted: #5b6776; --line: #d5dbe3; --soft: #f3f5f8; --good: #1b7a43;
  --bad: #b3261e; --accent: #1f5fa8; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--ink); margin: 0; padding: 24px 32px 64px; }
/* the text column stays readable; tables and diagrams use the whole width of a wide screen */
header, p, ul, ol, dl, h1, h2, h3, h4, .warning { max-width: 110ch; }
h1 { font-size: 1.8rem; margin: 0 0 4px; }
h2 { font-size: 1.45rem; margin: 40px 0 6px; padding-top: 12px;
  border-top: 3px solid var(--accent); }
h3 { font-size: 1.12rem; margin: 28px 0 8px; }
h4 { font-size: 1rem; margin: 18px 0 6px; }
a { color: var(--accent); }
.meta, .note, figcaption { color: var(--muted); font-size: 0.9rem; }
.warning { border-left: 4px solid var(--bad); background: #fdf0ef; padding: 8px 14px;
  margin: 14px 0; overflow-wrap: anywhere; }
.warning pre { white-space: pre-wrap; font-size: 0.82rem; margin: 4px 0 10px; }
nav.toc ol { columns: 2; font-size: 0.92rem; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.88rem; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left;
  vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tfoot td { font-weight: 600; border-top: 2px solid var(--ink); }
.good { color: var(--good); } .bad { color: var(--bad); }
table.sortable th button { all: inherit; cursor: pointer; padding: 0; white-space: nowrap; }
table.sortable th button::after { content: " \\2195"; color: var(--muted); font-size: 0.8em; }
table.sortable th[aria-sort="ascending"] button::after { content: " \\2191"; }
table.sortable th[aria-sort="descending"] button::after { content: " \\2193"; }
.wide { overflow-x: auto; max-width: 100%; }
td { overflow-wrap: anywhere; }
code { overflow-wrap: anywhere; }
#portfolio table { font-size: 0.8rem; }
#portfolio th, #portfolio td { padding: 3px 5px; }
#portfolio td:first-child { min-width: 13em; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.card .label { color: var(--muted); font-size: 0.82rem; }
.card .value { font-size: 1.1rem; font-weight: 600; white-space: nowrap; }
.card .change { font-size: 0.9rem; }
figure { margin: 10px 0 20px; }
figure.chart svg { max-width: 100%; height: auto; }
#programme td { overflow-wrap: break-word; }
#programme .intro { font-family: ui-monospace, monospace; font-size: 0.82rem; }
figure svg { max-width: 100%; height: auto; display: block; }
figure .frame { overflow: hidden; }
figcaption button { font: inherit; font-size: 0.85rem; margin-left: 8px; cursor: pointer; }
figure .zoom-tools { display: none; }
/* the full-size view: the diagram at its own size over the page, panned by scrolling or
   dragging, zoomed with + and - */
figure.full { position: fixed; inset: 0; margin: 0; z-index: 10; background: #fff;
  display: flex; flex-direction: column; }
figure.full figcaption { order: -1; padding: 8px 16px; border-bottom: 1px solid var(--line);
  background: var(--soft); color: var(--ink); }
figure.full .zoom-tools { display: inline; }
figure.full .frame { flex: 1; overflow: auto; cursor: grab; }
figure.full svg { max-width: none; max-height: none; }
@media (max-width: 600px) {
  body { padding: 12px 12px 40px; font-size: 14px; }
  nav.toc ol { columns: 1; }
  .card { min-width: 0; flex: 1 1 45%; }
  .card .value { white-space: normal; overflow-wrap: anywhere; }
  dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: 4px; }
}
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px;
  font-size: 0.88rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
@page { size: A4 landscape; margin: 12mm; }
.sheet { display: none; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav.toc, .no-print { display: none; }
  section.service { break-before: page; }
  section.service.first { break-before: auto; }
  section#programme { break-before: page; }
  section#programme h3 { break-before: auto; }
  h2, h3, h4 { break-after: avoid; }
  tr, figure, .card { break-inside: avoid; }
  /* a diagram taller than the page would be cut in two: shrink it to fit one A4 page, with
     its heading and caption kept on that page */
  .diagram-page { break-inside: avoid; }
  figure svg { max-height: 158mm; max-width: 100%; width: auto; }
  .diagram-page.lead figure svg { max-height: 95mm; }
  .sheet { display: block; break-before: page; break-inside: avoid; overflow: hidden;
    margin: 0; }
  .sheet svg { display: block; width: 100%; height: 100%; }
  figcaption button, figure .zoom-tools { display: none; }
  table.sortable th button::after { content: ""; }
  .wide { overflow: visible; }
  /* paper is narrow: a table takes the text's width, its cells at 9 pt break between words
     (a column is as wide as its longest word, not one letter), so its rows stay short */
  .wide > table { width: 100%; }
  table { font-size: 9pt; margin: 4px 0 10px; }
  th, td { padding: 2px 6px; }
  td, code { overflow-wrap: break-word; }
  h2 { margin-top: 0; } h3 { margin: 16px 0 6px; } h4 { margin: 10px 0 4px; }
  /* the portfolio's wide table fits the page: wider, Chromium would shrink every page of
     the document (its drawings too) below 7 pt to fit it */
  #portfolio table { font-size: 7.5pt; }
  #portfolio th, #portfolio td { padding: 2px 3px; }
  #portfolio td:first-child { min-width: 8em; }
  #portfolio th button { white-space: normal; }
  a { color: inherit; text-decoration: none; }
}
"""

# Sorting of the portfolio table; the page's Content-Security-Policy allows only this script.
_SCRIPT = """
(function () {
  "use strict";
  function key(cell) {
    var value = cell.getAttribute("data-sort");
    return value === null ? cell.textContent.trim() : value;
  }
  function sortBy(table, column, numeric, direction) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[column]), y = key(b.cells[column]);
      if (x === y) { return 0; }
      if (x === "") { return 1; }
      if (y === "") { return -1; }
      var order;
      if (numeric && x.indexOf("|") >= 0 && y.indexOf("|") >= 0) {
        /* an amount is "CURRENCY|number": currencies first, amounts only within one */
        var cx = x.split("|")[0], cy = y.split("|")[0];
        order = cx === cy ? parseFloat(x.split("|")[1]) - parseFloat(y.split("|")[1])
                          : cx.localeCompare(cy);
      } else {
        order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
      }
      return direction * order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    var heads = table.querySelectorAll("th[data-column]");
    Array.prototype.forEach.call(heads, function (th) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        sortBy(table, parseInt(th.getAttribute("data-column"), 10),
               th.getAttribute("data-type") === "number", ascending ? 1 : -1);
      });
    });
  });
  /* a diagram opens full size over the page: pan by scrolling or dragging, zoom with + - */
  function natural(svg) {
    var box = svg.viewBox && svg.viewBox.baseVal;
    var width = parseFloat(svg.getAttribute("width")) || (box ? box.width : 800);
    return (svg.getAttribute("width") || "").indexOf("pt") > 0 ? width * 4 / 3 : width;
  }
  function setScale(figure, scale) {
    var svg = figure.querySelector("svg");
    figure.setAttribute("data-scale", String(scale));
    svg.style.width = figure.classList.contains("full") ? (natural(svg) * scale) + "px" : "";
  }
  function close(figure) {
    figure.classList.remove("full");
    setScale(figure, 1);
    figure.querySelector("button.zoom").textContent = "Full size";
  }
  Array.prototype.forEach.call(document.querySelectorAll("figure.diagram"), function (figure) {
    var open = figure.querySelector("button.zoom");
    var frame = figure.querySelector(".frame");
    open.addEventListener("click", function () {
      if (figure.classList.contains("full")) { close(figure); return; }
      figure.classList.add("full");
      open.textContent = "Close (Esc)";
      setScale(figure, 1);
      frame.focus();
    });
    Array.prototype.forEach.call(figure.querySelectorAll("[data-zoom]"), function (button) {
      button.addEventListener("click", function () {
        var scale = parseFloat(figure.getAttribute("data-scale")) || 1;
        var factor = button.getAttribute("data-zoom") === "in" ? 1.25 : 0.8;
        setScale(figure, Math.min(8, Math.max(0.1, scale * factor)));
      });
    });
    var drag = null;
    frame.addEventListener("mousedown", function (event) {
      if (!figure.classList.contains("full")) { return; }
      drag = {x: event.clientX, y: event.clientY, left: frame.scrollLeft, top: frame.scrollTop};
      event.preventDefault();
    });
    window.addEventListener("mousemove", function (event) {
      if (!drag) { return; }
      frame.scrollLeft = drag.left - (event.clientX - drag.x);
      frame.scrollTop = drag.top - (event.clientY - drag.y);
    });
    window.addEventListener("mouseup", function () { drag = null; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    Array.prototype.forEach.call(document.querySelectorAll("figure.full"), close);
  });
})();
"""

# Kept apart from the sorting script: a live preview reloads and keeps its place on the page.
_KEEP_SCROLL = """
(function () {
  "use strict";
  var name = "bpr-report-scroll";
  try {
    var saved = window.sessionStorage.getItem(name);
    if (saved !== null) { window.scrollTo(0, parseInt(saved, 10) || 0); }
    window.addEventListener("scroll", function () {
      window.sessionStorage.setItem(name, String(window.scrollY));
    });
  } catch (error) { /* storage may be off for local files: keep the page usable */ }
})();
"""


def _script() -> str:
    """The page's script with its button labels in the output language."""
    labels = {
        "Full size": _("Full size"),
        # TRANSLATORS: the button that closes a diagram shown full size (the Esc key does too)
        "Close (Esc)": _("Close (Esc)"),
    }
    script = _SCRIPT
    for english, text in labels.items():
        # a JavaScript string literal: escaped, and never closing the <script> element
        literal = json.dumps(text).replace("<", "\\u003c")
        script = script.replace(f'"{english}";', f"{literal};")
    return script


def _hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _block(text: str) -> str:
    """Text of several lines for a ``<pre>`` block: each line escaped, its indent kept."""
    lines = []
    for line in text.splitlines():
        body = line.lstrip(" ")
        lines.append(" " * (len(line) - len(body)) + for_html(body))
    return "\n".join(lines)


def _heading(level: int, text: str) -> str:
    return f"<h{level}>{for_html(text)}</h{level}>"


def _note(text: str) -> str:
    return f'<p class="note">{for_html(text)}</p>'


def _cell_class(kind: str) -> str:
    return ' class="num"' if kind in ("number", "percent", "money") else ""


def _sort_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, Money):  # amounts sort within their currency, never across
        return f"{value.currency or ''}|{float(value.amount)!r}"
    if isinstance(value, int | float):
        return repr(float(value))
    return str(value).lower()


def _trend(percent: float | None, key: str = "") -> str:
    """Green for a gain, red for a loss: a fall is the gain, except for a few measures."""
    if not percent:
        return ""
    return "good" if (percent > 0) == (key in HIGHER_IS_BETTER) else "bad"


def _table(
    table: Table, *, sortable: bool = False, money: Callable[[Any], str] | None = None
) -> str:
    kind = ' class="sortable"' if sortable else ""
    out = [f'<div class="wide"><table{kind}>']
    out.append("<thead>")
    groups = [c.group for c in table.columns]
    if any(groups):
        out.append("<tr>")
        i = 0
        while i < len(table.columns):
            column = table.columns[i]
            if not column.group:
                attrs = _head_attrs(i, column.kind, sortable)
                out.append(f'<th rowspan="2"{attrs}>{_head_text(column.heading, sortable)}</th>')
                i += 1
                continue
            span = 1
            while i + span < len(table.columns) and table.columns[i + span].group == column.group:
                span += 1
            unit = column.unit
            title = f"{column.group} ({unit})" if unit else column.group
            out.append(f'<th colspan="{span}" class="group">{for_html(title)}</th>')
            i += span
        out.append("</tr><tr>")
        for i, column in enumerate(table.columns):
            if column.group:
                attrs = _head_attrs(i, column.kind, sortable)
                out.append(f"<th{attrs}>{_head_text(column.label, sortable)}</th>")
        out.append("</tr>")
    else:
        out.append("<tr>")
        for i, column in enumerate(table.columns):
            attrs = _head_attrs(i, column.kind, sortable)
            out.append(f"<th{attrs}>{_head_text(column.heading, sortable)}</th>")
        out.append("</tr>")
    out.append("</thead><tbody>")
    for r, row in enumerate(table.rows):
        link = table.links[r] if r < len(table.links) else None
        cells = []
        for c, (column, value) in enumerate(zip(table.columns, row, strict=True)):
            text = cell_text(value, column, compact=bool(money) and column.kind == "money")
            inner = for_html(text)
            if c == 0 and link:
                inner = f'<a href="#{for_html(link)}">{inner}</a>'
            extra = ""
            if column.kind == "percent":
                trend = _trend(value, table.keys[r] if r < len(table.keys) else "")
                extra = f' class="num {trend}"' if trend else ' class="num"'
            else:
                extra = _cell_class(column.kind)
            title = ""
            if money and column.kind == "money" and value is not None:
                title = f' title="{for_html(format_value(value))}"'
            sort = f' data-sort="{for_html(_sort_value(value))}"' if sortable else ""
            cells.append(f"<td{extra}{sort}{title}>{inner}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody>")
    if table.footer:
        out.append("<tfoot>")
        for row in table.footer:
            out.append("<tr>" + "".join(f"<td>{for_html(v)}</td>" for v in row) + "</tr>")
        out.append("</tfoot>")
    out.append("</table></div>")
    return "".join(out)


def _head_attrs(index: int, kind: str, sortable: bool) -> str:
    classes = _cell_class(kind)
    if not sortable:
        return classes
    data_type = "text" if kind == "text" else "number"
    return f'{classes} data-column="{index}" data-type="{data_type}" scope="col"'


def _head_text(text: str, sortable: bool) -> str:
    return f'<button type="button">{for_html(text)}</button>' if sortable else for_html(text)


def _skipped(entries: Iterable[Skipped], heading: str) -> str:
    entries = list(entries)
    if not entries:
        return ""
    items = []
    for entry in entries:
        what = ""
        if entry.service and entry.variant:
            what = " " + for_html(_("(service {service}, variant {variant})")).format(
                service=for_html(entry.service), variant=for_html(entry.variant)
            )
        elif entry.service:
            what = " " + for_html(_("(service {service})")).format(service=for_html(entry.service))
        items.append(
            f"<li><code>{for_html(entry.file)}</code>{what}<pre>{_block(entry.reason)}</pre></li>"
        )
    return (
        f'<div class="warning" role="note"><strong>{for_html(heading)}</strong><ul>'
        + "".join(items)
        + "</ul></div>"
    )


def _cards(service: Service) -> str:
    out = ['<div class="cards">']
    for item in headline(service):
        unit = f" {for_html(item.unit)}" if item.unit else ""
        if item.compared:
            before, after = format_value(item.before), format_value(item.after)
            value = f"{for_html(before)} → {for_html(after)}{unit}"
            trend = _trend(item.percent, item.key)
            change = (
                f'<div class="change {trend}">{for_html(format_percent(item.percent))}</div>'
                if item.percent is not None
                else '<div class="change">&nbsp;</div>'
            )
        else:
            value = f"{for_html(format_value(item.before))}{unit}"
            change = ""
        out.append(
            f'<div class="card"><div class="label">{for_html(item.label)}</div>'
            f'<div class="value">{value}</div>{change}</div>'
        )
    out.append("</div>")
    return "".join(out)


def _figure(svg: str, prefix: str, caption: str) -> str:
    try:
        figure = inline_svg(svg, prefix, caption)
    except ValueError as exc:  # one broken diagram must not cost the whole report
        return f'<p class="warning">{for_html(caption)}: {for_html(exc)}</p>'
    open_label = for_html(_("Open the diagram full size"))
    full, zoom_in, zoom_out = (for_html(t) for t in (_("Full size"), _("Zoom in"), _("Zoom out")))
    tools = (
        f'<button type="button" class="zoom" aria-label="{open_label}">'
        f'{full}</button><span class="zoom-tools">'
        f'<button type="button" data-zoom="in" aria-label="{zoom_in}">+</button>'
        f'<button type="button" data-zoom="out" aria-label="{zoom_out}">'
        "\u2212</button></span>"
    )
    return (
        f'<figure class="diagram"><div class="frame" tabindex="-1">{figure}</div>'
        f"<figcaption>{for_html(caption)}{tools}</figcaption></figure>"
    )


def _changes(pair: Pair) -> str:
    heading = _("Changes: {before} → {after}").format(
        before=display_label(pair.as_is.label), after=display_label(pair.to_be.label)
    )
    out = [f"<h3>{for_html(heading)}</h3>"]
    if pair.comparison is None:
        error = _block(pair.error or "")
        not_compared = for_html(_("Not compared."))
        out.append(f'<div class="warning"><strong>{not_compared}</strong><pre>{error}</pre></div>')
        return "".join(out)
    redesigns = pair.comparison.redesigns
    if redesigns:
        out += [_heading(4, _("Redesigns")) + "<ul>", *redesign_items(redesigns), "</ul>"]
    for heading_text, items in act_lines(pair.comparison):
        out += [f"<h4>{for_html(heading_text)}</h4><ul>"]
        out += [f"<li>{for_html(i)}</li>" for i in items] + ["</ul>"]
    changes = [r for r in change_records(pair) if r.kind != "Redesign"]
    if changes:
        heads = "".join(
            f"<th>{for_html(h)}</th>" for h in (_("Change"), _("Id"), _("Name"), _("Detail"))
        )
        out.append(f'<div class="wide"><table><thead><tr>{heads}</tr></thead><tbody>')
        for r in changes:
            out.append(
                f"<tr><td>{for_html(r.title)}</td><td><code>{for_html(r.item)}</code></td>"
                f"<td>{for_html(r.name)}</td><td>{for_html(r.detail)}</td></tr>"
            )
        out.append("</tbody></table></div>")
    elif not redesigns:
        out.append(_note(_("No steps or documents changed.")))
    return "".join(out)


def _findings(variant: Variant, currency: str | None) -> str:
    if not variant.findings:
        return ""
    heading = _("Redesign opportunities in the {variant}").format(
        variant=display_label(variant.label)
    )
    heads = (_("Rule"), _("Severity"), _("Finding"), _("Steps"), _("Possible gain"))
    out = [
        f"<h3>{for_html(heading)}</h3>",
        '<div class="wide"><table><thead><tr>'
        + "".join(f"<th>{for_html(h)}</th>" for h in heads)
        + "</tr></thead><tbody>",
    ]
    for finding in variant.findings:
        steps = ", ".join(finding.steps)
        gain = gain_text(finding.gain, currency)
        severity = severity_text(finding.severity)
        out.append(
            f"<tr><td><code>{for_html(finding.rule)}</code></td><td>{for_html(severity)}</td>"
            f"<td>{for_html(finding.message)}</td><td>{for_html(steps)}</td><td>{for_html(gain)}</td></tr>"
        )
    out.append("</tbody></table></div>")
    return "".join(out)


def _sources(service: Service) -> str:
    blocks = []
    for variant in service.variants:
        if variant.model.sources:
            items = "".join(f"<li>{for_html(s)}</li>" for s in variant.model.sources)
            blocks.append(f"<h4>{for_html(variant.model.title)}</h4><ul>{items}</ul>")
    if not blocks:
        return ""
    return _heading(3, _("Sources")) + "".join(blocks)


def _drawings(
    service: Service, index: int, diagrams: ServiceDiagrams
) -> tuple[list[str], list[str]]:
    """The comparison figures and the swimlane figures of a service, as HTML blocks."""
    figures: list[str] = []
    for n, (pair, svg) in enumerate(zip(service.pairs, diagrams.comparisons, strict=True)):
        if svg is None:
            continue  # not compared: shown under the changes
        caption = f"{pair.as_is.model.title} → {pair.to_be.model.title}"
        heading = _("Comparison: {before} → {after}").format(
            before=display_label(pair.as_is.label), after=display_label(pair.to_be.label)
        )
        figures.append(
            f'<div class="diagram-page"><h3>{for_html(heading)}</h3>'
            f"{_figure(svg, f's{index}-c{n}', caption)}</div>"
        )
    lanes = [_heading(3, _("Swimlane diagrams"))]
    for n, (variant, svg) in enumerate(zip(service.variants, diagrams.swimlanes, strict=True)):
        part = [f"<h4>{for_html(variant.model.title)}</h4>", '<dl class="facts">']
        for term, value in variant_facts(variant):
            part.append(f"<dt>{for_html(term)}</dt><dd>{for_html(value)}</dd>")
        part.append("</dl>")
        part.append(_figure(svg, f"s{index}-v{n}", variant.model.title))
        if n == 0:
            part.insert(0, lanes.pop())
        lanes.append('<div class="diagram-page">' + "".join(part) + "</div>")
    return figures, lanes


def _print_css(page: str, orientation: str | None) -> str:
    """The pages of a printed report: the text on ``page`` (landscape unless ``portrait``)
    with 12 mm margins; each page of a drawing on a named page of its own size and no
    margin, so that it prints at 100 % (its own margin is inside the drawing)."""
    text_side = "portrait" if orientation == "portrait" else "landscape"
    width, height = page_size(page, text_side)
    rules = [f"@page {{ size: {width:.2f}pt {height:.2f}pt; margin: 12mm; }}"]
    for side in ORIENTATIONS:
        w, h = page_size(page, side)
        rules.append(f"@page sheet-{side} {{ size: {w:.2f}pt {h:.2f}pt; margin: 0; }}")
        # a hair less than the page, or the page would overflow into an empty one
        rules.append(
            f"@media print {{ .sheet.{side} {{ page: sheet-{side}; width: {w:.2f}pt; "
            f"height: {h - 1:.2f}pt; }} }}"
        )
    return "\n".join(rules)


def _sheets(diagrams: ServiceDiagrams, index: int) -> list[str]:
    """The page-fit drawings of a printed report: each page of each drawing is a printed page
    of its own at 100 %, with no margin but the drawing's own (its running head names it)."""
    out = []
    for n, sheet in enumerate(diagrams.sheets):
        for p, svg in enumerate(sheet.pages):
            try:
                label = _("{caption}, page {page}").format(caption=sheet.caption, page=p + 1)
                inner = inline_svg(svg, f"s{index}-p{n}-{p}", label)
            except ValueError as exc:
                inner = f'<p class="warning">{for_html(sheet.caption)}: {for_html(exc)}</p>'
            side = "landscape" if sheet.size[0] > sheet.size[1] else "portrait"
            out.append(f'<div class="sheet {side}">{inner}</div>')
    return out


def _service(
    service: Service,
    index: int,
    diagrams: ServiceDiagrams,
    *,
    printed: bool = False,
    passport: bool = False,
) -> str:
    """One service's section. On screen the diagrams come first; ``printed`` puts the
    tables before them, so that the service's first page is full rather than holding the
    headline figures alone, and each diagram (kept whole) follows where it fits; ``passport``
    puts the service passport under its heading."""
    out = [f'<section class="service" id="{for_html(service.anchor)}">']
    out.append(f"<h2>{for_html(service.title)}</h2>")
    labels = ", ".join(display_label(v.label) for v in service.variants)
    meta = for_html(_("Service {service}; variants: {variants}")).format(
        service=f"<code>{for_html(service.id)}</code>", variants=for_html(labels)
    )
    out.append(f'<p class="meta">{meta}</p>')
    out.append(_skipped(service.skipped, _("Files of this service left out of the report:")))
    if passport:
        out.append(_passport(service))
    out.append(_cards(service))
    figures, lanes = _drawings(service, index, diagrams) if not diagrams.sheets else ([], [])
    tables = [_heading(3, _("Measures")), _table(measure_table(service))]
    phases = phase_table(service)
    if phases is not None:
        tables += [_heading(3, _("Measures by phase")), _table(phases)]
    tables += [_changes(pair) for pair in service.pairs]
    steps = [_heading(3, _("Steps"))]
    for variant in service.variants:
        steps.append(f"<h4>{for_html(variant.model.title)}</h4>")
        steps.append(_table(step_table(variant)))
    rest = [_heading(3, _("Documents"))]
    documents = document_table(service)
    if documents.rows:
        rest.append(_table(documents))
    else:
        rest.append(_note(_("No documents declared.")))
    base = service.as_is
    if base is not None:
        rest.append(_findings(base, service.currency))
    rest.append(_sources(service))
    if printed and diagrams.sheets:  # the text, then the page-fit drawings with step tables
        out += tables + rest + _sheets(diagrams, index)
    elif printed:  # text first, then the diagrams, each kept whole, as many to a page as fit
        out += tables + steps + rest + figures + lanes
    else:
        drawings = figures + lanes
        if drawings:  # printed from the browser, the first drawing shares the cards' page
            drawings[0] = drawings[0].replace(
                'class="diagram-page"', 'class="diagram-page lead"', 1
            )
        out += drawings + tables + steps + rest
    out.append("</section>")
    return "".join(out)


def _portfolio_table(table: PortfolioTable) -> str:
    """One of the programme's tables, numbers aligned right."""
    classes = [' class="num"' if kind in NUMERIC_KINDS else "" for kind in table.kinds]
    head = "".join(
        f'<th{cls} scope="col">{for_html(name)}</th>'
        for name, cls in zip(table.columns, classes, strict=True)
    )
    rows = []
    for row in table.rows:
        cells = "".join(
            f"<td{cls}>{for_html(portfolio_cell(value, kind))}</td>"
            for value, kind, cls in zip(row, table.kinds, classes, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="wide"><table id="programme-{for_html(table.id)}"><thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _programme(section: PortfolioSection) -> str:
    """The programme's part of a portfolio folder's report: its tables and charts."""
    out = [
        '<section id="programme">',
        _heading(2, _("Programme: maturity, priorities, data exchanges")),
    ]
    if section.error is not None:
        text = _("The programme's tables are left out: {reason}").format(reason=section.error)
        out.append(f'<div class="warning" role="note"><pre>{_block(text)}</pre></div>')
        return "".join([*out, "</section>"])
    if section.file:
        out.append(_note(_("Targets and weights from {file}.").format(file=section.file)))
    for table in section.tables:
        out.append(_heading(3, table.title))
        out += [f'<p class="note intro">{for_html(line)}</p>' for line in table.intro]
        if table.rows:
            out.append(_portfolio_table(table))
        out += [_note(line) for line in table.notes]
        chart = section.charts.get(table.id)
        if chart is not None:
            svg = chart_svg(chart, f"chart-{table.id}")
            out.append(f'<figure class="chart">{svg}</figure>')
    out.append("</section>")
    return "".join(out)


def _passport(service: Service) -> str:
    return _heading(3, _("Passport")) + _table(passport_table(service))


def _totals(portfolio: Portfolio) -> str:
    totals = portfolio.totals()
    if not totals.counted:
        text = _("No service has a yearly volume in both variants: no yearly totals.")
        return f'<p class="note">{for_html(text)}</p>'
    money = "; ".join(
        format_money(amount, currency or None)
        for currency, amount in sorted(totals.money_saved.items())
    )
    hours = round(totals.applicant_hours_saved)
    across = ngettext(
        "Across {n} service with yearly volumes:",
        "Across {n} services with yearly volumes:",
        totals.counted,
    ).format(n=i18n.number(totals.counted))
    saved = ngettext(
        "applicants save {hours} hour and {money} per year.",
        "applicants save {hours} hours and {money} per year.",
        hours,
    )
    saved = for_html(saved).format(hours=for_html(format_value(hours)), money=for_html(money))
    parts = [f"<p><strong>{for_html(across)}</strong> {saved}</p>"]
    if totals.left_out:
        names = for_html(", ".join(totals.left_out))
        note = for_html(_("Not counted (no volume in both variants): {services}.")).format(
            services=names
        )
        parts.append(f'<p class="note">{note}</p>')
    return "".join(parts)


def html_report(
    portfolio: Portfolio,
    *,
    title: str | None = None,
    refresh: int = 0,
    on_service: Callable[[Service], None] | None = None,
    printed: bool = False,
    page: str = "A4",
    orientation: str | None = None,
) -> str:
    """The whole report as one HTML document (``printed``: in the order of the PDF, with its
    drawings laid out for ``page`` in ``orientation``, or the best of both where None).

    Every text from the models is escaped; the only script is the table sorter (and, with
    ``refresh``, the scroll keeper), pinned by the page's Content-Security-Policy.
    """
    services = portfolio.services
    if title is None:
        title = services[0].title if len(services) == 1 else _("Process redesign portfolio")
    scripts = [_script()] + ([_KEEP_SCROLL] if refresh else [])
    policy = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src {' '.join(_hash(s) for s in scripts)}"
    )
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{for_html(i18n.current())}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{for_html(policy)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="bpr {for_html(__version__)}">',
    ]
    if refresh:
        head.append(f'<meta http-equiv="refresh" content="{int(refresh)}">')
    style = _CSS + (_print_css(page, orientation) if printed else "")
    head += [f"<title>{for_html(title)}</title>", f"<style>{style}</style>", "</head>", "<body>"]
    body = [f"<header><h1>{for_html(title)}</h1>"]
    meta = made_with(len(services), len(portfolio.files), __version__)
    body.append(f'<p class="meta">{for_html(meta)}</p></header>')
    count = len(portfolio.skipped)
    body.append(_skipped(portfolio.skipped, skipped_heading(count)))
    programme = portfolio_section(portfolio)
    if len(services) > 1:
        body.append('<section id="portfolio">' + _heading(2, _("Portfolio")))
        body.append(_totals(portfolio))
        sort_note = for_html(_("Click a column heading to sort."))
        body.append(f'<p class="note no-print">{sort_note}</p>')
        body.append(_table(portfolio_table(portfolio), sortable=True, money=compact_money))
        body.append("</section>")
        body.append('<nav class="toc">' + _heading(2, _("Services")) + "<ol>")
        if programme is not None:  # the programme's tables stand before the services
            heading = for_html(_("Programme: maturity, priorities, data exchanges"))
            body.append(f'<li><a href="#programme">{heading}</a></li>')
        for service in services:
            body.append(
                f'<li><a href="#{for_html(service.anchor)}">{for_html(service.title)}</a></li>'
            )
        body.append("</ol></nav>")
    if programme is not None:
        body.append(_programme(programme))
    if not services:
        nothing = for_html(_("No model could be loaded: nothing to report."))
        body.append(f'<p class="note">{nothing}</p>')
    # printed, the diagrams are laid out for A4 pages (every word at 7 pt or more)
    drawings = (
        diagrams_in_order(services, page=page, orientation=orientation)
        if printed
        else diagrams_in_order(services)
    )
    with closing(drawings) as drawn:
        for index, service in enumerate(services):
            passport = programme is not None or has_passport(service)
            section = _service(service, index, next(drawn), printed=printed, passport=passport)
            if len(services) == 1:  # no portfolio before it: it starts on the title's page
                section = section.replace('class="service"', 'class="service first"', 1)
            body.append(section)
            if on_service is not None:
                on_service(service)
    tail = [f"<script>{s}</script>" for s in scripts] + ["</body>", "</html>", ""]
    return "\n".join([*head, *body, *tail])
