"""What a diagram writes in each box: the lines of text of a step, shared by layout and DOT."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace

from bpr.analysis.flownet import FlowNet, flow_net
from bpr.analysis.table import format_number
from bpr.core.i18n import N_, current, domain, numeral
from bpr.core.model import Model, Step
from bpr.core.text import one_line
from bpr.core.textmetrics import wrap
from bpr.core.words import duration_text, hours_text

_, ngettext, pgettext = domain("diagram")

__all__ = [
    "BADGE_SIZE",
    "DETAILS",
    "DETAIL_SIZE",
    "NAME_SIZE",
    "Box",
    "Line",
    "carried_documents",
    "channel_mark",
    "diagram_net",
    "document_lines",
    "duration_text",
    "figures",
    "hours_text",
    "shown",
    "task_box",
]

NAME_SIZE = 9.0  # Graphviz rounds HTML font sizes down to whole points
DETAIL_SIZE = 8.0
BADGE_SIZE = 7.0
LINE_HEIGHT = 1.28  # line pitch as a multiple of the font size
PADDING = 7.0
TASK_WIDTH = 130.0
TASK_HEIGHT = 70.0

#: How each channel is marked in a box (the default ``internal`` is not marked), in English:
#: :func:`channel_mark` gives the mark in the output language.
CHANNEL_MARKS = {
    # TRANSLATORS: the badge of a step the applicant does in person, in capitals (written in
    # capitals here, never made with upper(): Azerbaijani İ)
    "in-person": N_("◉ IN PERSON"),
    # TRANSLATORS: the mark of a step done online (the symbol is a keyboard)
    "online": N_("⌨ online"),
    # TRANSLATORS: the mark of a step done by phone
    "phone": N_("☎ phone"),
    # TRANSLATORS: the mark of a step done by post (mail)
    "post": N_("✉ post"),
    # TRANSLATORS: the mark of a step an information system does by itself
    "automatic": N_("⚙ automatic"),
}
DOCUMENT_MARK = "▤"
#: How much a task box writes: everything, the figures and a short document list, the name.
DETAILS = ("full", "standard", "names")
DOCUMENT_LINES = {"full": 5, "standard": 2, "names": 0}


def channel_mark(channel: str) -> str:
    """How a box marks a step's channel, in the output language (``""`` for ``internal``).

    >>> channel_mark("in-person"), channel_mark("internal")
    ('◉ IN PERSON', '')
    """
    mark = CHANNEL_MARKS.get(channel)
    return _(mark) if mark else ""


def diagram_net(model: Model) -> FlowNet:
    """The model's flow net with its start and end events named in the output language, as
    a diagram lays it out and draws it (the BPMN export keeps :func:`flow_net`'s names).

    >>> import bpr
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\n"
    ...     "steps: [{id: x, actor: a}]\\n"
    ... )
    >>> [node.label for node in diagram_net(m).nodes if node.kind in ("start", "end")]
    ['Start', 'End']
    """
    net = flow_net(model)
    # TRANSLATORS: the name under the start event of a diagram
    start = pgettext("event", "Start")
    # TRANSLATORS: the name under the end event of a diagram
    end = pgettext("event", "End")
    names = {"start": start, "end": end}
    nodes = [
        replace(node, label=names[node.kind]) if node.kind in names and node.label else node
        for node in net.nodes
    ]
    return FlowNet(nodes, net.edges)


def shown(text: str | None, fallback: str) -> str:
    """The text a diagram writes for a name: one printable line, or ``fallback`` (an id)
    where nothing drawable is left, so that no box or lane is labelled with nothing.

    >>> shown("Tax\\noffice", "tax"), shown("\\x7f", "tax"), shown(None, "tax")
    ('Tax office', 'tax', 'tax')
    """
    return one_line(text or "") or fallback


@dataclass(frozen=True)
class Line:
    """One line of a box; ``role``: badge, channel, name, figures or documents."""

    text: str
    size: float
    role: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Box:
    """The lines of a task box and the size they need, in points."""

    lines: tuple[Line, ...]
    width: float
    height: float


def carried_documents(model: Model, step: Step) -> list[str]:
    """Names of the documents the applicant brings to this step (not pulled by exchange)."""
    return [
        shown(model.documents[d].name, d) if d in model.documents else d
        for d in step.needs
        if not (d in model.documents and model.documents[d].exchange)
    ]


def figures(model: Model, step: Step) -> str:
    """The key figures of a step: ``work 30m · wait 5d · fee 40,000 UZS``."""
    parts = []
    if not step.work.is_zero:
        # TRANSLATORS: the working time of a step in its box (work 30m)
        parts.append(_("work {duration}").format(duration=duration_text(step.work)))
    if not step.wait.is_zero:
        # TRANSLATORS: the waiting time before a step ends, in its box (wait 5d)
        parts.append(_("wait {duration}").format(duration=duration_text(step.wait)))
    if step.fee:
        fee = numeral(format_number(step.fee))
        if model.currency:
            # TRANSLATORS: the money the applicant pays at a step; the currency is its ISO code
            parts.append(_("fee {amount} {currency}").format(amount=fee, currency=model.currency))
        else:
            parts.append(_("fee {amount}").format(amount=fee))
    return " · ".join(parts)


def document_lines(names: list[str], width: float, max_lines: int) -> list[str]:
    """The documents a step needs, wrapped to ``width`` points in at most ``max_lines`` lines;
    a list that does not fit says how many more there are instead of being cut.

    >>> document_lines(["Passport", "Contract"], 120, 2)
    ['▤ brings: Passport, Contract']
    >>> document_lines([f"Certificate number {n}" for n in range(8)], 120, 2)
    ['▤ brings: Certificate number', '0, +7 documents']
    """
    for count in range(len(names), 0, -1):
        rest = len(names) - count
        # TRANSLATORS: the end of a list of documents that does not fit a box (+7 documents)
        more = [ngettext("+{n} document", "+{n} documents", rest).format(n=rest)] if rest else []
        # TRANSLATORS: the documents the applicant brings to a step; "▤" is the symbol of a
        # document and {documents} the list of their names, separated by commas
        text = _("▤ brings: {documents}").format(documents=", ".join(names[:count] + more))
        lines = wrap(text, width, DETAIL_SIZE)
        if len(lines) <= max_lines:
            return lines
    n = len(names)
    # TRANSLATORS: how many documents the applicant brings to a step, where their names do not
    # fit the box
    total = ngettext("▤ brings {n} document", "▤ brings {n} documents", n).format(n=n)
    return wrap(total, width, DETAIL_SIZE, max_lines=max_lines) if max_lines else []


#: The boxes already made, by model (gone with it): a step's box is asked for by the layout
#: (its size) and again by the drawing, and a comparison, a report or a page-fit drawing asks
#: for the same boxes several times over.
_BOXES: weakref.WeakKeyDictionary[Model, dict[tuple[str, str | None, str, str], tuple[Step, Box]]]
_BOXES = weakref.WeakKeyDictionary()


def task_box(model: Model, step: Step, badge: str | None = None, detail: str = "full") -> Box:
    """The text of a step's box, wrapped to the box's width, and the box's size.

    ``detail`` is one of :data:`DETAILS`: ``full`` writes the figures and up to five lines of
    documents, ``standard`` up to two lines of documents, ``names`` only the badges and the
    name (the step table beside the figure holds the rest). A box is made once per model,
    step, badge, detail and output language.

    >>> import bpr
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\n"
    ...     "steps: [{id: x, name: Check the form, actor: a, channel: in-person, work: 1h}]\\n"
    ... )
    >>> [line.text for line in task_box(m, m.first).lines]
    ['◉ IN PERSON', 'Check the form', 'work 1h']
    """
    made = _BOXES.get(model)
    if made is None:
        made = _BOXES.setdefault(model, {})
    key = (step.id, badge, detail, current())
    entry = made.get(key)
    if entry is None or entry[0] is not step:  # a step replaced in the model is made again
        entry = made[key] = (step, _task_box(model, step, badge, detail))
    return entry[1]


def _task_box(model: Model, step: Step, badge: str | None, detail: str) -> Box:
    inner = TASK_WIDTH - 2 * PADDING
    lines: list[Line] = []
    if badge:
        for text in wrap(badge, inner, BADGE_SIZE, bold=True, max_lines=2):
            lines.append(Line(text, BADGE_SIZE, "badge", bold=True))
    mark = channel_mark(step.channel)
    if mark:
        lines.append(
            Line(mark, BADGE_SIZE, "channel", bold=step.is_visit, italic=not step.is_visit)
        )
    for text in wrap(shown(step.label, step.id), inner, NAME_SIZE, bold=True, max_lines=8):
        lines.append(Line(text, NAME_SIZE, "name", bold=True))
    numbers = figures(model, step) if detail != "names" else ""
    if numbers:
        for text in wrap(numbers, inner, DETAIL_SIZE, max_lines=3):
            lines.append(Line(text, DETAIL_SIZE, "figures"))
    documents = carried_documents(model, step) if detail != "names" else []
    if documents:
        for line in document_lines(documents, inner, DOCUMENT_LINES[detail]):
            lines.append(Line(line, DETAIL_SIZE, "documents", italic=True))
    height = sum(line.size * LINE_HEIGHT for line in lines) + 2 * PADDING
    return Box(tuple(lines), TASK_WIDTH, max(TASK_HEIGHT, round(height, 1)))
