"""Breaking a wide layout into bands that fit a page, joined by link events.

A process runs from left to right, so a long one is wider than any page. :func:`split_bands`
cuts a :class:`~bpr.layout.engine.Layout` between its columns into bands no wider than a given
width. Each band is a layout of its own with every lane and its header, so it is drawn as the
whole process is. A flow that crosses a cut ends in a small circle with a letter at the edge
of one band and starts again from a circle with the same letter at the edge of the next (the
BPMN link events: throw and catch), at the same height. The cuts make the bands as even as
they can be in as few bands as fit, so that none is a remnant of one step. :func:`fit_lanes`
then takes out of a band the lanes where none of it lies and shortens the others to what
lies in them, so that short bands share a page.

>>> import bpr
>>> from bpr.layout.engine import layout_model
>>> whole = layout_model(bpr.load("models/income-tax-return/as-is.yaml"))
>>> bands = split_bands(whole, 800)
>>> len(bands) > 1 and all(band.width <= 800 for band in bands)
True
"""

from __future__ import annotations

import bisect
import gc
import heapq
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bpr.analysis.flownet import FlowEdge, FlowNode
from bpr.layout.engine import EdgeRoute, GroupBox, LaneBox, Layout, NodeBox, Rect

__all__ = ["LINK_KIND", "LINK_RADIUS", "fit_lanes", "link_name", "split_bands"]

#: The ``kind`` of the flow-net nodes that stand for link events at the cut edges of a band.
LINK_KIND = "link"
LINK_RADIUS = 7.0
_LINK_GAP = 6.0  # between a band's cut and its first link circle
_LINK_STEP = 2 * LINK_RADIUS + 4  # between two circles that would touch, further out
_DEPTHS = 3  # circles side by side that the width of a band allows for (more may touch)
_LANE_PAD = 10.0  # kept above and below what lies in a lane that :func:`fit_lanes` shortens
_LINE_ROOM = 2.0  # kept on each side of a flow running along a lane


@dataclass(frozen=True)
class _Crossing:
    """Where a flow crosses cut ``cut`` (between band ``cut`` and band ``cut + 1``)."""

    cut: int
    x: float
    y: float
    rightwards: bool
    letter: str


def link_name(index: int) -> str:
    """The letter of the ``index``-th link: A to Z, then A1 to Z1, and so on.

    >>> link_name(0), link_name(25), link_name(26)
    ('A', 'Z', 'A1')
    """
    letter = chr(ord("A") + index % 26)
    return letter if index < 26 else f"{letter}{index // 26}"


def split_bands(layout: Layout, width: float) -> list[Layout]:
    """The layout in bands no wider than ``width`` points (where one column is not wider
    itself), cut in the free channels between columns; a layout that fits stays whole.

    The cost grows as n log n with the layout: every box, route and crossing is sorted or
    looked up once by its position, never rescanned per band or per cut.
    """
    if layout.width <= width:
        return [layout]
    # Many small objects and no cycles among them: the cyclic collector, run again and
    # again over the whole layout, would make the cost grow faster than the layout.
    collecting = gc.isenabled()
    gc.disable()
    try:
        cuts = _cuts(layout, width)
        if not cuts:
            return [layout]
        ranges = list(itertools.pairwise([layout.header_width, *cuts, layout.width]))
        crossings = _crossings(layout, cuts)
        nodes, routes, sides = _by_band(layout, cuts, crossings)
        return [
            _band(layout, index, ranges, crossings, nodes[index], routes[index], sides[index])
            for index in range(len(ranges))
        ]
    finally:
        if collecting:
            gc.enable()


