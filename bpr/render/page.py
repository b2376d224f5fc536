"""Page-fit drawings: a process or a comparison laid out on A4, A3 or letter pages, every word
at least 7 points high when printed at 100 %.

Nothing is shrunk: the text keeps its size (9 pt names, 7 pt badges at the least) and the
picture is made to fit instead, in three ways combined as the model needs:

- a **detail level** for the boxes (``full``, ``standard``, ``names``): what a box leaves out
  stands in the **step table** under the figure (every figure and document of every step);
- **bands**: a long process is cut between its columns into bands no wider than the page,
  as even as the cutting allows (no remnant band of one step), joined by link events (a
  circle with the same letter at the end of one band and the start of the next). Each band
  draws only the lanes where something of it lies, each as tall as that or its header
  needs, and names the lanes it leaves out under it; bands fill a page top to bottom, then
  the next page;
- for a comparison, the As-Is bands above the To-Be bands (the stacked comparison), with the
  changes in the step tables' last column.

Where the orientation or detail level is not given, the one that needs the fewest pages is
taken (on a tie the more detail, then landscape).

>>> import bpr
>>> model = bpr.load("models/income-tax-return/as-is.yaml")
>>> pages = process_pages(model, page="A4", orientation="landscape")
>>> [(round(p.width), round(p.height)) for p in pages][:1]
[(842, 595)]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bpr.comparison.diff import Comparison, compare
from bpr.core.i18n import domain, numeral
from bpr.core.model import Model
from bpr.core.text import one_line
from bpr.core.textmetrics import wrap
from bpr.errors import OutputError
from bpr.layout.bands import fit_lanes, split_bands
from bpr.layout.content import DETAILS, LINE_HEIGHT, Line, diagram_net, shown, task_box
from bpr.layout.engine import (
    COMPACT_TASK_HEIGHT,
    Layout,
    Rect,
    check_size,
    lane_header_height,
    layout_model,
)
from bpr.render._compare import (
    draw_legend,
    legend_columns,
    legend_height,
    mark_steps,
    measure_changes,
)
from bpr.render._draw import (
    NOTE_SIZE,
    SUBTITLE_SIZE,
    TITLE_SIZE,
    Mark,
    draw_layout,
    draw_text_block,
    headline,
    legend_note,
)
from bpr.render._scene import Scene
from bpr.render._table import Table, step_table

_, ngettext, pgettext = domain("diagram")

__all__ = [
    "MIN_TEXT_SIZE",
    "ORIENTATIONS",
    "PAGE_MARGIN",
    "PAGE_SIZES",
    "comparison_pages",
    "page_size",
    "process_pages",
]

#: Page sizes in points (portrait: width, height).
PAGE_SIZES = {"A4": (595.28, 841.89), "A3": (841.89, 1190.55), "letter": (612.0, 792.0)}
ORIENTATIONS = ("portrait", "landscape")
PAGE_MARGIN = 24.0  # 8.5 mm on every side, inside what printers need
MIN_TEXT_SIZE = 7.0  # the smallest text a page-fit drawing writes, in points
_GAP = 14.0  # between two blocks on a page
_BOX_PADDING = 4.0  # above and below the text of a task box (the boxes' width keeps theirs)
_HEAD = NOTE_SIZE * 1.3 + 8  # the running head of every page


def page_size(page: str, orientation: str = "portrait") -> tuple[float, float]:
    """The (width, height) of a page in points.

    >>> page_size("A4", "landscape")
    (841.89, 595.28)
    """
    sizes = {name.lower(): size for name, size in PAGE_SIZES.items()}
    if page.lower() not in sizes:
        raise OutputError(
            _("unknown page size '{page}'; the page sizes are {sizes}").format(
                page=page, sizes=", ".join(PAGE_SIZES)
            )
        )
    if orientation not in ORIENTATIONS:
        raise OutputError(
            # TRANSLATORS: the orientations are the option's values, portrait and landscape
            _("unknown orientation '{orientation}'; choose {first} or {second}").format(
                orientation=orientation, first=ORIENTATIONS[0], second=ORIENTATIONS[1]
            )
        )
    width, height = sizes[page.lower()]
    return (height, width) if orientation == "landscape" else (width, height)


@dataclass
class _Block:
    """Something drawn on a page: its height, and how to draw it at (x, y); a row of a
    ``table`` gets the table's header row above it where it starts a page."""

    height: float
    draw: Callable[[Scene, float, float], None]
    keep_with_next: bool = False
    table: Table | None = None
    name: str = ""
    caption: bool = False  # the caption of a table
    label: str = ""  # what the running head says of a page that this block starts
    width: float = 0.0  # where wider than the page's text width (a band)

    @property
    def head(self) -> float:
        return self.table.rows[0].height if self.table is not None else 0.0


