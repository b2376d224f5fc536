"""Drawing a laid-out process into a scene: lanes, steps, gateways, events, flows, the title."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bpr.analysis.flownet import FlowNode
from bpr.analysis.measures import measure
from bpr.analysis.table import format_number
from bpr.core.i18n import N_, current, domain, numeral
from bpr.core.model import Model
from bpr.core.text import for_graphviz, one_line
from bpr.core.textmetrics import text_width, wrap
from bpr.layout.bands import LINK_KIND
from bpr.layout.content import Box, Line, channel_mark, shown, task_box
from bpr.layout.engine import EDGE_LABEL_SIZE, EVENT_LABEL_SIZE, LANE_LABEL_SIZE, Layout, Rect
from bpr.layout.phases import PHASE_LABEL_SIZE, phase_boxes
from bpr.render._scene import Scene

_, ngettext, pgettext = domain("diagram")

__all__ = [
    "MARGIN",
    "Mark",
    "box_styles",
    "draw_layout",
    "draw_text_block",
    "flow_text",
    "headline",
    "legend_note",
    "process_scene",
]

MARGIN = 16.0
TITLE_SIZE = 15.0
SUBTITLE_SIZE = 10.0
NOTE_SIZE = 8.0
LINK_SIZE = 7.0
INK = "#222222"
LANE_FILLS = ("#ffffff", "#f3f3f3")
HEADER_FILL = "#e4e4e4"
GROUP_FILL = "#d2d2d2"
PHASE_INK = "#555555"  # a phase's long dashes: unlike a lane's solid line or a change's mark


@dataclass(frozen=True)
class Mark:
    """How a comparison marks a step: a badge line, a fill colour and a border style."""

    badge: str
    fill: str
    style: str  # extra Graphviz node styles: "dashed", "dotted", "diagonals", or ""
    penwidth: float = 1.2
    peripheries: int = 1
    detail: str = ""  # what the badge sums up ("changed: actor, wait"), for the tooltip


def box_styles(extra: str) -> list[str]:
    """The Graphviz styles of a task box with a mark's ``extra`` style: rounded corners,
    except under corner marks (``diagonals``), which Graphviz draws on square corners only.

    >>> box_styles("dashed"), box_styles("diagonals")
    (['rounded', 'filled', 'dashed'], ['filled', 'diagonals'])
    """
    styles = ["filled"] if extra == "diagonals" else ["rounded", "filled"]
    return [*styles, extra] if extra else styles


#: The headlines already written, by model (gone with it) and language: a report draws a
#: model's own diagram and its comparisons, each headed by the same measures.
_HEADLINES: weakref.WeakKeyDictionary[Model, dict[str, str]] = weakref.WeakKeyDictionary()


def headline(model: Model) -> str:
    """The model's headline measures in one line, for a diagram's title."""
    written = _HEADLINES.get(model)
    if written is None:
        written = _HEADLINES.setdefault(model, {})
    language = current()
    if language not in written:
        written[language] = _headline(model)
    return written[language]


def _headline(model: Model) -> str:
    m = measure(model)
    parts = [
        ngettext("{n} step", "{n} steps", m.steps).format(n=m.steps),
        # TRANSLATORS: a flow from a step of one actor to a step of another
        ngettext("{n} handoff", "{n} handoffs", m.handoffs).format(n=m.handoffs),
        ngettext("{n} visit in person", "{n} visits in person", m.visits).format(n=m.visits),
        # TRANSLATORS: certificates the applicant has to collect from offices
        ngettext(
            "{n} certificate to collect", "{n} certificates to collect", m.certificates
        ).format(n=m.certificates),
        # TRANSLATORS: calendar days of 24 hours, with a fraction (39.09): an abbreviated unit
        # reads right after any number
        _("lead time {days} days").format(days=numeral(format_number(m.lead_time_days))),
        # TRANSLATORS: the hours of the applicant's own time one case takes
        _("applicant {hours} h").format(hours=numeral(format_number(m.applicant_hours))),
    ]
    if m.fees:
        fees = numeral(format_number(m.fees))
        if model.currency:
            # TRANSLATORS: all the money the applicant pays; the currency is its ISO code
            parts.append(_("fees {amount} {currency}").format(amount=fees, currency=model.currency))
        else:
            parts.append(_("fees {amount}").format(amount=fees))
    return " · ".join(parts)


def _font(
    text: str, size: float, *, bold: bool = False, italic: bool = False, color: str = ""
) -> str:
    inner = for_graphviz(text)
    if not inner:
        return ""  # Graphviz refuses an empty FONT element; callers fall back to an id
    if italic:
        inner = f"<I>{inner}</I>"
    if bold:
        inner = f"<B>{inner}</B>"
    colour = f' COLOR="{color}"' if color else ""
    return f'<FONT POINT-SIZE="{size:g}"{colour}>{inner}</FONT>'


def _lines_html(lines: list[Line] | tuple[Line, ...], align: str = "CENTER") -> str:
    out = []
    for line in lines:
        text = _font(line.text, line.size, bold=line.bold, italic=line.italic)
        if not text:
            continue
        out.append(text)
        out.append(f'<BR ALIGN="{align}"/>' if align != "CENTER" else "<BR/>")
    if align == "CENTER" and out:
        out.pop()  # no empty last line
    return "".join(out)


def draw_text_block(
    scene: Scene, name: str, x: float, y: float, lines: list[Line], width: float | None = None
) -> float:
    """Left-aligned lines of text with their top-left corner at (x, y); returns the height."""
    height = sum(line.size * 1.3 for line in lines) + 4
    widest = max((text_width(line.text, line.size, bold=line.bold) for line in lines), default=0.0)
    w = width if width is not None else widest + 8
    scene.box(name, Rect(x, y, w, height), _lines_html(lines, "LEFT"), shape="plaintext")
    return height


def title_lines(title: str, subtitle: str, note: str = "", width: float = 0.0) -> list[Line]:
    """The title, its headline measures and a note, wrapped to ``width`` points if given."""
    lines = []
    limit = width if width > 0 else 1e9
    for text in wrap(title, limit, TITLE_SIZE, bold=True, max_lines=2):
        lines.append(Line(text, TITLE_SIZE, "title", bold=True))
    for text in wrap(subtitle, limit, SUBTITLE_SIZE, max_lines=3):
        lines.append(Line(text, SUBTITLE_SIZE, "subtitle"))
    if note:
        for text in wrap(note, limit, NOTE_SIZE, max_lines=3):
            lines.append(Line(text, NOTE_SIZE, "note", italic=True))
    return lines


def legend_note() -> str:
    """The key under a diagram's title: what the marks of its boxes and gateways mean."""
    # TRANSLATORS: the key under a diagram's title; {in_person} is the badge of a step done in
    # person (◉ IN PERSON), ▤ the symbol of a document, × and + the symbols of the gateways
    return _(
        "{in_person} and a bold border: the applicant goes in person · "
        "▤ documents the applicant brings · × decision · + parallel split or join"
    ).format(in_person=channel_mark("in-person"))


