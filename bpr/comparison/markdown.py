"""The comparison as a Markdown fragment: a heading, the measure table, redesigns, changes.

Model text goes through :func:`bpr.core.text.for_markdown`: it cannot become HTML, emphasis,
links or extra table cells.
"""

from __future__ import annotations

from collections.abc import Iterable

from bpr.comparison.diff import Comparison
from bpr.comparison.redesign import Redesign
from bpr.comparison.rows import (
    NO_CHANGE,
    act_lines,
    change_text,
    document_changes,
    heading,
    measure_rows,
    step_changes,
)
from bpr.core.text import for_markdown

__all__ = ["redesign_items", "to_markdown"]


def redesign_items(redesigns: Iterable[Redesign]) -> list[str]:
    """The redesigns as the items of a Markdown list, as every report shows them.

    >>> print(*redesign_items([Redesign("automation", "Now *automatic*.")]))
    - **Task automation.** Now \\*automatic\\*.
    """
    return [f"- **{for_markdown(r.title)}.** {for_markdown(r.sentence)}" for r in redesigns]


def to_markdown(comparison: Comparison) -> str:
    """The comparison as a Markdown fragment: a heading, the measure table, redesigns, changes."""
    c = comparison
    out = [f"## {for_markdown(heading(c, '→'))}", ""]
    out.append(
        f"From {for_markdown(c.as_is.title)} ({for_markdown(c.as_is.file)}) "
        f"to {for_markdown(c.to_be.title)} ({for_markdown(c.to_be.file)})."
    )
    out.append("")
    if c.is_empty:
        out += [NO_CHANGE, ""]
        return "\n".join(out)
    variants = f"{for_markdown(c.as_is.variant)} | {for_markdown(c.to_be.variant)}"
    out.append(f"| Measure | {variants} | Change | Percent |")
    out.append("|---|--:|--:|--:|--:|")
    for row in measure_rows(c):
        out.append("| " + " | ".join(for_markdown(cell) for cell in row) + " |")
    if c.redesigns:
        out += ["", "### Redesign", ""]
        out += redesign_items(c.redesigns)
    for heading_text, lines in act_lines(c):
        out += ["", f"### {heading_text}", ""]
        out += [f"- {for_markdown(line)}" for line in lines]
    steps = step_changes(c)
    if steps or c.unchanged_steps:
        out += ["", "### Steps", ""]
    if steps:
        out += ["| Change | Step | What |", "|---|---|---|"]
        out += [f"| {r.kind} | `{r.id}` | {for_markdown(change_text(r))} |" for r in steps]
    if c.unchanged_steps:
        out += ["", "Unchanged: " + ", ".join(f"`{s}`" for s in c.unchanged_steps) + "."]
    documents = document_changes(c)
    if documents:
        out += ["", "### Documents", "", "| Change | Document | Name |", "|---|---|---|"]
        out += [f"| {r.kind} | `{r.id}` | {for_markdown(change_text(r))} |" for r in documents]
    out.append("")
    return "\n".join(out)
