"""Swimlane layout of one process: lane bands, node boxes and edge routes, for diagrams and BPMN.

Coordinates are in points, with the origin at the top left and y growing downwards. Graphviz's
``dot`` decides the ranks (columns, left to right) and the order of the nodes within a rank;
this module then stacks the lanes as full-width bands in the order the actors are declared
(actors of one agency next to each other), gives each lane as many rows as it needs, and routes
every flow orthogonally through the free channels between the columns and the corridors
between the rows, so that no line crosses a box.
"""

from __future__ import annotations

import bisect
import gc
import heapq
import itertools
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from bpr.analysis.flownet import FlowEdge, FlowNet, FlowNode, flow_net
from bpr.backend.graphviz import find_program, run_graphviz
from bpr.core.model import Model
from bpr.core.text import one_line
from bpr.core.textmetrics import text_width, wrap
from bpr.errors import OutputError
from bpr.layout.content import shown, task_box

__all__ = [
    "DOT_RANKING_LIMIT",
    "EVENT_SIZE",
    "GATEWAY_SIZE",
    "MAX_STEPS",
    "TASK_HEIGHT",
    "TASK_WIDTH",
    "DiagramTooLarge",
    "EdgeRoute",
    "GroupBox",
    "LaneBox",
    "Layout",
    "NodeBox",
    "Ranking",
    "Rect",
    "check_size",
    "edge_text",
    "flow_ranks",
    "lane_header_height",
    "lane_order",
    "layout_model",
]

Ranking = Literal["auto", "dot", "flow"]

#: The most flow-net nodes (steps, gateways and events; about 800 steps) whose columns
#: ``dot`` decides in an ``"auto"`` layout; larger models are ranked from the flow net
#: (:func:`flow_ranks`). Every shipped model is far below it, and ``dot`` takes well under a
#: second there (on 2 shared cores), where it takes several seconds on an irregular model of
#: 3,000 steps and minutes, or a crash, on larger ones.
DOT_RANKING_LIMIT = 1000

#: The most steps a model may have to be laid out as a diagram. The layout grows about
#: linearly with the model past :data:`DOT_RANKING_LIMIT` (see benchmarks/RESULTS.md,
#: "Rendering"): a whole SVG of 10,000 irregular steps takes some 6 s on 2 shared cores and
#: one of 100,000 steps about a minute and a half, for a picture kilometres wide.
MAX_STEPS = 100_000

TASK_WIDTH = 130.0
TASK_HEIGHT = 70.0  # the least height of a task; boxes with more text grow
GATEWAY_SIZE = 50.0
EVENT_SIZE = 36.0

LANE_LABEL_WIDTH = 120.0  # the column at the left that names each lane
GROUP_LABEL_WIDTH = 110.0  # the column further left that names each agency
LANE_LABEL_SIZE = 10.0
EDGE_LABEL_SIZE = 8.0
EVENT_LABEL_SIZE = 8.5
_LANE_PAD = 20.0  # between a lane's border and its first or last row
COMPACT_TASK_HEIGHT = 46.0  # the least height of a task in a compact layout
COMPACT_LABEL_WIDTH = 128.0  # the one header column of a compact layout
COMPACT_LANE_PAD = 10.0
AGENCY_NOTE_SIZE = 8.0  # the agency under a lane's name in a compact layout
_ROW_GAP = 34.0  # between two rows of one lane
_CHANNEL = 40.0  # between two columns
_MARGIN = 24.0  # before the first column and after the last
_TRACK = 8.0  # between parallel lines in one channel or corridor
_TOP_OFFSET = 16.0  # tasks: loops leave at the top right of a box and arrive at the top left
_LABEL_GAP = 4.0


@dataclass(frozen=True)
class Rect:
    """A rectangle: top-left corner, width and height, in points."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)

    def contains(self, other: Rect, tolerance: float = 1e-6) -> bool:
        """Whether ``other`` lies inside this rectangle (edges included)."""
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.bottom <= self.bottom + tolerance
        )


@dataclass(frozen=True)
class LaneBox:
    """One actor's lane: a full-width band; ``label_rect`` is its name cell at the left."""

    actor: str
    label: str
    agency: str | None
    rect: Rect
    label_rect: Rect | None = None


@dataclass(frozen=True)
class GroupBox:
    """The lanes of one agency, next to each other; ``label_rect`` is the agency's name cell."""

    agency: str
    rect: Rect
    label_rect: Rect
    lanes: tuple[str, ...]


@dataclass(frozen=True)
class NodeBox:
    """Where a flow-net node is drawn; ``label`` is the place of an event's name below it."""

    node: FlowNode
    rect: Rect
    label: Rect | None = None


@dataclass(frozen=True)
class EdgeRoute:
    """A flow's waypoints from the source's boundary to the target's, and its label's place."""

    edge: FlowEdge
    points: tuple[tuple[float, float], ...]
    text: str = ""
    label: Rect | None = None


@dataclass
class Layout:
    """The whole picture: lanes top to bottom, a box per node, a route per flow."""

    width: float
    height: float
    lanes: list[LaneBox]
    nodes: dict[str, NodeBox]
    edges: list[EdgeRoute]
    groups: list[GroupBox] = field(default_factory=list)
    header_width: float = 0.0  # the label columns at the left; the flow starts after them

    def lane(self, actor: str) -> LaneBox:
        for lane in self.lanes:
            if lane.actor == actor:
                return lane
        raise KeyError(actor)


def edge_text(edge: FlowEdge) -> str:
    """The label of a flow out of a decision: its condition and probability.

    >>> edge_text(FlowEdge("xor:a", "b", "complete", 0.8)), edge_text(FlowEdge("a", "b"))
    ('complete 80%', '')
    """
    parts = []
    if edge.label:
        parts.append(one_line(edge.label))
    if edge.p is not None:
        parts.append(f"{edge.p * 100:.4g}%")
    return " ".join(parts)


def lane_order(model: Model, actors: Iterable[str]) -> list[str]:
    """The given actors in declaration order, those of one agency moved next to the first.

    >>> import bpr
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nactors:\\n"
    ...     "  a: {name: A, agency: X}\\n  b: {name: B}\\n  c: {name: C, agency: X}\\n"
    ...     "steps: [{id: s1, actor: a}, {id: s2, actor: b}, {id: s3, actor: c}]\\n"
    ... )
    >>> lane_order(m, ["a", "b", "c"])
    ['a', 'c', 'b']
    """
    used = set(actors)
    declared = [a for a in model.actors if a in used]
    declared += sorted(used - set(declared))  # defensive: lanes of unknown actors go last
    order: list[str] = []
    for actor in declared:
        if actor in order:
            continue
        agency = model.actors[actor].agency if actor in model.actors else None
        if agency is None:
            order.append(actor)
        else:
            order += [
                a
                for a in declared
                if a not in order and a in model.actors and model.actors[a].agency == agency
            ]
    return order


class DiagramTooLarge(OutputError):
    """A model has more steps than one diagram can be laid out for (:data:`MAX_STEPS`)."""