def process_scene(model: Model, layout: Layout) -> Scene:
    """The diagram of one process: title, headline measures, lanes and flow."""
    title = shown(model.title, f"{model.service} ({model.variant})")
    lines = title_lines(title, headline(model), legend_note(), max(layout.width, 500))
    title_height = sum(line.size * 1.3 for line in lines) + 4
    top = MARGIN + title_height + 10
    scene = Scene(
        layout.width + 2 * MARGIN,
        top + layout.height + MARGIN,
        comment=f"bpr render: {model.service} ({model.variant})",
        title=one_line(model.title),
    )
    draw_text_block(scene, "title", MARGIN, MARGIN, lines)
    draw_layout(scene, model, layout, MARGIN, top)
    return scene


#: What a flow's tooltip calls a gateway (English; translated where used).
_GATEWAY_NAMES = {
    # TRANSLATORS: an exclusive gateway (×) in a flow's tooltip: "decision → Pay the fee"
    "xor": N_("decision"),
    # TRANSLATORS: the gateway (×) where the ways out of a decision meet again
    "merge": N_("merge"),
    # TRANSLATORS: the gateway (+) where parallel work starts
    "and-split": N_("parallel split"),
    # TRANSLATORS: the gateway (+) where parallel work ends
    "and-join": N_("parallel join"),
}


