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
    change_text,
    document_changes,
    heading,
    measure_rows,
    step_changes,
)
from bpr.core.text import for_terminal

__all__ = ["to_text"]


def to_text(comparison: Comparison, width: int = 100) -> str:
    """The terminal report: measures, redesigns, the acts to amend and the provisions the
    To-Be relies on, then the step and document changes."""
    c = comparison
    out = [for_terminal(heading(c))]
    for label, model in (("from", c.as_is), ("to", c.to_be)):
        out.append(f"  {label:<4}  {for_terminal(model.file)}  {for_terminal(model.title)}")
    for note in c.notes:
        out.append(f"  note: {for_terminal(note)}")
    if c.is_empty:
        out += ["", NO_CHANGE]
        return "\n".join(out) + "\n"
    variants = [for_terminal(c.as_is.variant), for_terminal(c.to_be.variant)]
    out += ["", text_table(["measure", *variants, "change", "percent"], measure_rows(c))]
    if c.redesigns:
        out += ["", "Redesign"]
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
        out += ["", "Steps", _wrapped_table(["change", "step", "what"], steps, width)]
    if c.unchanged_steps:
        out.append(
            textwrap.fill(
                "unchanged: " + ", ".join(c.unchanged_steps),
                width=width,
                subsequent_indent="  ",
                break_on_hyphens=False,
            )
        )
    documents = document_changes(c)
    if documents:
        out += ["", "Documents", _wrapped_table(["change", "document", "name"], documents, width)]
    return "\n".join(out) + "\n"


def _wrapped_table(headers: Sequence[str], rows: Sequence[Change], width: int) -> str:
    """A left-aligned table whose last column wraps onto continuation lines to fit ``width``."""
    first = max(len(headers[0]), *(len(r.kind) for r in rows))
    second = max(len(headers[1]), *(len(r.id) for r in rows))
    room = max(30, width - first - second - 4)
    lines: list[list[str]] = []
    for row in rows:
        parts = textwrap.wrap(change_text(row), room, break_on_hyphens=False) or [""]
        lines.append([row.kind, row.id, parts[0]])
        lines += [["", "", part] for part in parts[1:]]
    return text_table(headers, lines, right=[False, False, False])