def check_size(model: Model, limit: int | None = None) -> None:
    """Raise :class:`DiagramTooLarge`, naming the limit and the fix, past ``limit`` steps
    (by default :data:`MAX_STEPS`).

    >>> import bpr
    >>> big = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\nsteps:\\n"
    ...     + "".join(f"  - {{id: s{i}, actor: a}}\\n" for i in range(4)),
    ...     "big.yaml",
    ... )
    >>> check_size(big, limit=3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bpr.layout.engine.DiagramTooLarge: big.yaml: 4 steps are too many to lay out as one ...
    """
    limit = MAX_STEPS if limit is None else limit
    count = len(model.steps)
    if count > limit:
        raise DiagramTooLarge(
            f"{model.file or '<model>'}: {count:,} steps are too many to lay out as one "
            f"diagram (the limit is {limit:,} steps, a picture kilometres wide that takes "
            "minutes to draw); split the service into stages, one model per stage, and draw "
            "each"
        )


def layout_model(
    model: Model,
    net: FlowNet | None = None,
    *,
    sizes: Mapping[str, tuple[float, float]] | None = None,
    compact: bool = False,
    ranking: Ranking = "auto",
) -> Layout:
    """Lay out a model's flow net as horizontal swimlanes; the same model gives the same layout.

    ``sizes`` overrides the (width, height) of nodes by id; by default a task is as tall as
    the text a diagram writes in it (at least ``TASK_HEIGHT``). A model of more than
    :data:`MAX_STEPS` steps raises :class:`DiagramTooLarge` at once. ``compact`` packs the
    picture for a page: one narrow header column that names each lane and its agency (no
    agency groups), tasks as low as ``COMPACT_TASK_HEIGHT`` and less padding in the lanes.

    ``ranking`` says who decides the columns and the order within them: ``"dot"``
    (Graphviz, which minimises crossings but grows faster than the model and fails on large
    irregular ones), ``"flow"`` (:func:`flow_ranks`, from the flow net itself, in time about
    linear in the model) or ``"auto"``: ``dot`` for a flow net of at most
    :data:`DOT_RANKING_LIMIT` nodes, the flow net's own ranks past it.

    >>> import bpr
    >>> lay = layout_model(bpr.load("models/property-registration/as-is.yaml"))  # doctest: +SKIP
    >>> [lane.actor for lane in lay.lanes]  # doctest: +SKIP
    ['applicant', 'notary', 'cadastre', 'tax']
    """
    check_size(model)
    net = net if net is not None else flow_net(model)
    size_of = _sizer(model, sizes or {})
    if ranking == "auto":
        ranking = "dot" if len(net.nodes) <= DOT_RANKING_LIMIT else "flow"
    # The layout makes a great many small objects and no cycles of them: Python's cyclic
    # collector, run again and again over all of them, took half of a 10,000-step layout.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Builder(model, net, size_of, compact=compact, ranking=ranking).build()
    finally:
        if collecting:
            gc.enable()


#: The ``dot -Tplain`` answers of this process by the program and the DOT text, most recent
#: last: the ranking depends only on the flow net, so a report's comparison, a page-fit
#: drawing's tries of each orientation and detail, and a watch's redraws rank each net once.
_PLAIN: OrderedDict[tuple[str, str], str] = OrderedDict()
_PLAIN_KEPT = 64


def _dot_plain(source: str) -> str:
    """What ``dot -Tplain`` answers for ``source`` (the same every time: dot is
    deterministic), asked of the ``dot`` found now once per text among the latest
    :data:`_PLAIN_KEPT`; a missing ``dot`` raises as ever."""
    key = (find_program("dot"), source)
    plain = _PLAIN.get(key)
    if plain is None:
        plain = run_graphviz("dot", ["-Tplain"], source).decode()
        _PLAIN[key] = plain
        if len(_PLAIN) > _PLAIN_KEPT:
            _PLAIN.popitem(last=False)
    else:
        _PLAIN.move_to_end(key)
    return plain


def _sizer(
    model: Model, sizes: Mapping[str, tuple[float, float]]
) -> Callable[[FlowNode], tuple[float, float]]:
    def size(node: FlowNode) -> tuple[float, float]:
        if node.id in sizes:
            return sizes[node.id]
        if node.kind == "task" and node.step is not None:
            box = task_box(model, model.step(node.step))
            return (box.width, box.height)
        if node.kind in ("start", "end"):
            return (EVENT_SIZE, EVENT_SIZE)
        return (GATEWAY_SIZE, GATEWAY_SIZE)

    return size


# Routes are first built from symbolic coordinates, because the widths of the channels and the
# heights of the corridors depend on how many lines pass through them:
#   x: ("L"|"R", node) boundary, ("C", node, dx) centre + dx, ("ch", channel, key) a track
#   y: ("row", row) centre line, ("T"|"B", node) boundary, ("co", corridor, key) a track
# Channel i is left of column i; corridor j is above row j (rows are numbered over all lanes).
_Ref = tuple[object, ...]


@dataclass
class _Track:
    """Lines of one key (one source or one target) in a channel or corridor."""

    key: tuple[object, ...]
    low: int
    high: int
    order: int
    # Channels: rows where a line leaves the track to the left, or to the right. Corridors:
    # places (a node's centre) where a line leaves the track upwards, or downwards.
    left: set[object] = field(default_factory=set)
    right: set[object] = field(default_factory=set)
    index: int = -1

    @property
    def score(self) -> int:
        """0 for lines that turn back to their source, 2 for lines going on to their target."""
        return 1 if self.left and self.right else (2 if self.right else 0)


class _Ends:
    """The starts and the ends of some stretches, each sorted, to count in logarithmic time
    how many of them overlap a given stretch."""

    __slots__ = ("ends", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, low: int, high: int) -> None:
        bisect.insort(self.starts, low)
        bisect.insort(self.ends, high)

    def overlapping(self, low: int, high: int) -> int:
        """How many stretches share more than a point with ``low..high`` (``low < high``):
        all but those that start at or after ``high`` and those that end at or before ``low``
        (no stretch does both, as each ends after it starts)."""
        after = len(self.starts) - bisect.bisect_left(self.starts, high)
        before = bisect.bisect_right(self.ends, low)
        return len(self.starts) - after - before


class _Stretches:
    """The stretches of lines claimed along one row or column, indexed by flow source, flow
    target and both, so that whether a new stretch would run along a line of another flow is
    answered by counting, without looking at the stretches (a row of a long process holds
    thousands, some of them across most of the picture).

    >>> taken = _Stretches()
    >>> taken.add(1, 9, "a", "b")
    >>> taken.clear(3, 5, "c", "d"), taken.clear(3, 5, "a", "d"), taken.clear(9, 12, "c", "d")
    (False, True, True)
    """

    __slots__ = ("all", "by_pair", "by_source", "by_target")

    def __init__(self) -> None:
        self.all = _Ends()
        self.by_source: dict[str, _Ends] = {}
        self.by_target: dict[str, _Ends] = {}
        self.by_pair: dict[tuple[str, str], _Ends] = {}

    def add(self, low: int, high: int, source: str, target: str) -> None:
        if low == high:
            return  # a point shares more than a point with nothing
        self.all.add(low, high)
        self.by_source.setdefault(source, _Ends()).add(low, high)
        self.by_target.setdefault(target, _Ends()).add(low, high)
        self.by_pair.setdefault((source, target), _Ends()).add(low, high)

    def clear(self, low: int, high: int, source: str, target: str) -> bool:
        """Whether ``low..high`` shares more than a point only with stretches of lines from
        ``source`` or into ``target`` (lines of one source or of one target may merge: a
        fork, a join)."""
        low, high = min(low, high), max(low, high)
        if low == high:
            return True
        others = self.all.overlapping(low, high)
        if not others:
            return True
        ends = self.by_source.get(source)
        if ends is not None:
            others -= ends.overlapping(low, high)
        ends = self.by_target.get(target)
        if ends is not None:
            others -= ends.overlapping(low, high)
        ends = self.by_pair.get((source, target))
        if ends is not None:
            others += ends.overlapping(low, high)  # counted twice above
        return others == 0