def _layout(model: Model, detail: str, marks: Mapping[str, Mark]) -> Layout:
    """The compact layout of a model with boxes as tall as their text at ``detail``."""
    sizes = {}
    for step in model.steps:
        mark = marks.get(step.id)
        box = task_box(model, step, mark.badge if mark else None, detail=detail)
        text = sum(line.size * LINE_HEIGHT for line in box.lines) + 2 * _BOX_PADDING
        sizes[step.id] = (box.width, max(COMPACT_TASK_HEIGHT, round(text, 1)))
    return layout_model(model, diagram_net(model), sizes=sizes, compact=True)


def _best(
    page: str,
    orientation: str | None,
    detail: str | None,
    build: Callable[[str, tuple[float, float]], list[_Block]],
    running_head: str,
) -> list[Scene]:
    """The pages of the candidate (orientation and detail level) that needs the fewest
    pages with every band inside its page; on a tie the more detail, then landscape.

    ``build(detail, size)`` gives the blocks for a detail level on a page of ``size``.
    """
    if detail is not None and detail not in DETAILS:
        raise OutputError(
            # TRANSLATORS: the detail levels are the option's values (full, standard, names)
            _("unknown detail level '{detail}'; choose one of {levels}").format(
                detail=detail, levels=", ".join(DETAILS)
            )
        )
    page_size(page, orientation or "portrait")  # a wrong page or orientation stops here
    details = [detail] if detail else ["standard", "names"]
    sides = [orientation] if orientation else ["landscape", "portrait"]
    best: tuple[tuple[int, int, int, int], list[Scene]] | None = None
    for rank, level in enumerate(details):
        for order, side in enumerate(sides):
            size = page_size(page, side)
            blocks = build(level, size)
            room = size[1] - 2 * PAGE_MARGIN - _HEAD
            inner = size[0] - 2 * PAGE_MARGIN
            overflow = sum(1 for b in blocks if b.height > room or b.width > inner + 0.5)
            placed = _place(blocks, size)
            alone = [
                b
                for page in placed
                if all(b.keep_with_next for b, _, _ in page)
                for b, _, _ in page
            ]
            if alone:
                # a title that would stand alone on a page (its band does not fit under it):
                # the running head names the drawing on every page, so such titles and their
                # measures go together before the tables
                blocks = [b for b in blocks if b not in alone]
                first_table = next(i for i, b in enumerate(blocks) if b.caption)
                blocks[first_table:first_table] = alone
                placed = _place(blocks, size)
            pages = _draw_pages(placed, size, running_head)
            score = (overflow, len(pages), rank, order)
            if best is None or score < best[0]:
                best = (score, pages)
    assert best is not None
    return best[1]


def _title_block(title: str, subtitle: str, note: str, page_width: float) -> _Block:
    width = page_width - 8  # a text block is 8 points wider than its widest line
    lines = [
        Line(t, TITLE_SIZE, "title", bold=True) for t in wrap(title, width, TITLE_SIZE, bold=True)
    ]
    lines += [Line(t, SUBTITLE_SIZE, "subtitle") for t in wrap(subtitle, width, SUBTITLE_SIZE)]
    lines += (
        [Line(t, NOTE_SIZE, "note", italic=True) for t in wrap(note, width, NOTE_SIZE)]
        if note
        else []
    )
    height = sum(line.size * 1.3 for line in lines) + 4

    def draw(scene: Scene, x: float, y: float) -> None:
        draw_text_block(scene, f"title{len(scene.nodes)}", x, y, lines)

    return _Block(height, draw, keep_with_next=True)


def _band_blocks(
    model: Model,
    layout: Layout,
    width: float,
    prefix: str,
    marks: Mapping[str, Mark],
    detail: str,
    label: str = "",
) -> list[_Block]:
    """The bands of a layout, each a block; where the process takes more than one band,
    each leaves out the lanes where none of it lies and says so under it."""
    blocks = []
    bands = split_bands(layout, width)
    for number, whole in enumerate(bands):
        band, left_out = (
            fit_lanes(whole, _header_heights(model, whole)) if len(bands) > 1 else (whole, [])
        )
        note = _left_out_note([lane.label for lane in left_out], band.width)

        def draw(
            scene: Scene,
            x: float,
            y: float,
            band: Layout = band,
            number: int = number,
            note: list[Line] = note,
        ) -> None:
            name = f"{prefix}b{number}:"
            draw_layout(scene, model, band, x, y, prefix=name, marks=marks, detail=detail)
            if note:
                draw_text_block(scene, f"{name}left-out", x, y + band.height + 2, note)

        height = band.height + (_lines_height(note) + 2 if note else 0.0)
        blocks.append(_Block(height, draw, label=label, width=band.width))
    return blocks


