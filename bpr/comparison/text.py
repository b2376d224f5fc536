"""The comparison as a report for the terminal: measures, redesigns, then the changes.

Model text goes through :func:`bpr.core.text.for_terminal`: escape sequences are shown, never
sent, and the joiners some scripts need are kept.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from bpr.analysis.table import text_table
from bpr.comparison.diff import Comparison
from bpr.comparison.rows import (
    NO_CHANGE,
    Change,
    act_lines,
    change_label,
    change_text,
    document_changes,
    heading,
    measure_rows,
    step_changes,
)
from bpr.core.i18n import domain
from bpr.core.text import for_terminal

__all__ = ["to_text"]

_, ngettext, pgettext = domain("diff")


def to_text(comparison: Comparison, width: int = 100) -> str:
    """The terminal report: measures, redesigns, the acts to amend and the provisions the
    To-Be relies on, then the step and document changes."""
    c = comparison
    out = [for_terminal(heading(c))]
    # TRANSLATORS: the two files compared, "from" the first "to" the second (short words)
    labels = (pgettext("files compared", "from"), pgettext("files compared", "to"))
    room = max(4, *(len(label) for label in labels))
    for label, model in zip(labels, (c.as_is, c.to_be), strict=True):
        out.append(f"  {label:<{room}}  {for_terminal(model.file)}  {for_terminal(model.title)}")
    for note in c.notes:
        out.append("  " + _("note: {note}").format(note=for_terminal(note)))
    if c.is_empty:
        out += ["", _(NO_CHANGE)]
        return "\n".join(out) + "\n"
    variants = [for_terminal(c.as_is.variant), for_terminal(c.to_be.variant)]
    headers = [_("measure"), *variants, pgettext("column", "change"), _("percent")]
    out += ["", text_table(headers, measure_rows(c))]
    if c.redesigns:
        out += ["", _("Redesign")]
        for r in c.redesigns:
            out.append(
                textwrap.fill(
                    f"{r.title}: {r.sentence}",
                    width=width,
                    initial_indent="  - ",
                    subsequent_indent="    ",
                    break_on_hyphens=False,
                )
            )
    for heading_text, lines in act_lines(c):
        out += ["", heading_text]
        out += [
            textwrap.fill(
                for_terminal(line),
                width=width,
                initial_indent="  - ",
                subsequent_indent="    ",
                break_on_hyphens=False,
            )
            for line in lines
        ]
    steps = step_changes(c)
    if steps:
        headers = [pgettext("column", "change"), _("step"), _("what")]
        out += ["", _("Steps"), _wrapped_table(headers, steps, width)]
    if c.unchanged_steps:
        out.append(
            textwrap.fill(
                _("unchanged: {steps}").format(steps=", ".join(c.unchanged_steps)),
                width=width,
                subsequent_indent="  ",
                break_on_hyphens=False,
            )
        )
    documents = document_changes(c)
    if documents:
        headers = [pgettext("column", "change"), _("document"), _("name")]
        out += ["", _("Documents"), _wrapped_table(headers, documents, width)]
    return "\n".join(out) + "\n"


def _wrapped_table(headers: Sequence[str], rows: Sequence[Change], width: int) -> str:
    """A left-aligned table whose last column wraps onto continuation lines to fit ``width``."""
    kinds = [change_label(r.kind) for r in rows]
    first = max(len(headers[0]), *(len(k) for k in kinds))
    second = max(len(headers[1]), *(len(r.id) for r in rows))
    room = max(30, width - first - second - 4)
    lines: list[list[str]] = []
    for row, kind in zip(rows, kinds, strict=True):
        parts = textwrap.wrap(change_text(row), room, break_on_hyphens=False) or [""]
        lines.append([kind, row.id, parts[0]])
        lines += [["", "", part] for part in parts[1:]]
    return text_table(headers, lines, right=[False, False, False])
