"""Where each phase of a service is drawn: a rectangle around the boxes of its steps, with
room for the phase's name at its top.

The rectangle is the boxes' extent with ``PHASE_PAD`` points of room at the sides and below
(as around a phase's ``group`` in the BPMN export) and a strip of ``PHASE_LABEL`` points at
the top for the name, which fits in a lane's padding. The name takes the leftmost place in
that strip that no box, label or flow crosses, so it never covers a step or another label.
"""

from __future__ import annotations

from dataclasses import dataclass

from bpr.core.model import Model
from bpr.core.textmetrics import text_width
from bpr.layout.engine import Layout, Rect

__all__ = ["PHASE_LABEL", "PHASE_LABEL_SIZE", "PHASE_PAD", "PhaseBox", "phase_boxes"]

PHASE_PAD = 10.0  # room between a phase's rectangle and the boxes of its steps
PHASE_LABEL = 16.0  # room for the phase's name inside its rectangle
PHASE_LABEL_SIZE = 8.5  # the name's font size, in points


@dataclass(frozen=True)
class PhaseBox:
    """One phase as drawn: its ``rect`` around the boxes of ``nodes`` (flow-net node ids),
    and ``label_rect``, the place of its ``name``, inside ``rect`` at its top (or, where
    that strip is taken, at its bottom)."""

    phase: str
    name: str
    rect: Rect
    label_rect: Rect
    nodes: tuple[str, ...]


def _overlaps(a: Rect, b: Rect) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def _segments(layout: Layout) -> list[Rect]:
    """Every straight piece of every flow, as a thin rectangle."""
    out = []
    for route in layout.edges:
        for (x1, y1), (x2, y2) in zip(route.points, route.points[1:], strict=False):
            left, top = min(x1, x2) - 1, min(y1, y2) - 1
            out.append(Rect(left, top, abs(x2 - x1) + 2, abs(y2 - y1) + 2))
    return out


def _clear_spot(strip: Rect, width: float, taken: list[Rect]) -> Rect | None:
    """The leftmost place of ``width`` points in ``strip`` that no ``taken`` rectangle touches."""
    x = strip.x
    while x + width <= strip.right + 1e-6:
        spot = Rect(x, strip.y, width, strip.height)
        hit = [r for r in taken if _overlaps(spot, r)]
        if not hit:
            return spot
        x = max(r.right for r in hit) + 2  # just past what is in the way
    return None


def phase_boxes(model: Model, layout: Layout) -> list[PhaseBox]:
    """The phases of ``model`` that have steps in ``layout``, in the order of ``phases``.

    The rectangle reaches ``PHASE_PAD`` points beyond its boxes at the sides and
    ``PHASE_LABEL`` + 2 points above them; the name stands in that top strip at the leftmost
    place no box, label or flow crosses, else in a strip added at the bottom. A model without
    phases gives an empty list, so its drawing is what it was.
    """
    if not model.phases:
        return []
    of_step = {step.id: step.phase for step in model.steps}
    members: dict[str, list[str]] = {phase: [] for phase in model.phases}
    for node_id, box in layout.nodes.items():
        phase = of_step.get(box.node.step or "")
        if phase in members:
            members[phase].append(node_id)
    taken = [box.rect for box in layout.nodes.values()]
    taken += [box.label for box in layout.nodes.values() if box.label is not None]
    taken += [route.label for route in layout.edges if route.label is not None and route.text]
    taken += _segments(layout)
    out: list[PhaseBox] = []
    for phase, nodes in members.items():
        if not nodes:
            continue
        inside = [layout.nodes[n].rect for n in nodes]
        left = min(r.x for r in inside) - PHASE_PAD
        top = min(r.y for r in inside) - PHASE_LABEL - 2
        right = max(r.right for r in inside) + PHASE_PAD
        bottom = max(r.bottom for r in inside) + PHASE_PAD
        name = model.phases[phase].name or phase
        width = min(right - left - 8, text_width(name, PHASE_LABEL_SIZE, bold=True) + 8)
        others = taken + [p.label_rect for p in out]
        strip = Rect(left + 4, top + 1, right - left - 8, PHASE_LABEL - 2)
        label = _clear_spot(strip, width, others)
        if label is None:
            low = Rect(left + 4, bottom + 1, right - left - 8, PHASE_LABEL - 2)
            label = _clear_spot(low, width, others)
            if label is not None:
                bottom += PHASE_LABEL + 2
        if label is None:  # crossed everywhere: the top left, over the flows
            label = Rect(strip.x, strip.y, width, strip.height)
        rect = Rect(left, top, right - left, bottom - top)
        out.append(PhaseBox(phase, name, rect, label, tuple(nodes)))
    return out
