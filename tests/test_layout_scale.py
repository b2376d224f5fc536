"""The layout of large models: the flow net's own ranking gives valid pictures, ``"auto"``
leaves ``dot`` out past its limit, and the router's indexes answer as a scan would."""

from __future__ import annotations

import itertools
import os
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bpr
from bpr.analysis.flownet import FlowNet, flow_net
from bpr.layout import engine
from bpr.layout.engine import Layout, Rect, flow_ranks, layout_model
from tests.conftest import script_module

IRREGULAR = script_module("benchmarks/generate_irregular.py")


def _model(text: str) -> bpr.Model:
    return bpr.loads("bpr: 1\nservice: t\nvariant: as-is\n" + text)


# A parallel block inside a rework loop, a choice inside one branch that may skip straight
# to the join, a loop of one step, and a choice whose branch ends the process.
NESTED = _model(
    """
actors:
  a: {name: Applicant, kind: applicant}
  b: {name: Office B, agency: X}
  c: {name: Office C, agency: X}
  d: {name: Registry}
steps:
  - {id: s1, actor: a}
  - {id: s2, actor: b, next: {all: [s3, s6]}}
  - id: s3
    actor: b
    next: [{to: s4, p: 0.5, when: long}, {to: s8, p: 0.5, when: short}]
  - {id: s4, actor: c}
  - {id: s5, actor: d, next: [{to: s5, p: 0.1, when: again}, {to: s8, p: 0.9}]}
  - {id: s6, actor: c}
  - {id: s7, actor: b, next: s8}
  - {id: s8, actor: d, join: all}
  - id: s9
    actor: b
    next: [{to: s2, p: 0.2, when: rework}, {to: s10, p: 0.7}, {to: end, p: 0.1, when: refused}]
  - {id: s10, actor: a}
"""
)

# Two parallel blocks one inside the other, in one lane: their branches share columns.
TWO_LEVELS = _model(
    """
actors: {a: {name: A}, b: {name: B}}
steps:
  - {id: p, actor: a, next: {all: [q, x]}}
  - {id: q, actor: a, next: {all: [r, s]}}
  - {id: r, actor: a, next: t}
  - {id: s, actor: b, next: t}
  - {id: t, actor: a, join: all, next: z}
  - {id: x, actor: a}
  - {id: y, actor: b, next: z}
  - {id: z, actor: a, join: all}
"""
)


def _reaches(net: FlowNet) -> dict[str, set[str]]:
    """Every node each node reaches along the flows (a breadth-first walk per node)."""
    out: dict[str, list[str]] = defaultdict(list)
    for edge in net.edges:
        out[edge.source].append(edge.target)
    reach: dict[str, set[str]] = {}
    for node in net.nodes:
        seen: set[str] = set()
        todo = [node.id]
        while todo:
            for target in out[todo.pop()]:
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        reach[node.id] = seen
    return reach


def _overlap(a: Rect, b: Rect) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def _on_boundary(point: tuple[float, float], r: Rect, tol: float = 0.02) -> bool:
    x, y = point
    within_x = r.x - tol <= x <= r.right + tol
    within_y = r.y - tol <= y <= r.bottom + tol
    vertical = (abs(x - r.x) <= tol or abs(x - r.right) <= tol) and within_y
    horizontal = (abs(y - r.y) <= tol or abs(y - r.bottom) <= tol) and within_x
    return vertical or horizontal


def _crosses(a: tuple[float, float], b: tuple[float, float], r: Rect) -> bool:
    x0, x1 = sorted((a[0], b[0]))
    y0, y1 = sorted((a[1], b[1]))
    return x0 < r.right - 0.5 and x1 > r.x + 0.5 and y0 < r.bottom - 0.5 and y1 > r.y + 0.5


def _along(s: tuple[tuple[float, float], ...], t: tuple[tuple[float, float], ...]) -> bool:
    """Whether two axis-parallel segments run along each other for more than half a point."""
    (a, b), (c, d) = s, t
    for axis in (0, 1):
        if a[axis] == b[axis] == c[axis] == d[axis]:
            low1, high1 = sorted((a[1 - axis], b[1 - axis]))
            low2, high2 = sorted((c[1 - axis], d[1 - axis]))
            return min(high1, high2) - max(low1, low2) > 0.5
    return False


