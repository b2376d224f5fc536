"""The comparison diagram: As-Is and To-Be side by side, each change marked twice."""

from __future__ import annotations

from collections.abc import Mapping

from bpr.analysis.table import format_number
from bpr.comparison.diff import Comparison, compare
from bpr.core.i18n import N_, domain, numeral
from bpr.core.model import Model
from bpr.core.text import for_graphviz, one_line
from bpr.core.textmetrics import text_width, wrap
from bpr.core.words import step_field
from bpr.layout.content import (
    BADGE_SIZE,
    PADDING,
    TASK_WIDTH,
    Line,
    diagram_net,
    shown,
    task_box,
)
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

_, ngettext, pgettext = domain("diagram")

__all__ = [
    "HEADLINE_KEYS",
    "LEGEND",
    "MARKS",
    "change_words",
    "comparison_scene",
    "draw_legend",
    "legend_columns",
    "legend_height",
    "mark_steps",
    "measure_changes",
]

#: The measure changes written under the title of a comparison.
HEADLINE_KEYS = ("steps", "visits", "certificates", "lead_time_days", "applicant_hours", "fees")
#: The names of the headline measures (the measure table's labels without their units).
_HEADLINE_LABELS = {
    "steps": N_("Steps"),
    "visits": N_("Visits"),
    "certificates": N_("Certificates to collect"),
    "lead_time_days": N_("Lead time"),
    "applicant_hours": N_("Applicant's time"),
    "fees": N_("Fees"),
}
GAP = 48.0  # between the two panels