class _Occupied:
    """The cells that hold a node, by row and by column, each sorted, so that whether a run
    of cells is free costs a bisection however long the run."""

    def __init__(self, cells: Iterable[tuple[int, int]]) -> None:
        rows: dict[int, list[int]] = defaultdict(list)
        columns: dict[int, list[int]] = defaultdict(list)
        for column, row in cells:
            rows[row].append(column)
            columns[column].append(row)
        self.rows = {k: sorted(v) for k, v in rows.items()}
        self.columns = {k: sorted(v) for k, v in columns.items()}

    @staticmethod
    def _free(taken: list[int] | None, first: int, last: int) -> bool:
        if not taken or first > last:
            return True
        at = bisect.bisect_left(taken, first)
        return at == len(taken) or taken[at] > last

    def free_row(self, row: int, first: int, last: int) -> bool:
        """Whether no node is in ``row`` from column ``first`` to ``last`` (both included)."""
        return self._free(self.rows.get(row), first, last)

    def free_column(self, column: int, first: int, last: int) -> bool:
        """Whether no node is in ``column`` between rows ``first`` and ``last`` (included)."""
        return self._free(self.columns.get(column), min(first, last), max(first, last))


class _Builder:
    def __init__(
        self,
        model: Model,
        net: FlowNet,
        size_of: Callable[[FlowNode], tuple[float, float]],
        *,
        compact: bool = False,
        ranking: Ranking = "dot",
    ) -> None:
        self.model = model
        self.compact = compact
        self.ranking = ranking
        self.lane_pad = COMPACT_LANE_PAD if compact else _LANE_PAD
        self.label_width = COMPACT_LABEL_WIDTH if compact else LANE_LABEL_WIDTH
        self.net = net
        self.nodes = {n.id: n for n in net.nodes}
        self.size = {n.id: size_of(n) for n in net.nodes}
        self.lanes = lane_order(model, net.lanes())
        self.occupied = _Occupied(())
        self.col: dict[str, int] = {}
        self.row: dict[str, int] = {}
        self.channels: dict[int, dict[tuple[object, ...], _Track]] = defaultdict(dict)
        self.corridors: dict[int, dict[tuple[object, ...], _Track]] = defaultdict(dict)
        # Stretches of lines already routed along a row's centre line and down a column's
        # centre, in half-cell units (column c is 2c+1 and channel i is 2i; row k is 2k+1 and
        # corridor j is 2j), with their flow's source and target: (low, high, source, target).
        self.on_row: dict[int, _Stretches] = defaultdict(_Stretches)
        self.on_column: dict[int, _Stretches] = defaultdict(_Stretches)

    # -- ranks and rows -------------------------------------------------------------------

    def _ranks(self) -> dict[str, tuple[int, float]]:
        """(column, order within the column) of every node, from ``dot`` or the flow net."""
        back = _back_edges(self.net)
        if self.ranking == "flow":
            return flow_ranks(self.net, back)
        ids = {n.id: f"n{i}" for i, n in enumerate(self.net.nodes)}
        lines = [
            "digraph layout {",
            "graph [rankdir=LR, nodesep=0.2, ranksep=0.3, splines=false, mclimit=0.5];",
            'node [shape=box, fixedsize=true, width=1, height=0.5, label=""];',
        ]
        lines += [f"{ids[n.id]};" for n in self.net.nodes]
        for i, edge in enumerate(self.net.edges):
            if i in back:
                # Flows back (rework loops) do not decide the ranks, and dot's crossing
                # minimisation over long ones takes minutes or crashes (Graphviz 2.43): a
                # 150-step model whose every check can send the case back to the start.
                continue
            same = self.nodes[edge.source].lane == self.nodes[edge.target].lane
            lines.append(f"{ids[edge.source]} -> {ids[edge.target]} [weight={4 if same else 1}];")
        lines.append("}")
        plain = _dot_plain("\n".join(lines) + "\n")
        names = {v: k for k, v in ids.items()}
        placed: dict[str, tuple[float, float]] = {}
        for line in plain.splitlines():
            parts = line.split()
            if parts and parts[0] == "node":
                placed[names[parts[1]]] = (round(float(parts[2]), 2), float(parts[3]))
        xs = sorted({x for x, _ in placed.values()})
        rank = {x: i for i, x in enumerate(xs)}
        return {node: (rank[x], -y) for node, (x, y) in placed.items()}

    def _assign_rows(self, ranks: dict[str, tuple[int, float]]) -> list[int]:
        """Rows of every node; returns the number of rows of each lane."""
        position = {n.id: i for i, n in enumerate(self.net.nodes)}
        cells: dict[tuple[str, int], list[str]] = defaultdict(list)
        for node in self.net.nodes:
            self.col[node.id] = ranks[node.id][0]
            cells[(node.lane, ranks[node.id][0])].append(node.id)
        for members in cells.values():
            members.sort(key=lambda n: (ranks[n][1], position[n]))
        lane_rows = {lane: 1 for lane in self.lanes}
        for (lane, _), members in cells.items():
            lane_rows[lane] = max(lane_rows[lane], len(members))
        predecessors: dict[str, list[str]] = defaultdict(list)
        for edge in self.net.edges:
            predecessors[edge.target].append(edge.source)
        local: dict[str, int] = {}
        for lane, column in sorted(cells, key=lambda c: (c[1], self.lanes.index(c[0]))):
            members = cells[(lane, column)]
            wanted = []
            for member in members:
                rows = [
                    local[p]
                    for p in predecessors[member]
                    if p in local and self.nodes[p].lane == lane and self.col[p] < column
                ]
                wanted.append(sorted(rows)[len(rows) // 2] if rows else None)
            for member, row in zip(members, _fit_rows(wanted, lane_rows[lane]), strict=True):
                local[member] = row
        first_row, total = {}, 0
        for lane in self.lanes:
            first_row[lane] = total
            total += lane_rows[lane]
        for node in self.net.nodes:
            self.row[node.id] = first_row[node.lane] + local[node.id]
        return [lane_rows[lane] for lane in self.lanes]

    # -- routing ----------------------------------------------------------------------------

    def _free_row(self, row: int, first: int, last: int) -> bool:
        return self.occupied.free_row(row, first, last)

    def _free_column(self, column: int, first: int, last: int) -> bool:
        return self.occupied.free_column(column, first, last)

    @staticmethod
    def _clear(taken: _Stretches, low: int, high: int, s: str, t: str) -> bool:
        """Whether a stretch from ``low`` to ``high`` runs along no line of another flow (lines
        of one source or of one target may merge: a fork, a join)."""
        return taken.clear(low, high, s, t)

    def _crossed_in_channel(self, i: int, key: tuple[object, ...], a: int, b: int) -> bool:
        """Whether a line entering channel ``i`` from the left at row ``a`` and leaving it to
        the right at row ``b`` would make the order of the channel's tracks impossible.

        A line that leaves its track to the left at some row must lie left of every line that
        leaves to the right at that row (else their stretches on the row overlap); a cycle of
        such demands, such as two lines that swap rows, cannot all be met.
        """
        sides = {k: (set(t.left), set(t.right)) for k, t in self.channels[i].items()}
        left, right = sides.setdefault(key, (set(), set()))
        left.add(a)
        right.add(b)
        after = {k: [o for o in sides if o != k and sides[k][0] & sides[o][1]] for k in sides}
        state: dict[tuple[object, ...], int] = {}  # 1 on the current path, 2 done
        for root in sides:
            if root in state:
                continue
            state[root] = 1
            stack = [(root, iter(after[root]))]
            while stack:
                node, successors = stack[-1]
                for successor in successors:
                    if state.get(successor) == 1:
                        return True
                    if successor not in state:
                        state[successor] = 1
                        stack.append((successor, iter(after[successor])))
                        break
                else:
                    state[node] = 2
                    stack.pop()
        return False

    def _claim(self, route: list[tuple[_Ref, _Ref]], s: str, t: str) -> list[tuple[_Ref, _Ref]]:
        """Record the stretches of a route along row and column centre lines."""
        for (x1, y1), (x2, y2) in itertools.pairwise(route):
            if y1 == y2 and y1[0] == "row":
                low, high = sorted((self._unit(x1), self._unit(x2)))
                self.on_row[_int(y1[1])].add(low, high, s, t)
            elif x1 == x2 and x1[0] == "C" and y2[0] == "row":
                column = self.col[str(x1[1])]
                low, high = sorted((2 * self.row[str(x1[1])] + 1, 2 * _int(y2[1]) + 1))
                self.on_column[column].add(low, high, s, t)
        return route

    def _unit(self, ref: _Ref) -> int:
        if ref[0] == "ch":
            return 2 * _int(ref[1])
        return 2 * self.col[str(ref[1])] + 1

    def _channel(
        self,
        i: int,
        key: tuple[object, ...],
        y1: int,
        y2: int,
        left: int | None = None,
        right: int | None = None,
    ) -> _Ref:
        track = self._request(self.channels[i], key, y1, y2)
        if left is not None:
            track.left.add(left)
        if right is not None:
            track.right.add(right)
        return ("ch", i, key)

    def _corridor(
        self, j: int, key: tuple[object, ...], x1: int, x2: int, stubs: tuple[_Ref, ...] = ()
    ) -> _Ref:
        """A track in corridor ``j``; ``stubs`` are the lines (``("C", node, dx)``) that join
        it from their node's top or bottom: a stub from above lies above one from below."""
        track = self._request(self.corridors[j], key, x1, x2)
        for stub in stubs:
            node = str(stub[1])
            place = (self.col[node], stub[2])
            (track.left if self.row[node] < j else track.right).add(place)
        return ("co", j, key)

    def _request(
        self, tracks: dict[tuple[object, ...], _Track], key: tuple[object, ...], a: int, b: int
    ) -> _Track:
        low, high = min(a, b), max(a, b)
        track = tracks.get(key)
        if track is None:
            track = tracks[key] = _Track(key, low, high, len(tracks))
        else:
            track.low, track.high = min(track.low, low), max(track.high, high)
        return track

    def _route(self, index: int, edge: FlowEdge) -> list[tuple[_Ref, _Ref]]:
        s, t = edge.source, edge.target
        c1, k1, c2, k2 = self.col[s], self.row[s], self.col[t], self.row[t]
        gateway = self.nodes[s].kind in ("xor", "and-split")
        dx_out = _TOP_OFFSET if self.nodes[s].kind == "task" else 0.0
        dx_in = -_TOP_OFFSET if self.nodes[t].kind == "task" else 0.0
        y1, y2 = ("row", k1), ("row", k2)
        if c2 > c1:
            if (
                k1 == k2
                and self._free_row(k1, c1 + 1, c2 - 1)
                and self._clear(self.on_row[k1], 2 * c1 + 1, 2 * c2 + 1, s, t)
            ):
                return self._claim([(("R", s), y1), (("L", t), y2)], s, t)
            if (
                k1 != k2
                and gateway
                and self._free_column(c1, k2, k1 + (1 if k2 > k1 else -1))
                and self._free_row(k2, c1 + 1, c2 - 1)
                and self._clear(self.on_column[c1], 2 * k1 + 1, 2 * k2 + 1, s, t)
                and self._clear(self.on_row[k2], 2 * c1 + 1, 2 * c2 + 1, s, t)
            ):
                side = "T" if k2 < k1 else "B"
                route: list[tuple[_Ref, _Ref]] = [
                    (("C", s, 0.0), (side, s)),
                    (("C", s, 0.0), y2),
                    (("L", t), y2),
                ]
                return self._claim(route, s, t)
            if k1 != k2:
                candidates = [c1 + 1, c2, *range(c1 + 2, c2)]
                for i in dict.fromkeys(candidates):
                    key: tuple[object, ...] = ("s", s) if i == c1 + 1 else ("t", t)
                    if (
                        self._free_row(k1, c1 + 1, i - 1)
                        and self._free_row(k2, i, c2 - 1)
                        and self._clear(self.on_row[k1], 2 * c1 + 1, 2 * i, s, t)
                        and self._clear(self.on_row[k2], 2 * i, 2 * c2 + 1, s, t)
                        and not self._crossed_in_channel(i, key, 2 * k1 + 1, 2 * k2 + 1)
                    ):
                        x = self._channel(
                            i, key, 2 * k1 + 1, 2 * k2 + 1, left=2 * k1 + 1, right=2 * k2 + 1
                        )
                        return self._claim([(("R", s), y1), (x, y1), (x, y2), (("L", t), y2)], s, t)
            up = k2 <= k1
            j = k1 if up else k1 + 1
            if gateway:
                corridor = self._corridor(j, ("s", s), 2 * c1 + 1, 2 * c2, stubs=(("C", s, 0.0),))
                x_in = self._channel(c2, ("t", t), 2 * j, 2 * k2 + 1, right=2 * k2 + 1)
                start = (("C", s, 0.0), ("T" if up else "B", s))
                return [
                    start,
                    (("C", s, 0.0), corridor),
                    (x_in, corridor),
                    (x_in, y2),
                    (("L", t), y2),
                ]
            x_out = self._channel(c1 + 1, ("s", s), 2 * k1 + 1, 2 * j, left=2 * k1 + 1)
            corridor = self._corridor(j, ("s", s), 2 * (c1 + 1), 2 * c2)
            x_in = self._channel(c2, ("t", t), 2 * j, 2 * k2 + 1, right=2 * k2 + 1)
            return [
                (("R", s), y1),
                (x_out, y1),
                (x_out, corridor),
                (x_in, corridor),
                (x_in, y2),
                (("L", t), y2),
            ]
        # A flow back to the same or an earlier column: a loop, drawn above (or below) the row.
        if k1 == k2:
            x_out, x_in = ("C", s, dx_out), ("C", t, dx_in)
            corridor = self._corridor(k1, ("t", t), 2 * c2 + 1, 2 * c1 + 1, stubs=(x_out, x_in))
            return [(x_out, ("T", s)), (x_out, corridor), (x_in, corridor), (x_in, ("T", t))]
        up = k2 < k1
        j = k1 if up else k1 + 1
        x_out = ("C", s, dx_out)
        corridor = self._corridor(j, ("s", s), 2 * c2, 2 * c1 + 1, stubs=(x_out,))
        x_in = self._channel(c2, ("t", t), 2 * j, 2 * k2 + 1, right=2 * k2 + 1)
        return [
            (x_out, ("T" if up else "B", s)),
            (x_out, corridor),
            (x_in, corridor),
            (x_in, y2),
            (("L", t), y2),
        ]

    # -- geometry ---------------------------------------------------------------------------

    def build(self) -> Layout:
        ranks = self._ranks()
        lane_rows = self._assign_rows(ranks)
        self.occupied = _Occupied((self.col[n], self.row[n]) for n in self.col)
        columns = max(self.col.values()) + 1
        rows = sum(lane_rows)
        routes = [self._route(i, e) for i, e in enumerate(self.net.edges)]
        texts = [edge_text(e) for e in self.net.edges]
        layout, blocked = self._geometry(routes, texts, rows, columns, lane_rows, set())
        # A decision label with no free place beside its flow (lines of the channel it
        # leaves into cross every place): that channel keeps room for the label left of its
        # lines, and the positions are worked out again. Layouts whose labels all found a
        # place are left exactly as they are.
        clear: set[int] = set()
        while blocked and not blocked <= clear:
            clear |= blocked
            layout, blocked = self._geometry(routes, texts, rows, columns, lane_rows, clear)
        return layout

    def _geometry(
        self,
        routes: list[list[tuple[_Ref, _Ref]]],
        texts: list[str],
        rows: int,
        columns: int,
        lane_rows: list[int],
        clear: set[int],
    ) -> tuple[Layout, set[int]]:
        """The positions of everything from the ranks and routes; the layout and the flows
        whose label found no free place. The labels of the flows in ``clear`` get room in
        the channel they leave into, left of its lines."""
        # Column widths, channel widths (room for the tracks and decision labels).
        col_width = [GATEWAY_SIZE] * columns
        event_labels: dict[str, float] = {}
        for node_id, node in self.nodes.items():
            width = self.size[node_id][0]
            if node.kind in ("start", "end") and node.label:
                event_labels[node_id] = text_width(node.label, EVENT_LABEL_SIZE) + 4
                width = max(width, event_labels[node_id])
            col_width[self.col[node_id]] = max(col_width[self.col[node_id]], width)
        channel_width = [_MARGIN] + [_CHANNEL] * (columns - 1) + [_MARGIN]
        for i, tracks in self.channels.items():
            _assign_tracks(tracks.values(), ordered=True)
            count = max((t.index for t in tracks.values()), default=-1) + 1
            channel_width[i] = max(channel_width[i], (count + 1) * _TRACK)
        for edge, text in zip(self.net.edges, texts, strict=True):
            if text:
                column = self.col[edge.source]
                need = text_width(text, EDGE_LABEL_SIZE) + 12 - (col_width[column] / 2 - 25)
                channel_width[column + 1] = max(channel_width[column + 1], need)
        room = [0.0] * (columns + 1)  # kept free of lines at the left of each channel
        for index in clear:
            edge = self.net.edges[index]
            column = self.col[edge.source]
            inside = (col_width[column] - self.size[edge.source][0]) / 2
            wide = text_width(texts[index], EDGE_LABEL_SIZE) + 2
            room[column + 1] = max(room[column + 1], _LABEL_GAP + wide + 2 - inside)
        for i in range(columns + 1):
            if room[i] > 0:
                count = max((t.index for t in self.channels.get(i, {}).values()), default=-1) + 1
                channel_width[i] = max(channel_width[i], room[i] + (count + 1) * _TRACK)
        for tracks in self.corridors.values():
            _assign_tracks(tracks.values(), ordered=False, constrained=True)

        header = self.label_width
        agencies = [self.model.actors[a].agency for a in self.lanes if a in self.model.actors]
        if any(agencies) and not self.compact:
            header += GROUP_LABEL_WIDTH
        col_x, x = [], header
        for c in range(columns):
            x += channel_width[c]
            col_x.append(x)
            x += col_width[c]
        width = x + channel_width[columns]
        channel_x = [header] + [col_x[c] + col_width[c] for c in range(columns)]

        # Row heights, corridor heights (room for the tracks), lane heights.
        row_height = [COMPACT_TASK_HEIGHT if self.compact else TASK_HEIGHT] * rows
        for node_id in self.nodes:
            height = self.size[node_id][1]
            if node_id in event_labels:
                height += 2 * (EVENT_LABEL_SIZE + 6)
            row_height[self.row[node_id]] = max(row_height[self.row[node_id]], height)
        corridor_need = [
            (max((t.index for t in self.corridors[j].values()), default=-1) + 2) * _TRACK
            for j in range(rows + 1)
        ]
        lane_of_row = [
            lane for lane, n in zip(self.lanes, lane_rows, strict=True) for _ in range(n)
        ]
        first_rows = {sum(lane_rows[:i]) for i in range(len(self.lanes))}
        pad_top, pad_bottom = {}, {}
        for index, lane in enumerate(self.lanes):
            first = sum(lane_rows[:index])
            last = first + lane_rows[index] - 1
            pad_top[lane] = max(self.lane_pad, corridor_need[first] / (1 if first == 0 else 2))
            pad_bottom[lane] = max(
                self.lane_pad, corridor_need[last + 1] / (1 if last + 1 == rows else 2)
            )
        gaps = [max(_ROW_GAP, corridor_need[j]) for j in range(rows + 1)]
        label_need = {lane: self._lane_label_height(lane) for lane in self.lanes}
        for lane, need in ({} if self.compact else self._group_label_needs()).items():
            label_need[lane] = max(label_need[lane], need)
        for index, lane in enumerate(self.lanes):
            first = sum(lane_rows[:index])
            inner = sum(row_height[first : first + lane_rows[index]]) + sum(
                gaps[first + 1 : first + lane_rows[index]]
            )
            extra = label_need[lane] - (inner + pad_top[lane] + pad_bottom[lane])
            if extra > 0:
                pad_top[lane] += extra / 2
                pad_bottom[lane] += extra / 2

        row_y: list[float] = []
        corridor_span: list[tuple[float, float, float | None]] = []
        lane_rects: dict[str, tuple[float, float]] = {}
        y = 0.0
        previous_bottom = 0.0
        for row in range(rows):
            lane = lane_of_row[row]
            if row in first_rows:
                top = y
                boundary = top if row else None
                y += pad_top[lane]
                corridor_span.append((previous_bottom, y, boundary))
                lane_rects[lane] = (top, 0.0)
            else:
                corridor_span.append((y, y + gaps[row], None))
                y += gaps[row]
            row_y.append(y + row_height[row] / 2)
            y += row_height[row]
            previous_bottom = y
            if row + 1 == rows or row + 1 in first_rows:
                y += pad_bottom[lane]
                lane_rects[lane] = (lane_rects[lane][0], y)
        corridor_span.append((previous_bottom, y, None))
        height = y

        channel_pos = {
            i: _spread(
                tracks.values(), channel_x[i] + room[i], channel_x[i] + channel_width[i], None
            )
            for i, tracks in self.channels.items()
        }
        corridor_pos = {
            j: _spread(tracks.values(), *corridor_span[j]) for j, tracks in self.corridors.items()
        }

        boxes: dict[str, NodeBox] = {}
        for node in self.net.nodes:
            w, h = self.size[node.id]
            cx = col_x[self.col[node.id]] + col_width[self.col[node.id]] / 2
            cy = row_y[self.row[node.id]]
            rect = Rect(cx - w / 2, cy - h / 2, w, h)
            label = None
            if node.id in event_labels:
                lw = event_labels[node.id]
                label = Rect(cx - lw / 2, rect.bottom + 3, lw, EVENT_LABEL_SIZE + 4)
            boxes[node.id] = NodeBox(node, rect, label)

        def resolve_x(ref: _Ref) -> float:
            kind = ref[0]
            if kind == "ch":
                return channel_pos[_int(ref[1])][_key(ref[2])]
            rect = boxes[str(ref[1])].rect
            if kind == "L":
                return rect.x
            if kind == "R":
                return rect.right
            return rect.center[0] + _float(ref[2])

        def resolve_y(ref: _Ref) -> float:
            kind = ref[0]
            if kind == "co":
                return corridor_pos[_int(ref[1])][_key(ref[2])]
            if kind == "row":
                return row_y[_int(ref[1])]
            rect = boxes[str(ref[1])].rect
            return rect.y if kind == "T" else rect.bottom

        points = [
            _simplify([(resolve_x(xr), resolve_y(yr)) for xr, yr in route]) for route in routes
        ]
        obstacles = [box.rect for box in boxes.values()]
        obstacles += [box.label for box in boxes.values() if box.label is not None]
        blocked: set[int] = set()
        labels = _place_labels(self.net.edges, points, texts, text_width, obstacles, blocked)
        edges = [
            EdgeRoute(edge, tuple(pts), text, label)
            for edge, pts, text, label in zip(self.net.edges, points, texts, labels, strict=True)
        ]

        lanes = []
        for lane in self.lanes:
            top, bottom = lane_rects[lane]
            actor = self.model.actors.get(lane)
            name = shown(actor.name if actor else None, lane)
            agency = actor.agency if actor else None
            label_x = header - LANE_LABEL_WIDTH if agency and not self.compact else 0.0
            lanes.append(
                LaneBox(
                    lane,
                    name,
                    agency,
                    Rect(0.0, top, width, bottom - top),
                    Rect(label_x, top, header - label_x, bottom - top),
                )
            )
        groups = []
        for agency, members in [] if self.compact else _runs(lanes):
            top, bottom = members[0].rect.y, members[-1].rect.bottom
            groups.append(
                GroupBox(
                    agency,
                    Rect(0.0, top, width, bottom - top),
                    Rect(0.0, top, GROUP_LABEL_WIDTH, bottom - top),
                    tuple(m.actor for m in members),
                )
            )
        return Layout(width, height, lanes, boxes, edges, groups, header), blocked

    def _lane_label_height(self, lane: str) -> float:
        return lane_header_height(self.model, lane, self.label_width, compact=self.compact)

    def _group_label_needs(self) -> dict[str, float]:
        """Extra height the last lane of an agency needs so that the agency's name fits."""
        needs: dict[str, float] = {}
        members: dict[str, list[str]] = defaultdict(list)
        for lane in self.lanes:
            actor = self.model.actors.get(lane)
            if actor and actor.agency:
                members[actor.agency].append(lane)
        for agency, lanes in members.items():
            lines = wrap(agency, GROUP_LABEL_WIDTH - 14, LANE_LABEL_SIZE, bold=True)
            need = len(lines) * LANE_LABEL_SIZE * 1.3 + 16
            needs[lanes[-1]] = need / len(lanes)
            for lane in lanes:
                needs[lane] = need / len(lanes)
        return needs


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def _float(value: object) -> float:
    assert isinstance(value, int | float)
    return float(value)


def _key(value: object) -> tuple[object, ...]:
    assert isinstance(value, tuple)
    return value


def _runs(lanes: list[LaneBox]) -> list[tuple[str, list[LaneBox]]]:
    """Consecutive lanes of one agency."""
    runs: list[tuple[str, list[LaneBox]]] = []
    for lane in lanes:
        if lane.agency is None:
            continue
        if runs and runs[-1][0] == lane.agency and runs[-1][1][-1] is lanes[lanes.index(lane) - 1]:
            runs[-1][1].append(lane)
        else:
            runs.append((lane.agency, [lane]))
    return runs


def flow_ranks(net: FlowNet, back: set[int] | None = None) -> dict[str, tuple[int, float]]:
    """(column, order within the column) of every node, from the flow net alone.

    The flows back (``back``: indexes of edges, by default those that close a cycle in a
    depth-first walk from the start) are left out; every other flow goes at least one column
    to the right, and a node takes the first column after all the nodes that flow into it.
    Within a column, nodes follow the average order of the nodes they come from, and the
    order of the flow net where that is equal (the branches of a split in file order). Time
    and memory grow with the nodes and flows (and a sort per column).

    >>> import bpr
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\nsteps:\\n"
    ...     "- {id: x, actor: a, next: {all: [y, z]}}\\n- {id: y, actor: a, next: w}\\n"
    ...     "- {id: z, actor: a, next: w}\\n- {id: w, actor: a, join: all}\\n"
    ... )
    >>> ranks = flow_ranks(flow_net(m))
    >>> [(node, ranks[node]) for node in ("x", "split:x", "y", "z", "join:w", "w")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('x', (1, 0)), ('split:x', (2, 0)), ('y', (3, 0)), ('z', (3, 1)), ('join:w', (4, 0)),
     ('w', (5, 0))]
    """
    if back is None:
        back = _back_edges(net)
    position = {node.id: i for i, node in enumerate(net.nodes)}
    successors: dict[str, list[str]] = defaultdict(list)
    predecessors: dict[str, list[str]] = defaultdict(list)
    waiting = dict.fromkeys(position, 0)
    for i, edge in enumerate(net.edges):
        if i in back or edge.source not in position or edge.target not in position:
            continue
        successors[edge.source].append(edge.target)
        predecessors[edge.target].append(edge.source)
        waiting[edge.target] += 1
    column = dict.fromkeys(position, 0)
    ready = [node for node, count in waiting.items() if count == 0]
    for node in ready:  # grows while it is read: a topological order
        for target in successors[node]:
            column[target] = max(column[target], column[node] + 1)
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    if len(ready) != len(position):  # a cycle left: only if ``back`` misses a flow back
        raise ValueError("the flows left after the flows back still form a cycle")
    by_column: dict[int, list[str]] = defaultdict(list)
    for node in ready:
        by_column[column[node]].append(node)
    order: dict[str, int] = {}
    for c in sorted(by_column):
        members = by_column[c]
        place = {}
        for node in members:
            came = [order[p] for p in predecessors[node]]
            place[node] = sum(came) / len(came) if came else 0.0
        members.sort(key=lambda n: (place[n], position[n]))
        for index, node in enumerate(members):
            order[node] = index
    return {node: (column[node], order[node]) for node in position}


def _back_edges(net: FlowNet) -> set[int]:
    """Indexes of the edges that close a cycle in a depth-first walk from the start."""
    out: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, edge in enumerate(net.edges):
        out[edge.source].append((i, edge.target))
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    back: set[int] = set()
    for root in [n.id for n in net.nodes]:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(out[root]))]
        while stack:
            node, successors = stack[-1]
            for i, target in successors:
                if state.get(target) == 1:
                    back.add(i)
                elif target not in state:
                    state[target] = 1
                    stack.append((target, iter(out[target])))
                    break
            else:
                state[node] = 2
                stack.pop()
    return back