def fit_lanes(
    band: Layout, floors: Mapping[str, float] | None = None
) -> tuple[Layout, list[LaneBox]]:
    """The band without the lanes in which none of it lies (no box, name, label or flow
    running along the lane; a flow only passing down through a lane does not keep it), and
    those lanes, in order. With ``floors`` (the height each lane's header needs, by actor),
    each lane left is also only as tall as what lies in it in this band, or its header,
    needs: room kept for steps in other bands goes. What lies in a lane moves as one, so
    nothing in it changes but its height on the page.

    A band of a long process often holds the steps of two or three actors: without the
    rest, the band is short enough to share its page with the next one.

    >>> import bpr
    >>> from bpr.layout.engine import layout_model
    >>> whole = layout_model(bpr.load("models/business-registration/as-is.yaml"), compact=True)
    >>> first = split_bands(whole, 700)[0]
    >>> kept, left_out = fit_lanes(first)
    >>> len(kept.lanes) + len(left_out) == len(first.lanes), kept.height < first.height
    (True, True)
    """
    lanes = band.lanes
    if not lanes:
        return band, []
    tops = [lane.rect.y for lane in lanes]

    def lane_of(y: float) -> int:
        return max(0, min(len(lanes) - 1, bisect.bisect_right(tops, y) - 1))

    # what lies in each lane: the lowest and highest y of it
    extent: list[list[float]] = [[] for _ in lanes]

    def put(top: float, bottom: float) -> None:
        for index in range(lane_of(top), lane_of(bottom) + 1):
            lane = lanes[index].rect
            if lane.y < bottom and top < lane.bottom:
                extent[index] += [max(top, lane.y), min(bottom, lane.bottom)]

    for box in band.nodes.values():
        put(box.rect.y, box.rect.bottom)
        if box.label is not None:
            put(box.label.y, box.label.bottom)
    for route in band.edges:
        if route.label is not None:
            put(route.label.y, route.label.bottom)
        for a, b in itertools.pairwise(route.points):
            if a[1] == b[1] and a[0] != b[0]:  # along a lane, not through it
                put(a[1] - _LINE_ROOM, a[1] + _LINE_ROOM)
    # each lane's new top and height, and the new place of what lies in it
    pieces: list[tuple[float, float, float, float, float, float]] = []
    y = lanes[0].rect.y
    for lane, ys in zip(lanes, extent, strict=True):
        low, high = lane.rect.y, lane.rect.bottom
        if not ys:
            pieces.append((low, high, low, low, y, 0.0))
            continue
        c0, c1 = max(low, min(ys) - _LANE_PAD), min(high, max(ys) + _LANE_PAD)
        height = lane.rect.height
        if floors is not None:
            height = min(height, max(floors.get(lane.actor, height), c1 - c0))
        pieces.append((low, high, c0, c1, y, height))
        y += height
    if all(ys for ys in extent) and all(p[5] == p[1] - p[0] for p in pieces):
        return band, []
    if not any(extent):  # nothing in any lane: nothing to fit to
        return band, []
    removed = band.lanes[-1].rect.bottom - y

    def moved_y(value: float) -> float:
        low, high, c0, c1, top, height = pieces[lane_of(value)]
        if height == 0.0:
            return top
        # what lies in the lane keeps its place where the lane keeps its height; else the
        # room above and below it shrinks in proportion
        slack = (high - low) - (c1 - c0)
        start = top + ((c0 - low) * (height - (c1 - c0)) / slack if slack > 0 else 0.0)
        if value < c0:  # a flow passing down above it: squeezed into the room left
            return top + (value - low) * (start - top) / (c0 - low)
        if value > c1:
            end = start + (c1 - c0)
            return end + (value - c1) * (top + height - end) / (high - c1)
        return start + (value - c0)

    def moved(rect: Rect) -> Rect:
        """A box moved as its middle is (a link circle stays on its flow's line)."""
        middle = rect.y + rect.height / 2
        return Rect(rect.x, rect.y + moved_y(middle) - middle, rect.width, rect.height)

    kept_lanes = []
    for lane, piece in zip(lanes, pieces, strict=True):
        top, height = piece[4], piece[5]
        if height == 0.0:
            continue
        label = lane.label_rect
        kept_lanes.append(
            replace(
                lane,
                rect=Rect(lane.rect.x, top, lane.rect.width, height),
                label_rect=Rect(label.x, top, label.width, height) if label is not None else None,
            )
        )
    nodes = {
        node_id: NodeBox(
            box.node, moved(box.rect), moved(box.label) if box.label is not None else None
        )
        for node_id, box in band.nodes.items()
    }
    edges = [
        replace(
            route,
            points=tuple((x, moved_y(y)) for x, y in route.points),
            label=moved(route.label) if route.label is not None else None,
        )
        for route in band.edges
    ]
    placed = {lane.actor: lane for lane in kept_lanes}
    groups = []
    for group in band.groups:
        members = [placed[actor] for actor in group.lanes if actor in placed]
        if not members:
            continue
        top = min(lane.rect.y for lane in members)
        bottom = max(lane.rect.bottom for lane in members)
        label = Rect(group.label_rect.x, top, group.label_rect.width, bottom - top)
        rect = Rect(group.rect.x, top, group.rect.width, bottom - top)
        groups.append(GroupBox(group.agency, rect, label, tuple(m.actor for m in members)))
    left_out = [lane for lane, piece in zip(lanes, pieces, strict=True) if piece[5] == 0.0]
    fitted = Layout(
        band.width, band.height - removed, kept_lanes, nodes, edges, groups, band.header_width
    )
    return fitted, left_out


