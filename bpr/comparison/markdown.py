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
    change_label,
    change_text,
    document_changes,
    heading,
    measure_rows,
    step_changes,
)
from bpr.core.i18n import domain
from bpr.core.text import for_markdown

__all__ = ["redesign_items", "to_markdown"]

_, ngettext, pgettext = domain("diff")


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
        _("From {as_is} ({as_is_file}) to {to_be} ({to_be_file}).").format(
            as_is=for_markdown(c.as_is.title),
            as_is_file=for_markdown(c.as_is.file),
            to_be=for_markdown(c.to_be.title),
            to_be_file=for_markdown(c.to_be.file),
        )
    )
    out.append("")
    if c.is_empty:
        out += [_(NO_CHANGE), ""]
        return "\n".join(out)
    variants = f"{for_markdown(c.as_is.variant)} | {for_markdown(c.to_be.variant)}"
    measure, change = pgettext("heading", "Measure"), pgettext("heading", "Change")
    out.append(f"| {measure} | {variants} | {change} | {pgettext('heading', 'Percent')} |")
    out.append("|---|--:|--:|--:|--:|")
    for row in measure_rows(c):
        out.append("| " + " | ".join(for_markdown(cell) for cell in row) + " |")
    if c.redesigns:
        out += ["", f"### {_('Redesign')}", ""]
        out += redesign_items(c.redesigns)
    for heading_text, lines in act_lines(c):
        out += ["", f"### {heading_text}", ""]
        out += [f"- {for_markdown(line)}" for line in lines]
    steps = step_changes(c)
    if steps or c.unchanged_steps:
        out += ["", f"### {_('Steps')}", ""]
    if steps:
        out += [f"| {change} | {pgettext('heading', 'Step')} | {_('What')} |", "|---|---|---|"]
        out += [
            f"| {change_label(r.kind)} | `{r.id}` | {for_markdown(change_text(r))} |" for r in steps
        ]
    if c.unchanged_steps:
        listed = ", ".join(f"`{s}`" for s in c.unchanged_steps)
        out += ["", _("Unchanged: {steps}.").format(steps=listed)]
    documents = document_changes(c)
    if documents:
        document, name = pgettext("heading", "Document"), pgettext("heading", "Name")
        out += ["", f"### {_('Documents')}", "", f"| {change} | {document} | {name} |"]
        out += ["|---|---|---|"]
        out += [
            f"| {change_label(r.kind)} | `{r.id}` | {for_markdown(change_text(r))} |"
            for r in documents
        ]
    out.append("")
    return "\n".join(out)