def _node_name(model: Model, node: FlowNode) -> str:
    """What a reader calls a node of the flow: the step's name, Start, End, "decision"."""
    if node.kind == "task" and node.step is not None:
        return shown(model.step(node.step).label, node.step)
    if node.label:
        return node.label
    return _(_GATEWAY_NAMES[node.kind]) if node.kind in _GATEWAY_NAMES else node.kind


def draw_layout(
    scene: Scene,
    model: Model,
    layout: Layout,
    ox: float,
    oy: float,
    *,
    prefix: str = "",
    marks: Mapping[str, Mark] | None = None,
    detail: str = "full",
) -> None:
    """Draw a layout with its top-left corner at (ox, oy); node names get ``prefix``; task
    boxes write what ``detail`` asks for (see :func:`bpr.layout.content.task_box`)."""
    marks = marks or {}

    def at(rect: Rect) -> Rect:
        return Rect(rect.x + ox, rect.y + oy, rect.width, rect.height)

    group_of: dict[str, str] = {}
    for group in layout.groups:
        band = scene.band(
            f"{prefix}group_{len(group_of)}",
            at(group.rect),
            style="solid",
            color=INK,
            penwidth="1.4",
            tooltip=shown(group.agency, group.lanes[0]),
        )
        for actor_id in group.lanes:
            group_of[actor_id] = band
        agency = shown(group.agency, group.lanes[0])
        label = wrap(agency, group.label_rect.width - 14, LANE_LABEL_SIZE, bold=True)
        scene.box(
            f"{prefix}agency_{len(group_of)}",
            at(group.label_rect),
            _lines_html([Line(t, LANE_LABEL_SIZE, "group", bold=True) for t in label]),
            cluster=band,
            shape="box",
            style="filled",
            fillcolor=GROUP_FILL,
            color=INK,
        )
    lane_band: dict[str, str] = {}
    for index, lane in enumerate(layout.lanes):
        lane_cluster = scene.band(
            f"{prefix}lane_{index}",
            at(lane.rect),
            parent=group_of.get(lane.actor),
            style="filled",
            fillcolor=LANE_FILLS[index % 2],
            color=INK,
            tooltip=lane.label,
        )
        lane_band[lane.actor] = lane_cluster
        actor = model.actors.get(lane.actor)
        label_rect = lane.label_rect or Rect(
            lane.rect.x, lane.rect.y, layout.header_width, lane.rect.height
        )
        lines = [
            Line(t, LANE_LABEL_SIZE, "lane")
            for t in wrap(lane.label, label_rect.width - 14, LANE_LABEL_SIZE, max_lines=6)
        ]
        if actor is not None and actor.agency and not layout.groups:
            # a compact layout has no agency column: the agency stands under the lane's name
            for text in wrap(shown(actor.agency, lane.actor), label_rect.width - 14, NOTE_SIZE):
                lines.append(Line(text, NOTE_SIZE, "agency", italic=True))
        if actor is not None and actor.is_applicant:
            # TRANSLATORS: under the name of the applicant's lane
            lines.append(Line(_("(applicant)"), NOTE_SIZE, "lane", italic=True))
        scene.box(
            f"{prefix}lane_label_{index}",
            at(label_rect),
            _lines_html(lines),
            cluster=lane_cluster,
            shape="box",
            style="filled",
            fillcolor=HEADER_FILL,
            color=INK,
        )

    for node_id, box in layout.nodes.items():
        node = box.node
        name = prefix + node_id
        cluster = lane_band.get(node.lane)
        rect = at(box.rect)
        if node.kind == "task" and node.step is not None:
            step = model.step(node.step)
            mark = marks.get(step.id)
            content: Box = task_box(model, step, mark.badge if mark else None, detail=detail)
            styles = box_styles(mark.style if mark else "")
            penwidth = 2.8 if step.is_visit else 1.2
            if mark:
                penwidth = max(penwidth, mark.penwidth)
            attrs = {
                "shape": "box",
                "style": ",".join(styles),
                "fillcolor": mark.fill if mark else "#ffffff",
                "color": INK,
                "penwidth": f"{penwidth:g}",
                # The whole name, also where the box cuts it (the scene escapes it as an
                # escString, which Graphviz reads twice).
                "tooltip": f"{step.label} ({mark.detail})" if mark and mark.detail else step.label,
            }
            if mark and mark.peripheries > 1:
                attrs["peripheries"] = str(mark.peripheries)
            scene.box(name, rect, _lines_html(content.lines), cluster=cluster, **attrs)
        elif node.kind == LINK_KIND:
            # A link event where a flow leaves one band and goes on in the next: an
            # intermediate event (double ring) with the letter both ends share.
            scene.box(
                name,
                rect,
                _font(node.label, LINK_SIZE, bold=True),
                cluster=cluster,
                shape="circle",
                style="filled",
                fillcolor="#ffffff",
                color=INK,
                penwidth="1",
                peripheries="2",
                # TRANSLATORS: the tooltip of a link event; {link} is its letter (A, B...)
                tooltip=_("continued at {link}").format(link=node.label),
            )
        elif node.kind in ("start", "end"):
            scene.box(
                name,
                rect,
                "",
                cluster=cluster,
                shape="circle",
                style="filled",
                fillcolor="#ffffff",
                color=INK,
                penwidth="1.5" if node.kind == "start" else "3.5",
            )
            if box.label is not None and node.label:
                scene.box(
                    f"{name}:label",
                    at(box.label),
                    _font(node.label, EVENT_LABEL_SIZE),
                    cluster=cluster,
                    shape="plaintext",
                )
        else:
            symbol = "×" if node.kind in ("xor", "merge") else "+"
            scene.box(
                name,
                rect,
                _font(symbol, 20 if symbol == "×" else 22, bold=True),
                cluster=cluster,
                shape="diamond",
                style="filled",
                fillcolor="#ffffff",
                color=INK,
                penwidth="1.4",
            )
    _draw_phases(scene, model, layout, at, prefix)
    node_names = {node_id: _node_name(model, box.node) for node_id, box in layout.nodes.items()}
    for index, route in enumerate(layout.edges):
        points = tuple((x + ox, y + oy) for x, y in route.points)
        tip = f"{node_names[route.edge.source]} → {node_names[route.edge.target]}"
        text = flow_text(route.text, route.edge.p)
        if text:
            tip += f" ({text})"
        scene.line(prefix + route.edge.source, prefix + route.edge.target, points, tooltip=tip)
        if route.label is not None and text:
            scene.box(
                f"{prefix}flow_label_{index}",
                at(route.label),
                _font(text, EDGE_LABEL_SIZE, italic=True),
                shape="box",
                style="filled",
                fillcolor="#ffffff",
                color="#ffffff",
                penwidth="0",
            )