def _by_band(
    layout: Layout, cuts: list[float], crossings: dict[tuple[int, int], _Crossing]
) -> tuple[list[list[str]], list[list[int]], list[dict[str, list[_Crossing]]]]:
    """Per band: its nodes (by their centre, in the layout's order), the routes that may
    have a stretch in it (in the layout's order) and the crossings at its left and right cut
    (in the order of the flows)."""
    count = len(cuts) + 1
    nodes: list[list[str]] = [[] for _ in range(count)]
    header = layout.header_width
    for node_id, box in layout.nodes.items():
        centre = box.rect.center[0]
        if centre >= header:  # left of the first band's start: in no band, as before
            nodes[bisect.bisect_right(cuts, centre)].append(node_id)
    routes: list[list[int]] = [[] for _ in range(count)]
    for number, route in enumerate(layout.edges):
        xs = [x for x, _ in route.points]
        # every band whose closed range meets the route's: only there can it have a stretch
        first = bisect.bisect_left(cuts, min(xs))
        last = bisect.bisect_right(cuts, max(xs))
        for index in range(first, last + 1):
            routes[index].append(number)
    sides: list[dict[str, list[_Crossing]]] = [{"left": [], "right": []} for _ in range(count)]
    for crossing in crossings.values():
        sides[crossing.cut]["right"].append(crossing)
        sides[crossing.cut + 1]["left"].append(crossing)
    return nodes, routes, sides


def _margin(depth: int) -> float:
    return _LINK_GAP + depth * _LINK_STEP


def _cuts(layout: Layout, width: float) -> list[float]:
    """Cut positions, each in a gap between columns and away from every vertical line."""
    spans = []
    for box in layout.nodes.values():
        spans.append((box.rect.x, box.rect.right))
        if box.label is not None:
            spans.append((box.label.x, box.label.right))
    for route in layout.edges:
        if route.label is not None:
            spans.append((route.label.x, route.label.right))
    spans.sort()
    merged: list[list[float]] = []
    for low, high in spans:
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    verticals = sorted(
        {
            a[0]
            for route in layout.edges
            for a, b in itertools.pairwise(route.points)
            if a[0] == b[0]
        }
    )
    candidates = []
    for (_, left), (right, _) in itertools.pairwise(merged):
        lines = verticals[
            bisect.bisect_right(verticals, left) : bisect.bisect_left(verticals, right)
        ]
        inside = [left, *lines, right]
        a, b = max(itertools.pairwise(inside), key=lambda pair: pair[1] - pair[0])
        if b - a > 4:
            candidates.append((a + b) / 2)
    candidates.sort()
    room = _rooms(layout, candidates)
    cuts, fits = _greedy(layout, candidates, room, width)
    if not cuts or not fits:
        return cuts
    # As few bands as the greedy cutting needs, but as even as they can be: the narrowest
    # width at which the same cutting still needs no more bands (10 columns on 3 pages as
    # 4-3-3, not 4-4-2), so that no band is a remnant of one or two steps.
    low, high = 0.0, width
    while high - low > 1.0:
        middle = (low + high) / 2
        tried, tried_fits = _greedy(layout, candidates, room, middle)
        if tried_fits and len(tried) <= len(cuts):
            cuts, high = tried, middle
        else:
            low = middle
    return cuts


def _greedy(
    layout: Layout, candidates: list[float], room: dict[float, float], width: float
) -> tuple[list[float], bool]:
    """Cuts that make each band as wide as fits in ``width``, left to right, and whether
    every band fits (False where a column, with its link circles, is wider itself)."""
    header = layout.header_width
    cuts: list[float] = []
    fits = True
    start = header
    after = 0  # the first candidate right of ``start``
    while True:
        left_room = room[start] if cuts else 0.0
        rest_fits = header + left_room + (layout.width - start) <= width
        if rest_fits:
            return cuts, fits
        while after < len(candidates) and candidates[after] <= start:
            after += 1
        if after == len(candidates):
            return cuts, False
        # the last candidate whose band fits; none past the width itself (room >= 0)
        cut = candidates[after]
        fitting = False
        for c in itertools.islice(candidates, after, None):
            if header + left_room + (c - start) > width:
                break
            if header + left_room + (c - start) + room[c] <= width:
                cut, fitting = c, True
        fits = fits and fitting
        cuts.append(cut)
        start = cut


