"""The step table of a page-fit drawing: what the boxes leave out, one row per step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bpr.core.i18n import N_, domain
from bpr.core.model import Model, Step
from bpr.core.money import format_money
from bpr.core.text import for_graphviz
from bpr.core.textmetrics import text_width, wrap
from bpr.layout.content import carried_documents, duration_text, shown
from bpr.layout.engine import Rect
from bpr.render._compare import change_words
from bpr.render._scene import Scene

_, ngettext, pgettext = domain("diagram")

__all__ = ["TABLE_SIZE", "Row", "Table", "step_table"]

TABLE_SIZE = 8.0  # Graphviz draws HTML text in whole points
_PITCH = 1.25  # line pitch as a multiple of the size
_PAD = 3.0  # inside a cell
_RULE = "#9a9a9a"
_HEAD_FILL = "#e4e4e4"
_STRIPE = ("#ffffff", "#f3f3f3")
#: The headers of the step table's columns, and of the last one of a comparison.
_HEADS = (
    # TRANSLATORS: a column of the step table: the step's name
    N_("Step"),
    # TRANSLATORS: a column of the step table: who performs the step
    N_("Actor"),
    # TRANSLATORS: a column of the step table: in person, online, by phone...
    N_("Channel"),
    # TRANSLATORS: a column of the step table: the step's working time
    N_("Work"),
    # TRANSLATORS: a column of the step table: the waiting time before the step ends
    N_("Wait"),
    # TRANSLATORS: a column of the step table: the money paid at the step
    N_("Fee"),
    N_("Documents the applicant brings"),
)
# TRANSLATORS: the last column of a comparison's step table: how the step changed
_CHANGE_HEAD = N_("Change")


def _channel(channel: str) -> str:
    """A channel in words, in a cell of the table (the format's value where it is unknown)."""
    if channel == "in-person":
        # TRANSLATORS: a step's channel, in a table cell: the applicant comes in person
        return pgettext("channel", "in person")
    if channel == "online":
        return pgettext("channel", "online")
    if channel == "phone":
        # TRANSLATORS: a step's channel, in a table cell: by phone
        return pgettext("channel", "phone")
    if channel == "post":
        # TRANSLATORS: a step's channel, in a table cell: by post (mail)
        return pgettext("channel", "post")
    if channel == "automatic":
        # TRANSLATORS: a step's channel, in a table cell: an information system does it
        return pgettext("channel", "automatic")
    if channel == "internal":
        # TRANSLATORS: a step's channel, in a table cell: inside the agency, no contact with
        # the applicant
        return pgettext("channel", "internal")
    return channel


@dataclass(frozen=True)
class Row:
    """One row: its cells' lines and its height in points."""

    cells: tuple[tuple[str, ...], ...]
    height: float
    head: bool = False


@dataclass(frozen=True)
class Table:
    """A table laid out for a width: column widths and rows, split across pages by rows."""

    widths: tuple[float, ...]
    rows: tuple[Row, ...]

    @property
    def width(self) -> float:
        return sum(self.widths)

    def draw(self, scene: Scene, name: str, x: float, y: float, rows: range) -> float:
        """Draw ``rows`` (0 is the header row) with the top-left corner at (x, y); returns
        the height drawn."""
        top = y
        for index in rows:
            row = self.rows[index]
            fill = _HEAD_FILL if row.head else _STRIPE[index % 2]
            scene.box(
                f"{name}:row{index}",
                Rect(x, y, self.width, row.height),
                "",
                shape="box",
                style="filled",
                fillcolor=fill,
                color=_RULE,
                penwidth="0.5",
            )
            cx = x
            for column, (lines, width) in enumerate(zip(row.cells, self.widths, strict=True)):
                if any(lines):
                    label = "".join(
                        f'<FONT POINT-SIZE="{TABLE_SIZE:g}">'
                        f"{f'<B>{for_graphviz(t)}</B>' if row.head else for_graphviz(t)}"
                        '</FONT><BR ALIGN="LEFT"/>'
                        for t in lines
                        if for_graphviz(t)
                    )
                    # as wide as its text, at the cell's left: Graphviz centres a label
                    widest = max(text_width(t, TABLE_SIZE, bold=row.head) for t in lines) + 2
                    scene.box(
                        f"{name}:row{index}:c{column}",
                        Rect(
                            cx + _PAD,
                            y + _PAD / 2,
                            min(widest, width - 2 * _PAD),
                            row.height - _PAD,
                        ),
                        label,
                        shape="plaintext",
                    )
                cx += width
            y += row.height
        return y - top


def _row(texts: list[str], widths: list[float], *, head: bool = False) -> Row:
    cells = tuple(
        tuple(wrap(t, w - 2 * _PAD - 2, TABLE_SIZE, bold=head))
        for t, w in zip(texts, widths, strict=True)
    )
    lines = max(len(c) for c in cells)
    return Row(cells, lines * TABLE_SIZE * _PITCH + 2 * _PAD, head)


def step_table(model: Model, width: float, changes: Mapping[str, str] | None = None) -> Table:
    """The steps of ``model`` in file order with their actor, channel, figures and every
    document, at ``width`` points; ``changes`` adds a column saying how each step changed."""
    heads = [_(head) for head in _HEADS]
    shares = [0.25, 0.15, 0.09, 0.08, 0.08, 0.09, 0.26]
    if changes is not None:
        heads.append(_(_CHANGE_HEAD))
        shares = [0.21, 0.13, 0.08, 0.07, 0.07, 0.08, 0.2, 0.16]
    widths = [width * share for share in shares]
    rows = [_row(heads, widths, head=True)]
    for step in model.steps:
        rows.append(_row(_cells(model, step, changes), widths))
    return Table(tuple(widths), tuple(rows))


def _cells(model: Model, step: Step, changes: Mapping[str, str] | None) -> list[str]:
    actor = model.actors.get(step.actor)
    fee = format_money(step.fee, model.currency) if step.fee else ""
    cells = [
        shown(step.label, step.id),
        shown(actor.name if actor else None, step.actor),
        _channel(step.channel),
        "" if step.work.is_zero else duration_text(step.work),
        "" if step.wait.is_zero else duration_text(step.wait),
        fee,
        ", ".join(carried_documents(model, step)),
    ]
    if changes is not None:
        cells.append(changes.get(step.id) or change_words("unchanged"))
    return cells