def _problems(model: bpr.Model, lay: Layout) -> list[str]:
    """What is wrong with a layout, in words (nothing for a valid one)."""
    net = flow_net(model)
    found = []
    if set(lay.nodes) != {n.id for n in net.nodes}:
        found.append("the boxes are not the flow net's nodes")
    boxes = list(lay.nodes.values())
    for one, other in itertools.combinations(boxes, 2):
        if _overlap(one.rect, other.rect):
            found.append(f"{one.node.id} overlaps {other.node.id}")
    for box in boxes:
        if not lay.lane(box.node.lane).rect.contains(box.rect):
            found.append(f"{box.node.id} is outside its lane")
    if [route.edge for route in lay.edges] != net.edges:
        found.append("the routes are not the flow net's flows")
    reach = _reaches(net)
    for route in lay.edges:
        s, t = route.edge.source, route.edge.target
        source, target = lay.nodes[s].rect, lay.nodes[t].rect
        if not (_on_boundary(route.points[0], source) and _on_boundary(route.points[-1], target)):
            found.append(f"{s} -> {t} does not connect its boxes")
        if target.center[0] <= source.center[0] and s not in reach[t]:
            found.append(f"{s} -> {t} goes back but closes no loop")
        for a, b in itertools.pairwise(route.points):
            if a[0] != b[0] and a[1] != b[1]:
                found.append(f"{s} -> {t} has a slanted segment")
            for node_id, box in lay.nodes.items():
                if node_id not in (s, t) and _crosses(a, b, box.rect):
                    found.append(f"{s} -> {t} crosses {node_id}")
    for r1, r2 in itertools.combinations(lay.edges, 2):
        if r1.edge.source == r2.edge.source or r1.edge.target == r2.edge.target:
            continue  # a fork or a join: these lines may merge
        for s1 in itertools.pairwise(r1.points):
            if any(_along(s1, s2) for s2 in itertools.pairwise(r2.points)):
                found.append(f"{r1.edge} runs along {r2.edge}")
                break
    return found


@pytest.mark.parametrize("model", [NESTED, TWO_LEVELS], ids=["nested", "two-levels"])
def test_the_flow_ranking_of_hand_made_models_is_valid(model: bpr.Model) -> None:
    assert _problems(model, layout_model(model, ranking="flow")) == []


@pytest.mark.parametrize("seed", range(1, 9))
def test_the_flow_ranking_of_generated_irregular_models_is_valid(seed: int) -> None:
    model = bpr.loads(IRREGULAR.irregular_model_text(40 + 25 * seed, seed=seed))
    assert _problems(model, layout_model(model, ranking="flow")) == []


def test_flow_ranks_put_each_node_after_all_that_flow_into_it() -> None:
    """Hand-checked on NESTED: the flow back from s9 to s2 and the loop of s5 are left out,
    s8's join comes after both branches (the merge of the first branch's flows, after s5,
    and s7), and the split's branches in one column follow the file (s3 above s6)."""
    ranks = flow_ranks(flow_net(NESTED))
    columns = {node: column for node, (column, _) in ranks.items()}
    assert [columns[n] for n in ("event:start", "s1", "s2", "split:s2", "s3", "s6")] == [
        0,
        1,
        2,
        3,
        4,
        4,
    ]
    assert [columns[n] for n in ("xor:s3", "s4", "s7", "s5", "xor:s5")] == [5, 6, 5, 7, 8]
    assert columns["join:s8"] == 1 + max(columns["branch:s3"], columns["s7"])
    assert ranks["s4"][0] == ranks["s7"][0] + 1
    assert ranks["s3"][1] < ranks["s6"][1]  # in one column: the first branch on top
    assert columns["event:end"] == columns["xor:s9"] + 2  # after s10