def _levels(ys: list[float]) -> list[int]:
    """How far out each link circle of one side goes (0 is next to the cut), for circles in
    order of height: circles that would touch go further out, up to :data:`_DEPTHS` deep."""
    lowest: dict[int, float] = {}  # the last (lowest) circle placed at each depth so far
    levels = []
    for y in ys:
        level = 0
        while level < _DEPTHS - 1 and level in lowest and y - lowest[level] < 2 * LINK_RADIUS + 2:
            level += 1
        lowest[level] = y
        levels.append(level)
    return levels


def _rooms(layout: Layout, cuts: list[float]) -> dict[float, float]:
    """The width the link circles of a cut at each of ``cuts`` (ascending) need on one side
    of it, found in one sweep over the horizontal stretches of the routes."""
    stretches = sorted(
        (min(a[0], b[0]), max(a[0], b[0]), a[1])
        for route in layout.edges
        for a, b in itertools.pairwise(route.points)
        if a[1] == b[1] and a[0] != b[0]
    )
    open_: dict[int, float] = {}  # the stretches around the current cut: number -> height
    ends: list[tuple[float, int]] = []
    following = 0
    room: dict[float, float] = {}
    for cut in cuts:
        while following < len(stretches) and stretches[following][0] < cut:
            _, high, y = stretches[following]
            open_[following] = y
            heapq.heappush(ends, (high, following))
            following += 1
        while ends and ends[0][0] <= cut:
            open_.pop(heapq.heappop(ends)[1])
        ys = sorted(open_.values())
        room[cut] = _margin(max(_levels(ys)) + 1) + 2 * LINK_RADIUS if ys else 0.0
    return room


def _crossings(layout: Layout, cuts: list[float]) -> dict[tuple[int, int], _Crossing]:
    """Every crossing of a flow with a cut, keyed by (flow, ordinal along the flow)."""
    found: dict[tuple[int, int], _Crossing] = {}
    count = 0
    for index, route in enumerate(layout.edges):
        ordinal = 0
        for (ax, ay), (bx, _) in itertools.pairwise(route.points):
            if ax == bx:
                continue
            low, high = (
                bisect.bisect_right(cuts, min(ax, bx)),
                bisect.bisect_left(cuts, max(ax, bx)),
            )
            hits = range(low, high) if bx > ax else range(high - 1, low - 1, -1)
            for cut in hits:
                found[(index, ordinal)] = _Crossing(cut, cuts[cut], ay, bx > ax, link_name(count))
                ordinal += 1
                count += 1
    return found


