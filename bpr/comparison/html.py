"""The comparison as a self-contained HTML fragment: no scripts, style sheets or links.

Model text goes through :func:`bpr.core.text.for_html`; number columns are right-aligned by a
``style`` attribute.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bpr.comparison.diff import Comparison
from bpr.comparison.redesign import Redesign
from bpr.comparison.rows import (
    NO_CHANGE,
    act_lines,
    change_label,
    change_text,
    document_changes,
    heading,
    measure_rows,
    step_changes,
)
from bpr.core import i18n
from bpr.core.i18n import domain
from bpr.core.text import for_html

__all__ = ["html_page", "page_title", "redesign_items", "to_html"]

_, ngettext, pgettext = domain("diff")


def _h(text: str) -> str:
    """Element text: quotes stay as they are (``Applicant's time``), everything else escaped."""
    return for_html(text, quote=False)


def redesign_items(redesigns: Iterable[Redesign]) -> list[str]:
    """The redesigns as the items (``<li>``) of an HTML list, as every report shows them.

    >>> print(*redesign_items([Redesign("once-only", "<No> visit.")]))
    <li data-kind="once-only"><strong>Once-only.</strong> &lt;No&gt; visit.</li>
    """
    return [
        f'<li data-kind="{for_html(r.kind)}"><strong>{_h(r.title)}.</strong> {_h(r.sentence)}</li>'
        for r in redesigns
    ]


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool]
) -> list[str]:
    right, left = ' style="text-align:right"', ' style="text-align:left"'
    out = ["<table>", "<thead><tr>"]
    out += [
        f"<th{right if n else left}>{_h(h)}</th>" for h, n in zip(headers, numeric, strict=True)
    ]
    out += ["</tr></thead>", "<tbody>"]
    for row in rows:
        cells = "".join(
            f"<td{right if n else ''}>{_h(cell)}</td>" for cell, n in zip(row, numeric, strict=True)
        )
        out.append(f"<tr>{cells}</tr>")
    out += ["</tbody>", "</table>"]
    return out


def to_html(comparison: Comparison) -> str:
    """The comparison as a self-contained HTML fragment (no scripts, style sheets or links;
    number columns are right-aligned by a ``style`` attribute).

    Every text that comes from a model is escaped.
    """
    c = comparison
    out = ['<section class="bpr-diff">', f"<h2>{_h(heading(c, '→'))}</h2>"]
    files = _h(_("From {as_is} ({as_is_file}) to {to_be} ({to_be_file}).")).format(
        as_is=_h(c.as_is.title),
        as_is_file=f"<code>{_h(c.as_is.file)}</code>",
        to_be=_h(c.to_be.title),
        to_be_file=f"<code>{_h(c.to_be.file)}</code>",
    )
    out.append(f"<p>{files}</p>")
    if c.is_empty:
        out += [f"<p>{_h(_(NO_CHANGE))}</p>", "</section>"]
        return "\n".join(out) + "\n"
    change, percent = pgettext("heading", "Change"), pgettext("heading", "Percent")
    out += _table(
        [pgettext("heading", "Measure"), c.as_is.variant, c.to_be.variant, change, percent],
        measure_rows(c),
        [False, True, True, True, True],
    )
    if c.redesigns:
        out += [f"<h3>{_h(_('Redesign'))}</h3>", "<ul>", *redesign_items(c.redesigns), "</ul>"]
    for heading_text, lines in act_lines(c):
        out += [f"<h3>{_h(heading_text)}</h3>", "<ul>"]
        out += [f"<li>{_h(line)}</li>" for line in lines]
        out.append("</ul>")
    steps = step_changes(c)
    if steps or c.unchanged_steps:
        out.append(f"<h3>{_h(_('Steps'))}</h3>")
    if steps:
        out += _table(
            [change, pgettext("heading", "Step"), _("What")],
            [[change_label(r.kind), r.id, change_text(r)] for r in steps],
            [False] * 3,
        )
    if c.unchanged_steps:
        listed = _h(", ".join(c.unchanged_steps))
        out.append(f"<p>{_h(_('Unchanged: {steps}.')).format(steps=listed)}</p>")
    documents = document_changes(c)
    if documents:
        out.append(f"<h3>{_h(_('Documents'))}</h3>")
        out += _table(
            [change, pgettext("heading", "Document"), pgettext("heading", "Name")],
            [[change_label(r.kind), r.id, change_text(r)] for r in documents],
            [False] * 3,
        )
    out.append("</section>")
    return "\n".join(out) + "\n"


def page_title(service: str) -> str:
    """The title of the page that compares the variants of ``service``."""
    return _("{service}: As-Is and To-Be compared").format(service=service)


# The page around the fragments: print-friendly, readable at 400 px, nothing fetched.
_PAGE_STYLE = """
body { font: 15px/1.45 system-ui, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2733;
  margin: 0; padding: 24px 32px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 12px; }
h2 { font-size: 1.3rem; margin: 32px 0 8px; border-top: 3px solid #1f5fa8; padding-top: 10px; }
section.bpr-diff { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #d5dbe3; padding: 4px 8px; vertical-align: top; }
th { background: #f3f5f8; }
td { overflow-wrap: anywhere; }
@media (max-width: 600px) { body { padding: 12px; font-size: 14px; } }
@page { size: A4; margin: 15mm; }
@media print { section.bpr-diff + section.bpr-diff { break-before: page; }
  tr { break-inside: avoid; } }
"""


def html_page(fragments: Sequence[str], title: str) -> str:
    """The fragments of :func:`to_html` as one whole HTML page, to open or print as it is.

    The page fetches and runs nothing (its Content-Security-Policy allows its own style only);
    its ``lang`` is the current language's.

    >>> page = html_page(["<section>x</section>"], "a <b>")
    >>> page.startswith("<!DOCTYPE html>"), "<title>a &lt;b&gt;</title>" in page
    (True, True)
    """
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{i18n.current()}">',
        "<head>",
        '<meta charset="utf-8"/>',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\"/>",
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f"<title>{_h(title)}</title>",
        f"<style>{_PAGE_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_h(title)}</h1>",
    ]
    return "\n".join([*head, *fragments, "</body>", "</html>", ""])