def _fit_rows(wanted: list[int | None], rows: int) -> list[int]:
    """Rows for nodes kept in order, each as near its wanted row as can be (others at the top)."""
    count = len(wanted)
    if count >= rows:
        return list(range(count))
    inf = float("inf")
    cost = [[inf] * rows for _ in range(count)]
    choice = [[-1] * rows for _ in range(count)]
    for i, want in enumerate(wanted):
        for r in range(i, rows - (count - 1 - i)):
            own = abs(r - want) if want is not None else r * 0.01
            if i == 0:
                cost[i][r] = own
                continue
            best = min(range(i - 1, r), key=lambda p: cost[i - 1][p])
            cost[i][r] = cost[i - 1][best] + own
            choice[i][r] = best
    last = min(range(rows), key=lambda r: cost[count - 1][r])
    result = [last]
    for i in range(count - 1, 0, -1):
        last = choice[i][last]
        result.append(last)
    return result[::-1]


def _assign_tracks(tracks: Iterable[_Track], *, ordered: bool, constrained: bool = False) -> None:
    """Give overlapping keys separate tracks. In a channel, a line that leaves its track to
    the left at some row takes a track left of any line that leaves to the right at that row,
    so that two horizontal stretches on one row never overlap; in a corridor (``constrained``),
    a line that leaves upwards at a place lies above one that leaves downwards there.

    Tracks are placed one at a time, in the order of ``pending`` below, each as the first one
    whose left neighbours are all placed (or, on a cycle of such demands, the first left);
    each takes the lowest index right of its placed left neighbours that no placed track
    overlapping it holds. A corridor along a long row holds thousands of tracks, so the
    neighbours, the next track and the free index each come from an index, not a scan."""
    pending = sorted(tracks, key=lambda t: (t.score, t.order) if ordered else (t.order,))
    count = len(pending)
    before: list[set[int]] = [set() for _ in range(count)]  # left neighbours, by position
    if ordered or constrained:
        right_at: dict[object, list[int]] = defaultdict(list)
        for position, track in enumerate(pending):
            for place in track.right:
                right_at[place].append(position)
        for position, track in enumerate(pending):
            for place in track.left:
                for other in right_at.get(place, ()):
                    if other != position:
                        before[other].add(position)
    after: list[list[int]] = [[] for _ in range(count)]
    waiting = [len(left) for left in before]
    for position, left in enumerate(before):
        for neighbour in left:
            after[neighbour].append(position)
    ready = [position for position in range(count) if not waiting[position]]
    heapq.heapify(ready)
    placed = [False] * count
    first_left = 0
    lows: dict[int, list[int]] = defaultdict(list)  # per index: its tracks' spans, in order
    highs: dict[int, list[int]] = defaultdict(list)
    for _ in range(count):
        while ready and placed[ready[0]]:
            heapq.heappop(ready)
        while placed[first_left]:
            first_left += 1
        position = heapq.heappop(ready) if ready else first_left
        track = pending[position]
        index = max((pending[p].index + 1 for p in before[position] if placed[p]), default=0)
        while True:  # the spans of one index never overlap: only the last one before can
            at = bisect.bisect_right(lows[index], track.high)
            if at == 0 or highs[index][at - 1] < track.low:
                break
            index += 1
        lows[index].insert(at, track.low)
        highs[index].insert(at, track.high)
        track.index = index
        placed[position] = True
        for follower in after[position]:
            waiting[follower] -= 1
            if not waiting[follower]:
                heapq.heappush(ready, follower)