_PERCENT = re.compile(r"\d+(?:\.\d+)?%$")


def flow_text(text: str, p: float | None) -> str:
    """The label of a flow out of a decision (:func:`bpr.layout.engine.edge_text`: the
    condition, as the model writes it, and the probability) with the probability written in
    the output language's way.

    >>> from bpr.core.i18n import use
    >>> with use("ru"):
    ...     flow_text("papers in order 12.5%", 0.125)
    'papers in order 12,5%'
    """
    if p is None:
        return text
    return _PERCENT.sub(lambda match: numeral(match.group(0)), text)


def _draw_phases(
    scene: Scene, model: Model, layout: Layout, at: Callable[[Rect], Rect], prefix: str
) -> None:
    """Each phase as an unfilled rectangle of long grey dashes around its steps' boxes, its
    name in bold at the rectangle's top (see :func:`bpr.layout.phases.phase_boxes`)."""
    for box in phase_boxes(model, layout):
        # TRANSLATORS: the tooltip of a phase's rectangle; {name} is the phase's name
        tip = _("Phase: {name}").format(name=box.name)
        scene.box(
            f"{prefix}phase_{box.phase}",
            at(box.rect),
            "",
            shape="box",
            style="dashed,rounded",
            color=PHASE_INK,
            penwidth="1.6",
            tooltip=tip,
        )
        scene.box(
            f"{prefix}phase_label_{box.phase}",
            at(box.label_rect),
            _font(box.name, PHASE_LABEL_SIZE, bold=True, color=PHASE_INK),
            shape="plaintext",
            tooltip=tip,
        )