def _band(
    layout: Layout,
    index: int,
    ranges: list[tuple[float, float]],
    crossings: dict[tuple[int, int], _Crossing],
    own_nodes: list[str],
    own_routes: list[int],
    sides: dict[str, list[_Crossing]],
) -> Layout:
    x0, x1 = ranges[index]
    first, last = index == 0, index == len(ranges) - 1
    header = layout.header_width
    # Circles on each side, moved further out where two would touch.
    depth: dict[tuple[str, str], int] = {}
    for side, items in sides.items():
        ordered = sorted(items, key=lambda c: c.y)
        for crossing, level in zip(ordered, _levels([c.y for c in ordered]), strict=True):
            depth[(side, crossing.letter)] = level
    deepest = {
        side: max((d for (s, _), d in depth.items() if s == side), default=-1) for side in sides
    }
    left_room = 0.0 if first else _margin(deepest["left"] + 1) + LINK_RADIUS * 2
    right_room = 0.0 if last else _margin(deepest["right"] + 1) + LINK_RADIUS * 2
    dx = header + left_room - x0
    width = header + left_room + (x1 - x0) + right_room

    def shift(rect: Rect) -> Rect:
        return Rect(rect.x + dx, rect.y, rect.width, rect.height)

    def lane_at(y: float) -> str:
        for lane in layout.lanes:
            if lane.rect.y <= y <= lane.rect.bottom:
                return lane.actor
        return layout.lanes[-1].actor

    nodes: dict[str, NodeBox] = {}
    for node_id in own_nodes:
        box = layout.nodes[node_id]
        label = shift(box.label) if box.label is not None else None
        nodes[node_id] = NodeBox(box.node, shift(box.rect), label)

    def circle(side: str, crossing: _Crossing) -> str:
        level = depth[(side, crossing.letter)]
        if side == "right":
            cx = x1 + dx + _margin(level) + LINK_RADIUS
        else:
            cx = x0 + dx - _margin(level) - LINK_RADIUS
        name = f"link:{crossing.letter}"
        if name not in nodes:
            rect = Rect(
                cx - LINK_RADIUS, crossing.y - LINK_RADIUS, 2 * LINK_RADIUS, 2 * LINK_RADIUS
            )
            node = FlowNode(name, LINK_KIND, lane_at(crossing.y), None, crossing.letter)
            nodes[name] = NodeBox(node, rect)
        return name

    edges: list[EdgeRoute] = []
    for number in own_routes:
        route = layout.edges[number]
        for piece, start, end in _clip(route.points, x0, x1, number, crossings, first, last):
            source = route.edge.source if start is None else circle(_side(start, index), start)
            target = route.edge.target if end is None else circle(_side(end, index), end)
            points = [(x + dx, y) for x, y in piece]
            if start is not None:
                points[0] = (_touch(nodes[source].rect, points[1][0]), points[0][1])
            if end is not None:
                points[-1] = (_touch(nodes[target].rect, points[-2][0]), points[-1][1])
            label = route.label
            keep = label is not None and x0 <= label.center[0] + 0 < x1 and start is None
            edges.append(
                EdgeRoute(
                    FlowEdge(source, target, route.edge.label, route.edge.p),
                    tuple(points),
                    route.text if keep else "",
                    shift(label) if keep and label is not None else None,
                )
            )
    lanes = [
        replace(
            lane,
            rect=Rect(0.0, lane.rect.y, width, lane.rect.height),
            label_rect=lane.label_rect,
        )
        for lane in layout.lanes
    ]
    groups = [
        GroupBox(g.agency, Rect(0.0, g.rect.y, width, g.rect.height), g.label_rect, g.lanes)
        for g in layout.groups
    ]
    return Layout(width, layout.height, lanes, nodes, edges, groups, header)


def _side(crossing: _Crossing, band: int) -> str:
    return "right" if crossing.cut == band else "left"


def _touch(rect: Rect, towards: float) -> float:
    """The x where a horizontal line from a circle towards ``towards`` leaves it."""
    return rect.right if towards > rect.center[0] else rect.x


def _clip(
    points: tuple[tuple[float, float], ...],
    x0: float,
    x1: float,
    number: int,
    crossings: dict[tuple[int, int], _Crossing],
    first: bool,
    last: bool,
) -> list[tuple[list[tuple[float, float]], _Crossing | None, _Crossing | None]]:
    """The stretches of an orthogonal polyline inside [x0, x1], each with the crossing it
    starts from and the crossing it ends at (None where it starts or ends at a node)."""
    low = float("-inf") if first else x0
    high = float("inf") if last else x1
    pieces: list[tuple[list[tuple[float, float]], _Crossing | None, _Crossing | None]] = []
    ordinal = 0
    inside = low < points[0][0] < high or low <= points[0][0] <= high
    current: list[tuple[float, float]] = [points[0]] if inside else []
    start: _Crossing | None = None
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        if ax == bx:
            if current:
                current.append((bx, by))
            continue
        step = 1 if bx > ax else -1
        cut_here = (c for c in (low, high) if min(ax, bx) < c < max(ax, bx))
        borders = sorted(cut_here, reverse=step < 0)
        # every crossing of any cut along this stretch counts, even one outside this band
        here: list[_Crossing] = []
        while (number, ordinal + len(here)) in crossings:
            crossing = crossings[(number, ordinal + len(here))]
            if crossing.y != ay or not min(ax, bx) < crossing.x < max(ax, bx):
                break
            here.append(crossing)
        passed = len(here)
        for border in borders:
            crossing = next(c for c in here if c.x == border)
            if current:  # leaving the band
                current.append((border, ay))
                pieces.append((current, start, crossing))
                current = []
            else:  # entering it
                current = [(border, ay)]
                start = crossing
        if current:
            current.append((bx, by))
        ordinal += passed
    if current and len(current) > 1:
        pieces.append((current, start, None))
    return [(_dedupe(p), s, e) for p, s, e in pieces if len(_dedupe(p)) > 1]


def _dedupe(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for point in points:
        if not out or out[-1] != point:
            out.append(point)
    return out
