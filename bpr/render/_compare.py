"""The comparison diagram: As-Is and To-Be side by side, each change marked twice."""

from __future__ import annotations

from collections.abc import Mapping

from bpr.analysis.measures import MEASURE_LABELS
from bpr.analysis.table import format_number
from bpr.comparison.diff import Comparison, compare
from bpr.core.model import Model
from bpr.core.text import for_graphviz, one_line
from bpr.core.textmetrics import text_width, wrap
from bpr.layout.content import BADGE_SIZE, PADDING, TASK_WIDTH, Line, shown, task_box
from bpr.layout.engine import Layout, Rect, check_size, layout_model
from bpr.render._draw import (
    INK,
    MARGIN,
    SUBTITLE_SIZE,
    Mark,
    box_styles,
    draw_layout,
    draw_text_block,
    headline,
    title_lines,
)
from bpr.render._scene import Scene

__all__ = [
    "HEADLINE_KEYS",
    "LEGEND",
    "MARKS",
    "comparison_scene",
    "draw_legend",
    "legend_columns",
    "legend_height",
    "mark_steps",
    "measure_changes",
]

#: The measure changes written under the title of a comparison.
HEADLINE_KEYS = ("steps", "visits", "certificates", "lead_time_days", "applicant_hours", "fees")
GAP = 48.0  # between the two panels

# Tints of the Okabe-Ito hues (safe for colour-blind readers), chosen so that their grey
# levels (ITU-R 601 luma, what a greyscale print keeps) stand at least 20 apart: unchanged 255,
# added 236, changed 216, replaced 196, removed 176. Each is paired with its own border (dashed,
# dotted, double, corner marks) and badge, so that a print without colour still tells them apart.
MARKS: dict[str, Mark] = {
    "removed": Mark("− REMOVED", "#e7a26b", "dashed", 2.0),
    "replaced": Mark("⇄ REPLACED", "#98d1f2", "dotted", 2.2),
    "replaces": Mark("⇄ REPLACES", "#98d1f2", "dotted", 2.2),
    "added": Mark("+ ADDED", "#dff3ed", "", 1.2, 2),
    "changed": Mark("Δ CHANGED", "#f5d794", "diagonals", 1.2),
    "unchanged": Mark("UNCHANGED", "#ffffff", "", 1.2),
}
#: What each change means, in the legend (the border style named for a greyscale print).
LEGEND = (
    ("removed", "step of the As-Is that the To-Be drops (dashed border)"),
    ("replaced", "As-Is step taken over by a To-Be step (dotted border)"),
    ("added", "new step of the To-Be (double border)"),
    ("changed", "step in both that changed: Δ and the number of fields (corner marks)"),
    ("unchanged", "step the same in both (plain border, white)"),
)
# A badge that names other steps is kept to two lines; past that it gives their number.
_BADGE_LINES = 2


def measure_changes(comparison: object) -> str:
    """The headline measure changes: ``steps 12 → 8 (−33.3%) · visits 5 → 1 (−80%) ...``."""
    measures = getattr(comparison, "measures", {})
    parts = []
    for key in HEADLINE_KEYS:
        change = measures.get(key)
        if change is None or (key == "fees" and not change.before and not change.after):
            continue
        label, unit = MEASURE_LABELS[key]
        unit = {"days": " days", "hours": " h"}.get(unit, "")
        text = f"{label.split(' (')[0]} {format_number(change.before)} → "
        text += f"{format_number(change.after)}{unit}"
        if change.percent is not None and change.before != change.after:
            text += f" ({'+' if change.percent > 0 else '−'}{abs(change.percent):g}%)"
        parts.append(text)
    return " · ".join(parts)