def test_an_auto_layout_past_the_limit_does_not_run_dot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past DOT_RANKING_LIMIT nodes the layout needs no Graphviz at all; within it, dot."""
    folder = tmp_path / "bin"
    folder.mkdir()
    dot = folder / "dot"
    dot.write_text("#!/bin/sh\necho 'dot was run' >&2\nexit 3\n")
    dot.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    nodes = len(flow_net(NESTED).nodes)
    monkeypatch.setattr(engine, "DOT_RANKING_LIMIT", nodes - 1)
    lay = layout_model(NESTED)
    assert _problems(NESTED, lay) == []
    assert lay.nodes.keys() == layout_model(NESTED, ranking="flow").nodes.keys()
    monkeypatch.setattr(engine, "DOT_RANKING_LIMIT", nodes)
    with pytest.raises(bpr.errors.GraphvizError, match="dot was run"):
        layout_model(NESTED)


def test_a_large_irregular_model_is_laid_out_whole() -> None:
    """3,000 steps of random nesting, past dot's limit: the boxes do not overlap and lie in
    their lanes, every flow connects its boxes, and a flow goes left only where it closes a
    loop."""
    model = bpr.loads(IRREGULAR.irregular_model_text(3000, seed=7))
    net = flow_net(model)
    assert len(net.nodes) > engine.DOT_RANKING_LIMIT
    lay = layout_model(model)
    boxes = sorted(lay.nodes.values(), key=lambda box: box.rect.x)
    for i, box in enumerate(boxes):  # a sweep from left to right
        assert lay.lane(box.node.lane).rect.contains(box.rect)
        for other in boxes[i + 1 :]:
            if other.rect.x >= box.rect.right:
                break
            assert not _overlap(box.rect, other.rect), (box.node.id, other.node.id)
    out: dict[str, list[str]] = defaultdict(list)
    for edge in net.edges:
        out[edge.source].append(edge.target)
    assert [route.edge for route in lay.edges] == net.edges
    back = 0
    for route in lay.edges:
        s, t = route.edge.source, route.edge.target
        source, target = lay.nodes[s].rect, lay.nodes[t].rect
        assert _on_boundary(route.points[0], source) and _on_boundary(route.points[-1], target)
        if target.center[0] <= source.center[0]:
            back += 1
            seen, todo = {t}, [t]
            while todo and s not in seen:
                for n in out[todo.pop()]:
                    if n not in seen:
                        seen.add(n)
                        todo.append(n)
            assert s in seen, f"{s} -> {t} goes back but closes no loop"
    assert back > 0  # the model has loops, so some flows go back


# -- the router's indexes against the scans they replace ---------------------------------

_stretch = st.tuples(
    st.integers(0, 30), st.integers(0, 30), st.sampled_from("abc"), st.sampled_from("xyz")
)


@given(st.lists(_stretch, max_size=25), _stretch)
def test_claimed_stretches_answer_as_a_scan_of_them_would(
    claimed: list[tuple[int, int, str, str]], asked: tuple[int, int, str, str]
) -> None:
    taken = engine._Stretches()
    for a, b, s, t in claimed:
        taken.add(min(a, b), max(a, b), s, t)
    low, high, s, t = asked
    low, high = min(low, high), max(low, high)
    scan = all(
        s == source or t == target or max(low, min(a, b)) >= min(high, max(a, b))
        for a, b, source, target in claimed
    )
    assert taken.clear(low, high, s, t) == scan
    assert taken.clear(high, low, s, t) == scan


@given(
    st.sets(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40),
    st.integers(0, 12),
    st.integers(0, 12),
    st.integers(0, 12),
)
def test_occupied_cells_answer_as_a_scan_of_them_would(
    cells: set[tuple[int, int]], line: int, first: int, last: int
) -> None:
    occupied = engine._Occupied(cells)
    row_scan = all((c, line) not in cells for c in range(first, last + 1))
    low, high = min(first, last), max(first, last)
    column_scan = all((line, r) not in cells for r in range(low, high + 1))
    assert occupied.free_row(line, first, last) == row_scan
    assert occupied.free_column(line, first, last) == column_scan