# Tints of the Okabe-Ito hues (safe for colour-blind readers), chosen so that their grey
# levels (ITU-R 601 luma, what a greyscale print keeps) stand at least 20 apart: unchanged 255,
# added 236, changed 216, replaced 196, removed 176. Each is paired with its own border (dashed,
# dotted, double, corner marks) and badge, so that a print without colour still tells them apart.
# The badges are in English here and translated where drawn (written in capitals in the
# catalogues, never made with upper(): Azerbaijani İ).
MARKS: dict[str, Mark] = {
    # TRANSLATORS: the badge of an As-Is step the To-Be drops, in capitals
    "removed": Mark(N_("− REMOVED"), "#e7a26b", "dashed", 2.0),
    # TRANSLATORS: the badge of an As-Is step a To-Be step takes over, in capitals
    "replaced": Mark(N_("⇄ REPLACED"), "#98d1f2", "dotted", 2.2),
    # TRANSLATORS: the badge of a To-Be step that takes over As-Is steps, in capitals
    "replaces": Mark(N_("⇄ REPLACES"), "#98d1f2", "dotted", 2.2),
    # TRANSLATORS: the badge of a new To-Be step, in capitals
    "added": Mark(N_("+ ADDED"), "#dff3ed", "", 1.2, 2),
    # TRANSLATORS: the badge of a step in both variants that changed, in capitals
    "changed": Mark(N_("Δ CHANGED"), "#f5d794", "diagonals", 1.2),
    # TRANSLATORS: the badge of a step the same in both variants, in capitals
    "unchanged": Mark(N_("UNCHANGED"), "#ffffff", "", 1.2),
}
#: What each change means, in the legend (the border style named for a greyscale print); in
#: English, translated where drawn.
LEGEND = (
    ("removed", N_("step of the As-Is that the To-Be drops (dashed border)")),
    ("replaced", N_("As-Is step taken over by a To-Be step (dotted border)")),
    ("added", N_("new step of the To-Be (double border)")),
    ("changed", N_("step in both that changed: Δ and the number of fields (corner marks)")),
    ("unchanged", N_("step the same in both (plain border, white)")),
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
        values = {
            "measure": _(_HEADLINE_LABELS[key]),
            "before": numeral(format_number(change.before)),
            "after": numeral(format_number(change.after)),
        }
        if key == "lead_time_days":
            # TRANSLATORS: a measure before and after the redesign, in calendar days
            text = _("{measure} {before} → {after} days").format(**values)
        elif key == "applicant_hours":
            # TRANSLATORS: a measure before and after the redesign, in hours
            text = _("{measure} {before} → {after} h").format(**values)
        else:
            # TRANSLATORS: a measure before and after the redesign
            text = _("{measure} {before} → {after}").format(**values)
        if change.percent is not None and change.before != change.after:
            sign = "+" if change.percent > 0 else "−"
            # TRANSLATORS: a measure's change with its percent after it: Steps 12 → 8 (−33.3%)
            text = _("{change} ({sign}{percent}%)").format(
                change=text, sign=sign, percent=numeral(f"{abs(change.percent):g}")
            )
        parts.append(text)
    return " · ".join(parts)


def _fields(fields: list[str]) -> str:
    """A step's changed fields in words: ``actor, wait``."""
    return ", ".join(step_field(f) for f in fields)


def change_words(kind: str) -> str:
    """What the step table writes for a step that is ``removed``, ``added`` or ``unchanged``.

    >>> change_words("removed"), change_words("unchanged")
    ('removed', 'unchanged')
    """
    if kind == "removed":
        # TRANSLATORS: the change of a step in the step table: the To-Be drops it
        return pgettext("step change", "removed")
    if kind == "added":
        # TRANSLATORS: the change of a step in the step table: new in the To-Be
        return pgettext("step change", "added")
    # TRANSLATORS: the change of a step in the step table: the same in both variants
    return pgettext("step change", "unchanged")


def _marks(
    comparison: object, as_is: Model, to_be: Model
) -> tuple[dict[str, Mark], dict[str, Mark]]:
    """The mark of every changed step on each side."""
    old: dict[str, Mark] = {}
    new: dict[str, Mark] = {}
    base = MARKS
    for step in getattr(comparison, "removed_steps", []):
        old[step] = _translated(base["removed"])
    for target, sources in getattr(comparison, "replaced_steps", {}).items():
        names = [one_line(as_is.step(s).label) for s in sources if s in as_is]
        mark = base["replaces"]
        n = len(names)
        badge = _naming(
            # TRANSLATORS: the badge of a To-Be step with the As-Is steps it takes over, in
            # capitals (the names are as the model writes them)
            _("⇄ REPLACES: {steps}").format(steps=", ".join(names)),
            # TRANSLATORS: the same badge where the names do not fit: how many steps
            ngettext("⇄ REPLACES {n} STEP", "⇄ REPLACES {n} STEPS", n).format(n=n),
        )
        new[target] = Mark(badge, mark.fill, mark.style, mark.penwidth)
        label = one_line(to_be.step(target).label) if target in to_be else target
        for source in sources:
            mark = base["replaced"]
            badge = _naming(
                # TRANSLATORS: the badge of an As-Is step with the To-Be step that takes it
                # over, in capitals
                _("⇄ REPLACED BY: {step}").format(step=label),
                # TRANSLATORS: the same badge where the name does not fit, in capitals
                _("⇄ REPLACED (see the To-Be)"),
            )
            old[source] = Mark(badge, mark.fill, mark.style, mark.penwidth)
    for step in getattr(comparison, "added_steps", []):
        new[step] = _translated(base["added"])
    for step, fields in getattr(comparison, "changed_steps", {}).items():
        mark = base["changed"]
        # the symbol and the number of fields; which fields is in the tooltip and the tables
        changed = Mark(
            # TRANSLATORS: the badge of a changed step with the number of its changed
            # fields, in capitals
            _("Δ{n} CHANGED").format(n=len(fields)),
            mark.fill,
            mark.style,
            mark.penwidth,
            # TRANSLATORS: which fields of a step changed: "changed: actor, wait"
            detail=_("changed: {fields}").format(fields=_fields(fields)),
        )
        new.setdefault(step, changed)
        old.setdefault(step, changed)
    return old, new


def _translated(mark: Mark) -> Mark:
    """``mark`` with its badge in the output language."""
    return Mark(_(mark.badge), mark.fill, mark.style, mark.penwidth, mark.peripheries)


def mark_steps(
    comparison: object, as_is: Model, to_be: Model
) -> tuple[dict[str, Mark], dict[str, Mark], dict[str, str], dict[str, str]]:
    """The marks of the steps on each side, and what each change is in words, for a table:
    ``removed``, ``replaced by: Pay online``, ``changed: actor, wait``, ``added``."""
    old, new = _marks(comparison, as_is, to_be)
    old_words: dict[str, str] = {}
    new_words: dict[str, str] = {}
    for step in getattr(comparison, "removed_steps", []):
        old_words[step] = change_words("removed")
    for target, sources in getattr(comparison, "replaced_steps", {}).items():
        names = [shown(as_is.step(s).label, s) for s in sources if s in as_is]
        # TRANSLATORS: the change of a To-Be step in the step table: the As-Is steps it takes
        # over
        new_words[target] = _("replaces: {steps}").format(steps=", ".join(names))
        label = shown(to_be.step(target).label, target) if target in to_be else target
        for source in sources:
            # TRANSLATORS: the change of an As-Is step in the step table: the To-Be step
            # that takes it over
            old_words[source] = _("replaced by: {step}").format(step=label)
    for step in getattr(comparison, "added_steps", []):
        new_words[step] = change_words("added")
    for step, fields in getattr(comparison, "changed_steps", {}).items():
        text = _("changed: {fields}").format(fields=_fields(fields))
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
    return layout_model(model, diagram_net(model), sizes=sizes)


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
    indent, sample, widest, column = _legend_sizes()
    width = max(width, indent + column + sample + 6 + widest)
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


def _legend_sizes() -> tuple[float, float, float, float]:
    """The legend's room for its title, the width of a sample box, of the widest meaning,
    and the distance between its two columns, in points: as the words of the output language
    need, never less than the English legend has."""
    indent = _legend_title_width() + 8
    badges = (text_width(_(mark.badge), BADGE_SIZE, bold=True) for mark in MARKS.values())
    sample = max(96.0, max(badges) + 12)
    widest = max(text_width(_(meaning), 8.0) + 8 for _kind, meaning in LEGEND)
    return indent, sample, widest, max(430.0, sample + 6 + widest + 16)


def _legend_title_width() -> float:
    """The width of the legend's title, a word on each line where it is longer than one
    line of 56 points."""
    # TRANSLATORS: the title of a comparison's key to its marks
    title = _("Legend")
    return max([56.0] + [text_width(word, SUBTITLE_SIZE, bold=True) for word in title.split()])


def legend_columns(width: float) -> int:
    """How many legend entries stand side by side in ``width`` points (2, or 1)."""
    indent, sample, widest, column = _legend_sizes()
    return 2 if column + indent + sample + 6 + widest <= width else 1


def legend_height(columns: int) -> float:
    """The height of the legend with its entries in ``columns`` columns."""
    return -(-len(LEGEND) // columns) * 30.0 + 6


def draw_legend(
    scene: Scene, x: float, y: float, column: float | None = None, columns: int = 2
) -> None:
    """Sample boxes with what each mark means, ``columns`` to a row, ``column`` points apart
    (by default as far as the longest meaning needs, at least 430)."""
    indent, sample, _widest, needed = _legend_sizes()
    column = needed if column is None else column
    lines = wrap(_("Legend"), _legend_title_width(), SUBTITLE_SIZE, bold=True)
    title = "<BR/>".join(for_graphviz(line) for line in lines)
    scene.box(
        "legend:title",
        Rect(x, y, indent - 4, 18 + (len(lines) - 1) * SUBTITLE_SIZE * 1.3),
        f'<FONT POINT-SIZE="{SUBTITLE_SIZE:g}"><B>{title}</B></FONT>',
        shape="plaintext",
    )
    cx = x + indent
    for index, (kind, english) in enumerate(LEGEND):
        mark = MARKS[kind]
        meaning = _(english)
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
            Rect(bx, by, sample, 24),
            f'<FONT POINT-SIZE="{BADGE_SIZE:g}"><B>{for_graphviz(_(mark.badge))}</B></FONT>',
            **attrs,
        )
        line = Line(meaning, 8.0, "legend")
        scene.box(
            f"legend:{kind}:text",
            Rect(bx + sample + 6, by + 4, text_width(meaning, 8.0) + 8, 16),
            f'<FONT POINT-SIZE="8">{for_graphviz(line.text)}</FONT>',
            shape="plaintext",
        )