def _marks(
    comparison: object, as_is: Model, to_be: Model
) -> tuple[dict[str, Mark], dict[str, Mark]]:
    """The mark of every changed step on each side."""
    old: dict[str, Mark] = {}
    new: dict[str, Mark] = {}
    base = MARKS
    for step in getattr(comparison, "removed_steps", []):
        old[step] = base["removed"]
    for target, sources in getattr(comparison, "replaced_steps", {}).items():
        names = [one_line(as_is.step(s).label) for s in sources if s in as_is]
        mark = base["replaces"]
        badge = _naming(
            f"{mark.badge}: {', '.join(names)}",
            f"{mark.badge} {len(names)} STEP{'' if len(names) == 1 else 'S'}",
        )
        new[target] = Mark(badge, mark.fill, mark.style, mark.penwidth)
        label = one_line(to_be.step(target).label) if target in to_be else target
        for source in sources:
            mark = base["replaced"]
            badge = _naming(f"{mark.badge} BY: {label}", f"{mark.badge} (see the To-Be)")
            old[source] = Mark(badge, mark.fill, mark.style, mark.penwidth)
    for step in getattr(comparison, "added_steps", []):
        new[step] = base["added"]
    for step, fields in getattr(comparison, "changed_steps", {}).items():
        mark = base["changed"]
        # the symbol and the number of fields; which fields is in the tooltip and the tables
        changed = Mark(
            f"Δ{len(fields)} CHANGED",
            mark.fill,
            mark.style,
            mark.penwidth,
            detail="changed: " + ", ".join(fields),
        )
        new.setdefault(step, changed)
        old.setdefault(step, changed)
    return old, new


def mark_steps(
    comparison: object, as_is: Model, to_be: Model
) -> tuple[dict[str, Mark], dict[str, Mark], dict[str, str], dict[str, str]]:
    """The marks of the steps on each side, and what each change is in words, for a table:
    ``removed``, ``replaced by: Pay online``, ``changed: actor, wait``, ``added``."""
    old, new = _marks(comparison, as_is, to_be)
    old_words: dict[str, str] = {}
    new_words: dict[str, str] = {}
    for step in getattr(comparison, "removed_steps", []):
        old_words[step] = "removed"
    for target, sources in getattr(comparison, "replaced_steps", {}).items():
        names = [shown(as_is.step(s).label, s) for s in sources if s in as_is]
        new_words[target] = "replaces: " + ", ".join(names)
        label = shown(to_be.step(target).label, target) if target in to_be else target
        for source in sources:
            old_words[source] = f"replaced by: {label}"
    for step in getattr(comparison, "added_steps", []):
        new_words[step] = "added"
    for step, fields in getattr(comparison, "changed_steps", {}).items():
        text = "changed: " + ", ".join(fields)
        new_words.setdefault(step, text)
        old_words.setdefault(step, text)
    return old, new, old_words, new_words


def _naming(badge: str, short: str) -> str:
    """``badge`` where it fits a box in two lines, else ``short``: never cut with "…"."""
    lines = wrap(badge, TASK_WIDTH - 2 * PADDING, BADGE_SIZE, bold=True, max_lines=_BADGE_LINES)
    return short if lines[-1].endswith("…") else badge


def _layout(model: Model, marks: Mapping[str, Mark]) -> Layout:
    sizes = {}
    for step_id, mark in marks.items():
        if step_id in model:
            box = task_box(model, model.step(step_id), mark.badge)
            sizes[step_id] = (box.width, box.height)
    return layout_model(model, sizes=sizes)


