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
    change_text,
    document_changes,
    heading,
    measure_rows,
    step_changes,
)
from bpr.core.text import for_html

__all__ = ["redesign_items", "to_html"]


def _h(text: str) -> str:
    """Element text: quotes stay as they are (``Applicant's time``), everything else escaped."""
    return for_html(text, quote=False)


def redesign_items(redesigns: Iterable[Redesign]) -> list[str]:
    """The redesigns as the items (``<li>``) of an HTML list, as every report shows them.

    >>> print(*redesign_items([Redesign("once-only", "Once-only", "<No> visit.")]))
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
    out.append(
        f"<p>From {_h(c.as_is.title)} (<code>{_h(c.as_is.file)}</code>) to "
        f"{_h(c.to_be.title)} (<code>{_h(c.to_be.file)}</code>).</p>"
    )
    if c.is_empty:
        out += [f"<p>{NO_CHANGE}</p>", "</section>"]
        return "\n".join(out) + "\n"
    out += _table(
        ["Measure", c.as_is.variant, c.to_be.variant, "Change", "Percent"],
        measure_rows(c),
        [False, True, True, True, True],
    )
    if c.redesigns:
        out += ["<h3>Redesign</h3>", "<ul>", *redesign_items(c.redesigns), "</ul>"]
    steps = step_changes(c)
    if steps or c.unchanged_steps:
        out.append("<h3>Steps</h3>")
    if steps:
        out += _table(
            ["Change", "Step", "What"], [[r.kind, r.id, change_text(r)] for r in steps], [False] * 3
        )
    if c.unchanged_steps:
        out.append(f"<p>Unchanged: {_h(', '.join(c.unchanged_steps))}.</p>")
    documents = document_changes(c)
    if documents:
        out.append("<h3>Documents</h3>")
        out += _table(
            ["Change", "Document", "Name"],
            [[r.kind, r.id, change_text(r)] for r in documents],
            [False] * 3,
        )
    out.append("</section>")
    return "\n".join(out) + "\n"