def _header_heights(model: Model, layout: Layout) -> dict[str, float] | None:
    """The height each lane's header needs, by actor, as the compact layout sizes it (the
    lane's name, its agency, "(applicant)"); None for a model with phases, whose names
    stand in a strip above their steps that a shortened lane might not have room for."""
    if any(step.phase for step in model.steps):
        return None
    return {
        lane.actor: lane_header_height(
            model, lane.actor, lane.label_rect.width if lane.label_rect else layout.header_width
        )
        for lane in layout.lanes
    }


def _left_out_note(lanes: list[str], width: float) -> list[Line]:
    """The lines under a band that name the lanes it leaves out (none where it has all)."""
    if not lanes:
        return []
    names = ", ".join(one_line(name) for name in lanes)
    # TRANSLATORS: under one part of a long process drawn in parts; {lanes} are the names
    # of the actors whose lanes hold nothing in this part
    text = ngettext(
        "Not drawn in this part, as nothing happens there: the lane of {lanes}.",
        "Not drawn in this part, as nothing happens there: the lanes of {lanes}.",
        len(lanes),
    ).format(lanes=names)
    return [Line(t, NOTE_SIZE, "note", italic=True) for t in wrap(text, width - 8, NOTE_SIZE)]


def _lines_height(lines: list[Line]) -> float:
    """The height of a text block of ``lines``, as :func:`draw_text_block` draws it."""
    return sum(line.size * 1.3 for line in lines) + 4


def _table_blocks(table: Table, name: str, caption: str) -> list[_Block]:
    """The table's caption, then one block per row (the header row repeats on every page)."""
    lines = [Line(caption, SUBTITLE_SIZE, "caption", bold=True)]

    def draw_caption(scene: Scene, x: float, y: float) -> None:
        draw_text_block(scene, f"{name}:caption", x, y, lines)

    blocks = [_Block(SUBTITLE_SIZE * 1.3 + 4, draw_caption, keep_with_next=True, caption=True)]
    for index in range(1, len(table.rows)):

        def draw(scene: Scene, x: float, y: float, index: int = index) -> None:
            table.draw(scene, name, x, y, range(index, index + 1))

        blocks.append(_Block(table.rows[index].height, draw, table=table, name=name))
    return blocks


_Placed = list[list[tuple[_Block, float, bool]]]


def _place(blocks: list[_Block], size: tuple[float, float]) -> _Placed:
    """The blocks on as few pages as they need, spread so that the last page is not left
    nearly empty: of the fillings with that many pages, the one whose fullest page is
    least full (the page breaks move up until one more would add a page).

    A drawing of a band and a half of pages then prints as two pages of three quarters,
    not a full page and a line; the number of pages never grows."""
    pages = _fill(blocks, size, size[1] - PAGE_MARGIN)
    if len(pages) < 2:
        return pages
    low, high = PAGE_MARGIN + _HEAD, size[1] - PAGE_MARGIN  # a page's usable bottom
    best = pages
    for _ in range(20):  # to a small fraction of a point
        middle = (low + high) / 2
        tried = _fill(blocks, size, middle)
        if len(tried) == len(pages):
            best, high = tried, middle
        else:
            low = middle
    return best


def _fill(blocks: list[_Block], size: tuple[float, float], bottom: float) -> _Placed:
    """The blocks top to bottom, a new page where the next does not reach above ``bottom``:
    per page, each block with its top and whether a table's header row goes above it. A
    block taller than the room has a page to itself."""
    pages: list[list[tuple[_Block, float, bool]]] = [[]]
    y = PAGE_MARGIN + _HEAD
    previous: Table | None = None
    for index, block in enumerate(blocks):
        with_head = block.table is not None and block.table is not previous
        need = block.height + (block.head if with_head else 0.0)
        if block.keep_with_next and index + 1 < len(blocks):
            following = blocks[index + 1]
            need += _GAP + following.height + following.head
        if pages[-1] and y + need > bottom:
            pages.append([])
            y = PAGE_MARGIN + _HEAD
            with_head = block.table is not None
        pages[-1].append((block, y, with_head))
        y += block.height + (block.head if with_head else 0.0)
        y += 0.0 if block.table is not None and _next_is_row(blocks, index) else _GAP
        previous = block.table
    return pages


