"""A picture as boxes, bands and lines at fixed places, written out as deterministic DOT text.

Everything is placed here (origin top left, y downwards, points); Graphviz only draws it
(``neato -n2`` keeps every position and every line as given), so the same scene always gives
the same DOT text, byte for byte.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field

from bpr.core.text import for_dot, one_line
from bpr.layout.engine import Rect

__all__ = ["FONT", "Scene", "dot_string", "number"]

FONT = "DejaVu Sans"
ARROW = 7.0  # length of an arrowhead at arrowsize 0.7
# Attributes whose value Graphviz reads as an escString (``\N``, ``\l``...): their
# backslashes are doubled once more, so that the text shows as written.
_ESCAPE_STRINGS = frozenset({"tooltip", "URL", "href", "xlabel", "headlabel", "taillabel"})


@functools.lru_cache(maxsize=1 << 16)  # a picture's coordinates repeat along its grid
def number(value: float) -> str:
    """A coordinate as short, stable text: at most two decimals, no trailing zeros.

    >>> number(12.5), number(3.0), number(-0.004)
    ('12.5', '3', '0')
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# Text that :func:`bpr.core.text.for_dot` gives back as it is, with or without the second
# escaping: words of these characters, one space apart (numbers, colours, styles, ids).
_AS_IT_IS = re.compile(r"(?:[-A-Za-z0-9#.,:;_+%()/=]+(?: [-A-Za-z0-9#.,:;_+%()/=]+)*)?")


def dot_string(text: str, *, escape_string: bool = False) -> str:
    """A DOT double-quoted string made by :func:`bpr.core.text.for_dot`: backslashes and quotes
    escaped, lines joined, control characters (which Graphviz refuses) dropped.

    >>> print(dot_string('say "hi" \\\\ bye\\x00'))
    "say \\"hi\\" \\\\ bye"
    """
    if _AS_IT_IS.fullmatch(text):  # most of a scene's values: nothing to escape
        return f'"{text}"'
    return f'"{for_dot(text, escape_string=escape_string)}"'


@dataclass
class _Node:
    name: str
    rect: Rect
    attrs: dict[str, str]
    label: str  # an HTML-like label, without the outer angle brackets
    cluster: str | None


@dataclass
class _Cluster:
    name: str
    rect: Rect
    attrs: dict[str, str]
    parent: str | None


@dataclass
class _Edge:
    tail: str
    head: str
    points: tuple[tuple[float, float], ...]
    attrs: dict[str, str]


@dataclass
class Scene:
    """Bands (clusters), boxes (nodes) and lines (edges) at absolute positions."""

    width: float
    height: float
    comment: str = ""
    title: str = "bpr"  # the graph's name: SVG viewers show it as the picture's title
    page: bool = False  # exactly width x height: no pad, no PDF margin (a page-fit page)
    nodes: list[_Node] = field(default_factory=list)
    clusters: list[_Cluster] = field(default_factory=list)
    edges: list[_Edge] = field(default_factory=list)

    def band(self, name: str, rect: Rect, parent: str | None = None, **attrs: str) -> str:
        """A background band; nodes and bands inside it name it as their ``cluster``."""
        cluster = f"cluster_{name}"
        self.clusters.append(_Cluster(cluster, rect, attrs, parent))
        return cluster

    def box(
        self, name: str, rect: Rect, label: str = "", cluster: str | None = None, **attrs: str
    ) -> None:
        """A node of any shape filling ``rect``; ``label`` is HTML-like label text."""
        self.nodes.append(_Node(name, rect, attrs, label, cluster))

    def line(
        self, tail: str, head: str, points: tuple[tuple[float, float], ...], **attrs: str
    ) -> None:
        """A line from one node to another along ``points``, with an arrowhead at the end."""
        self.edges.append(_Edge(tail, head, points, attrs))

    def to_dot(self) -> str:
        """The scene as DOT text for ``neato -n2``."""
        out = []
        if self.comment:
            out.append(f"// {one_line(self.comment)}")
        out += [
            f"digraph {dot_string(self.title)} {{",
            f'  graph [bb="0,0,{number(self.width)},{number(self.height)}", '
            "outputorder=edgesfirst, "
            + ('pad="0", margin="0", ' if self.page else 'pad="0.1", ')
            + f'bgcolor="white", fontname="{FONT}", splines=true];',
            f'  node [fontname="{FONT}", fixedsize=true, margin=0, penwidth=1];',
            f'  edge [fontname="{FONT}", arrowsize=0.7, penwidth=1.2, color="#222222"];',
        ]
        children: dict[str | None, list[_Cluster]] = {}
        for cluster in self.clusters:
            children.setdefault(cluster.parent, []).append(cluster)
        members: dict[str | None, list[_Node]] = {}
        for node in self.nodes:
            members.setdefault(node.cluster, []).append(node)

        def emit(parent: str | None, indent: str) -> None:
            for cluster in children.get(parent, []):
                out.append(f"{indent}subgraph {dot_string(cluster.name)} {{")
                attrs = {"bb": self._bb(cluster.rect), **cluster.attrs}
                out.append(f"{indent}  graph [{_attributes(attrs)}];")
                emit(cluster.name, indent + "  ")
                out.append(f"{indent}}}")
            for node in members.get(parent, []):
                out.append(f"{indent}{self._node(node)}")

        emit(None, "  ")
        for edge in self.edges:
            attrs = {"pos": self._spline(edge.points), **edge.attrs}
            out.append(
                f"  {dot_string(edge.tail)} -> {dot_string(edge.head)} [{_attributes(attrs)}];"
            )
        out.append("}")
        return "\n".join(out) + "\n"

    def _y(self, y: float) -> float:
        return self.height - y

    def _bb(self, rect: Rect) -> str:
        return ",".join(
            number(v) for v in (rect.x, self._y(rect.bottom), rect.right, self._y(rect.y))
        )

    def _node(self, node: _Node) -> str:
        cx, cy = node.rect.center
        attrs = {
            "pos": f"{number(cx)},{number(self._y(cy))}",
            "width": f"{node.rect.width / 72:.4f}",
            "height": f"{node.rect.height / 72:.4f}",
            # The name becomes the SVG element's id (for tests and style sheets); what a
            # reader hovers over shows only tooltips made of the model's names.
            "id": node.name,
            **node.attrs,
        }
        label = f"label=<{node.label}>" if node.label else 'label=""'
        return f"{dot_string(node.name)} [{_attributes(attrs)}, {label}];"

    def _spline(self, points: tuple[tuple[float, float], ...]) -> str:
        """A polyline as Graphviz's B-spline with an arrowhead: ``e,end p0 c1 c2 p1 ...``."""
        pts = [(x, self._y(y)) for x, y in points]
        end = pts[-1]
        (ax, ay), (bx, by) = pts[-2], pts[-1]
        length = abs(bx - ax) + abs(by - ay)
        cut = min(ARROW, length / 2) if length else 0.0
        if length:
            pts[-1] = (bx - (bx - ax) / length * cut, by - (by - ay) / length * cut)
        spline = [pts[0]]
        for previous, point in itertools.pairwise(pts):
            spline += [previous, point, point]
        text = " ".join(f"{number(x)},{number(y)}" for x, y in spline)
        return f"e,{number(end[0])},{number(end[1])} {text}"


def _attributes(attrs: dict[str, str]) -> str:
    return ", ".join(
        f"{key}={dot_string(value, escape_string=key in _ESCAPE_STRINGS)}"
        for key, value in attrs.items()
    )