def _spread(
    tracks: Iterable[_Track], low: float, high: float, avoid: float | None
) -> dict[tuple[object, ...], float]:
    """Positions of the tracks evenly between ``low`` and ``high``, away from ``avoid``."""
    tracks = list(tracks)
    count = max((t.index for t in tracks), default=-1) + 1
    slots = [low + (k + 1) * (high - low) / (count + 1) for k in range(count)]
    if avoid is not None and any(abs(s - avoid) < 3 for s in slots):
        slots = [low + (k + 1) * (high - low) / (count + 2) for k in range(count + 1)]
        slots.remove(min(slots, key=lambda s: abs(s - avoid)))
    return {t.key: round(slots[t.index], 2) for t in tracks}


def _simplify(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop repeated points and the middle of three points on one straight line."""
    out: list[tuple[float, float]] = []
    for point in points:
        point = (round(point[0], 2), round(point[1], 2))
        if out and out[-1] == point:
            continue
        if len(out) >= 2:
            (ax, ay), (bx, by) = out[-2], out[-1]
            if (ax == bx == point[0]) or (ay == by == point[1]):
                out[-1] = point
                continue
        out.append(point)
    if len(out) == 1:
        out.append(out[0])
    return out


def _leave_point(
    path: list[tuple[float, float]], other: list[tuple[float, float]]
) -> tuple[int, tuple[float, float]]:
    """Where ``path`` stops running along ``other``: (segment index, point)."""
    for i in range(len(path) - 1):
        a, b = path[i], path[i + 1]
        end = None
        for c, d in itertools.pairwise(other):
            if _on_segment(a, c, d) and _same_direction(a, b, c, d):
                end = d if _distance(a, d) < _distance(a, b) else b
                break
        if end is None:
            return i, a
        if end != b:
            return i, end
    return len(path) - 2, path[-1]


def _on_segment(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> bool:
    if a[0] == b[0] == p[0]:
        return min(a[1], b[1]) <= p[1] <= max(a[1], b[1])
    if a[1] == b[1] == p[1]:
        return min(a[0], b[0]) <= p[0] <= max(a[0], b[0])
    return False


def _same_direction(
    a: tuple[float, float], b: tuple[float, float], c: tuple[float, float], d: tuple[float, float]
) -> bool:
    u = (_sign(b[0] - a[0]), _sign(b[1] - a[1]))
    v = (_sign(d[0] - c[0]), _sign(d[1] - c[1]))
    return u == v


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def _place_labels(
    edges: list[FlowEdge],
    paths: list[list[tuple[float, float]]],
    texts: list[str],
    text_width: Callable[..., float],
    obstacles: Iterable[Rect] = (),
    blocked: set[int] | None = None,
) -> list[Rect | None]:
    """Each decision label beside the first stretch of its flow that no sibling shares, or
    further along its flow where that place is taken: a label never overlaps another label
    or an obstacle (boxes, event names), and no flow line runs through it. A label with no
    such place takes the first one, and its flow's index goes into ``blocked``."""
    siblings: dict[str, list[int]] = defaultdict(list)
    for i, edge in enumerate(edges):
        siblings[edge.source].append(i)
    taken: _Grid[Rect] = _Grid()
    for rect in obstacles:
        taken.add(rect.x, rect.y, rect.right, rect.bottom, rect)
    segments: _Grid[tuple[float, float, float, float]] = _Grid()
    for path in paths:
        for (ax, ay), (bx, by) in itertools.pairwise(path):
            x0, x1 = sorted((ax, bx))
            y0, y1 = sorted((ay, by))
            segments.add(x0, y0, x1, y1, (x0, y0, x1, y1))
    labels: list[Rect | None] = []
    for i, (edge, path, text) in enumerate(zip(edges, paths, texts, strict=True)):
        if not text:
            labels.append(None)
            continue
        segment, point = 0, path[0]
        for j in siblings[edge.source]:
            if j == i:
                continue
            seg, leave = _leave_point(path, paths[j])
            if (seg, _distance(path[seg], leave)) > (segment, _distance(path[segment], point)):
                segment, point = seg, leave
        size = (text_width(text, EDGE_LABEL_SIZE) + 2, EDGE_LABEL_SIZE + 3)
        candidates = itertools.chain(
            _label_places(path, segment, point, size),
            _label_places(path, 0, path[0], size),  # on a shared stretch, at worst
        )
        chosen = next((rect for rect in candidates if _free(rect, taken, segments)), None)
        if chosen is None:
            chosen = next(_label_places(path, segment, point, size))
            if blocked is not None:
                blocked.add(i)
        taken.add(chosen.x, chosen.y, chosen.right, chosen.bottom, chosen)
        labels.append(chosen)
    return labels


def _label_places(
    path: list[tuple[float, float]],
    segment: int,
    point: tuple[float, float],
    size: tuple[float, float],
) -> Iterator[Rect]:
    """Places for a label beside its flow, best first: at ``point`` on the side the flow
    turns from, then the other side, then further along each later stretch; made as they
    are asked for (the first place is most often free)."""
    w, h = size
    places = []
    for index in range(segment, len(path) - 1):
        a, b = path[index], path[index + 1]
        start = point if index == segment else a
        for share in (0.0, 0.2, 0.4, 0.6, 0.8):
            x = start[0] + (b[0] - start[0]) * share
            y = start[1] + (b[1] - start[1]) * share
            if b[0] > a[0]:
                sides = [
                    (x + _LABEL_GAP, y - _LABEL_GAP / 2 - h),
                    (x + _LABEL_GAP, y + _LABEL_GAP / 2),
                ]
            elif b[0] < a[0]:
                sides = [
                    (x - _LABEL_GAP - w, y - _LABEL_GAP / 2 - h),
                    (x - _LABEL_GAP - w, y + _LABEL_GAP / 2),
                ]
            elif b[1] < a[1]:
                sides = [
                    (x + _LABEL_GAP, y - _LABEL_GAP - h),
                    (x - _LABEL_GAP - w, y - _LABEL_GAP - h),
                ]
            else:
                sides = [(x + _LABEL_GAP, y + _LABEL_GAP), (x - _LABEL_GAP - w, y + _LABEL_GAP)]
            # then the other corners around the same point (where the flow turns)
            sides += [
                (x + _LABEL_GAP, y - _LABEL_GAP / 2 - h),
                (x - _LABEL_GAP - w, y - _LABEL_GAP / 2 - h),
                (x + _LABEL_GAP, y + _LABEL_GAP / 2),
                (x - _LABEL_GAP - w, y + _LABEL_GAP / 2),
            ]
            for px, py in dict.fromkeys(sides):
                place = Rect(px, py, w, h)
                places.append(place)
                yield place
    # last, one label height further out from the line, where lines crowd near it
    far = _TRACK + h
    for r in places:
        yield Rect(r.x, r.y + (far if r.y > point[1] else -far), w, h)


_Item = TypeVar("_Item")


class _Grid(Generic[_Item]):
    """Things with a bounding box, filed by the square cells of the plane the box meets, so
    that what could touch a small rectangle is found among the things of a few cells only.

    >>> grid: _Grid[str] = _Grid()
    >>> grid.add(0, 0, 10, 10, "box")
    >>> grid.add(900, 0, 1900, 5, "line")
    >>> sorted(grid.near(5, 5, 8, 8)), sorted(grid.near(1000, 0, 1001, 1))
    (['box'], ['line'])
    """

    CELL = 256.0

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[_Item]] = defaultdict(list)

    def _span(self, low: float, high: float) -> range:
        return range(int(low // self.CELL), int(high // self.CELL) + 1)

    def add(self, x0: float, y0: float, x1: float, y1: float, item: _Item) -> None:
        for i in self._span(x0, x1):
            for j in self._span(y0, y1):
                self.cells[(i, j)].append(item)

    def near(self, x0: float, y0: float, x1: float, y1: float) -> list[_Item]:
        """Every thing whose box meets ``x0..x1`` by ``y0..y1`` (and some others nearby),
        each once."""
        found: dict[int, _Item] = {}
        for i in self._span(x0, x1):
            for j in self._span(y0, y1):
                for item in self.cells.get((i, j), ()):
                    found[id(item)] = item
        return list(found.values())


def _free(
    rect: Rect, taken: _Grid[Rect], segments: _Grid[tuple[float, float, float, float]]
) -> bool:
    """Whether ``rect`` overlaps nothing taken and no line runs through it."""
    for other in taken.near(rect.x, rect.y, rect.right, rect.bottom):
        if (
            rect.x < other.right
            and other.x < rect.right
            and rect.y < other.bottom
            and other.y < rect.bottom
        ):
            return False
    for segment in segments.near(rect.x, rect.y, rect.right, rect.bottom):
        x0, y0, x1, y1 = segment
        if (
            x0 < rect.right - 0.5
            and x1 > rect.x + 0.5
            and y0 < rect.bottom - 0.5
            and y1 > rect.y + 0.5
        ):
            return False
    return True


def lane_header_height(model: Model, lane: str, width: float, *, compact: bool = True) -> float:
    """The height a lane's header needs: its name wrapped in ``width`` (less the header's
    padding) and, in the compact layout, its agency and "(applicant)" under the name.

    The one rule of a header's height: the layout pads a lane to it, and a page-fit band
    that shortens its lanes keeps each at least this tall."""
    actor = model.actors.get(lane)
    name = shown(actor.name if actor else None, lane)
    lines = wrap(name, width - 14, LANE_LABEL_SIZE, max_lines=6)
    height = len(lines) * LANE_LABEL_SIZE * 1.3 + 16
    if compact and actor is not None and actor.agency:
        agency = wrap(actor.agency, width - 14, AGENCY_NOTE_SIZE, max_lines=6)
        height += len(agency) * AGENCY_NOTE_SIZE * 1.3
    if compact and actor is not None and actor.is_applicant:
        height += AGENCY_NOTE_SIZE * 1.3  # "(applicant)"
    return height