def _draw_pages(pages: _Placed, size: tuple[float, float], running_head: str) -> list[Scene]:
    """Each page's blocks drawn, under a running head with the page's number (and the
    variant its first band belongs to)."""
    width, height = size
    scenes = []
    for number, placed in enumerate(pages, 1):
        # a band taller than the page (lanes that no detail level gets short enough) makes
        # its page longer rather than cut or shrunk
        tallest = max((y + block.height + PAGE_MARGIN for block, y, _ in placed), default=0.0)
        widest = max((block.width + 2 * PAGE_MARGIN for block, _, _ in placed), default=0.0)
        scene = Scene(
            max(width, widest),
            max(height, tallest),
            comment=f"bpr render: page {number} of {len(pages)}",
            title=running_head,
            page=True,
        )
        # the page's corners, so that Graphviz keeps the whole page with its margins
        for corner, (cx, cy) in enumerate(((0.0, 0.0), (scene.width - 1, scene.height - 1))):
            scene.box(f"page:{corner}", Rect(cx, cy, 1, 1), "", shape="point", style="invis")
        variant = next((block.label for block, _, _ in placed if block.label), "")
        # TRANSLATORS: in the running head of a page-fit drawing
        of = _("page {number} of {count}").format(
            number=numeral(str(number)), count=numeral(str(len(pages)))
        )
        head = " · ".join(t for t in (running_head, variant, of) if t)
        line = [Line(head, NOTE_SIZE, "head", italic=True)]
        draw_text_block(scene, "page:head", PAGE_MARGIN, PAGE_MARGIN - 4, line)
        for block, y, with_head in placed:
            if with_head and block.table is not None:
                block.table.draw(scene, f"{block.name}:p{number}", PAGE_MARGIN, y, range(0, 1))
                y += block.head
            block.draw(scene, PAGE_MARGIN, y)
        scenes.append(scene)
    return scenes


def _next_is_row(blocks: list[_Block], index: int) -> bool:
    return index + 1 < len(blocks) and blocks[index + 1].table is blocks[index].table


def process_pages(
    model: Model, *, page: str = "A4", orientation: str | None = None, detail: str | None = None
) -> list[Scene]:
    """One process on pages of ``page`` size (:data:`PAGE_SIZES`): the title, the bands of
    the diagram and the step table. ``orientation`` (portrait or landscape) and ``detail``
    (:data:`bpr.layout.content.DETAILS`) are chosen where not given: the fewest pages, then
    the most detail, then landscape."""
    check_size(model)
    title = shown(model.title, f"{model.service} ({model.variant})")

    def build(level: str, size: tuple[float, float]) -> list[_Block]:
        inner = size[0] - 2 * PAGE_MARGIN
        layout = _layout(model, level, {})
        blocks = [_title_block(title, headline(model), legend_note(), inner)]
        blocks += _band_blocks(model, layout, inner, "", {}, level)
        # TRANSLATORS: the caption of the table of every step, under a page-fit drawing
        caption = _("The steps in full")
        blocks += _table_blocks(step_table(model, inner), "steps", caption)
        return blocks

    return _best(page, orientation, detail, build, one_line(title))


def comparison_pages(
    as_is: Model,
    to_be: Model,
    *,
    page: str = "A4",
    orientation: str | None = None,
    detail: str | None = None,
    comparison: Comparison | None = None,
) -> list[Scene]:
    """A comparison on pages: the As-Is bands, then the To-Be bands (stacked), the legend,
    and each variant's step table with a column saying how each step changed; the
    orientation and detail are chosen as for :func:`process_pages`."""
    check_size(as_is)
    check_size(to_be)
    comparison = compare(as_is, to_be) if comparison is None else comparison
    old_marks, new_marks, old_changes, new_changes = mark_steps(comparison, as_is, to_be)
    title = f"{one_line(as_is.service)}: {one_line(as_is.variant)} → {one_line(to_be.variant)}"

    def build(level: str, size: tuple[float, float]) -> list[_Block]:
        inner = size[0] - 2 * PAGE_MARGIN
        blocks = [_title_block(title, measure_changes(comparison), "", inner)]
        for prefix, model, marks in (("a:", as_is, old_marks), ("b:", to_be, new_marks)):
            layout = _layout(model, level, marks)
            heading = shown(model.title, model.variant)
            blocks.append(_title_block(heading, headline(model), "", inner))
            side = "As-Is" if prefix == "a:" else "To-Be"
            blocks += _band_blocks(model, layout, inner, prefix, marks, level, side)
        columns = legend_columns(inner)

        def legend(scene: Scene, x: float, y: float) -> None:
            draw_legend(scene, x, y, columns=columns)

        blocks.append(_Block(legend_height(columns), legend))
        for prefix, model, changes, name in (
            ("a", as_is, old_changes, "As-Is"),
            ("b", to_be, new_changes, "To-Be"),
        ):
            table = step_table(model, inner, changes)
            # TRANSLATORS: the caption of a variant's step table; {variant} is As-Is or To-Be
            caption = _("The steps of the {variant} in full").format(variant=name)
            blocks += _table_blocks(table, f"{prefix}:steps", caption)
        return blocks

    return _best(page, orientation, detail, build, title)