def comparison_scene(
    as_is: Model, to_be: Model, *, stacked: bool = False, comparison: Comparison | None = None
) -> Scene:
    """Both variants on one page with the title, the measure changes and a legend."""
    check_size(as_is)  # before the comparison, which takes a while too
    check_size(to_be)
    comparison = compare(as_is, to_be) if comparison is None else comparison
    old_marks, new_marks = _marks(comparison, as_is, to_be)
    left, right = _layout(as_is, old_marks), _layout(to_be, new_marks)
    heading = [
        title_lines(shown(m.title, m.variant), headline(m), width=max(lay.width, 400))
        for m, lay in ((as_is, left), (to_be, right))
    ]
    heading_height = max(sum(line.size * 1.3 for line in lines) + 4 for lines in heading)
    panel_height = [heading_height + 8 + lay.height for lay in (left, right)]
    if stacked:
        width = max(left.width, right.width)
        origins = [(MARGIN, 0.0), (MARGIN, panel_height[0] + GAP)]
        body_height = panel_height[0] + GAP + panel_height[1]
    else:
        width = left.width + GAP + right.width
        origins = [(MARGIN, 0.0), (MARGIN + left.width + GAP, 0.0)]
        body_height = max(panel_height)
    legend_width = 64 + 430 + 102 + max(text_width(m, 8.0) + 8 for _, m in LEGEND)
    width = max(width, legend_width)
    service = one_line(as_is.service)
    title = title_lines(
        f"{service}: {one_line(as_is.variant)} → {one_line(to_be.variant)}",
        measure_changes(comparison),
        width=max(width, 500),
    )
    title_height = sum(line.size * 1.3 for line in title) + 4
    top = MARGIN + title_height + 14
    legend_top = top + body_height + 18
    legend_height = (len(LEGEND) + 1) // 2 * 30.0 + 6
    scene = Scene(
        width + 2 * MARGIN,
        legend_top + legend_height + MARGIN,
        comment=f"bpr render: {as_is.service} ({as_is.variant} -> {to_be.variant})",
        title=f"{service}: {one_line(as_is.variant)} → {one_line(to_be.variant)}",
    )
    draw_text_block(scene, "title", MARGIN, MARGIN, title)
    for side, (model, layout, marks, lines, (ox, oy)) in enumerate(
        zip(
            (as_is, to_be),
            (left, right),
            (old_marks, new_marks),
            heading,
            origins,
            strict=True,
        )
    ):
        prefix = ("a:", "b:")[side]
        draw_text_block(scene, f"{prefix}heading", ox, top + oy, lines)
        draw_layout(
            scene, model, layout, ox, top + oy + heading_height + 8, prefix=prefix, marks=marks
        )
    draw_legend(scene, MARGIN, legend_top)
    return scene


def legend_columns(width: float) -> int:
    """How many legend entries stand side by side in ``width`` points (2, or 1)."""
    need = 64 + 102 + max(text_width(meaning, 8.0) + 8 for _, meaning in LEGEND)
    return 2 if 430 + need <= width else 1


def legend_height(columns: int) -> float:
    """The height of the legend with its entries in ``columns`` columns."""
    return -(-len(LEGEND) // columns) * 30.0 + 6


def draw_legend(scene: Scene, x: float, y: float, column: float = 430.0, columns: int = 2) -> None:
    """Sample boxes with what each mark means, ``columns`` to a row, ``column`` points
    apart."""
    scene.box(
        "legend:title",
        Rect(x, y, 60, 18),
        f'<FONT POINT-SIZE="{SUBTITLE_SIZE:g}"><B>Legend</B></FONT>',
        shape="plaintext",
    )
    cx = x + 64
    for index, (kind, meaning) in enumerate(LEGEND):
        mark = MARKS[kind]
        row, side = divmod(index, columns)
        bx = cx + side * column
        by = y + row * 30
        styles = ",".join(s for s in (box_styles(mark.style)) if s)
        attrs = {
            "shape": "box",
            "style": styles,
            "fillcolor": mark.fill,
            "color": INK,
            "penwidth": f"{mark.penwidth:g}",
        }
        if mark.peripheries > 1:
            attrs["peripheries"] = str(mark.peripheries)
        scene.box(
            f"legend:{kind}",
            Rect(bx, by, 96, 24),
            f'<FONT POINT-SIZE="{BADGE_SIZE:g}"><B>{for_graphviz(mark.badge)}</B></FONT>',
            **attrs,
        )
        line = Line(meaning, 8.0, "legend")
        scene.box(
            f"legend:{kind}:text",
            Rect(bx + 102, by + 4, text_width(meaning, 8.0) + 8, 16),
            f'<FONT POINT-SIZE="8">{for_graphviz(line.text)}</FONT>',
            shape="plaintext",
        )
