"""The swimlane layout: lanes as ordered full-width bands, boxes inside lanes, clean routes."""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections import OrderedDict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bpr
from bpr.analysis.flownet import flow_net
from bpr.backend.graphviz import run_graphviz
from bpr.core import textmetrics
from bpr.core.i18n import use
from bpr.core.text import one_line
from bpr.core.textmetrics import text_width, truncate, wrap
from bpr.errors import ExecutableNotFound, GraphvizError
from bpr.layout import engine
from bpr.layout.content import task_box
from bpr.layout.engine import (
    EVENT_SIZE,
    GATEWAY_SIZE,
    TASK_HEIGHT,
    Layout,
    Rect,
    _fit_rows,
    edge_text,
    lane_order,
    layout_model,
)
from tests.conftest import DATA, model_files

RENDER_DATA = DATA / "render"
ALL_MODELS = [*model_files(), DATA / "contract-example.yaml", *sorted(RENDER_DATA.glob("*.yaml"))]


def _model(text: str) -> bpr.Model:
    return bpr.loads("bpr: 1\nservice: t\nvariant: as-is\n" + text)


LOOPS_TEXT = """
actors:
  a: {name: Applicant, kind: applicant}
  b: {name: Office B, agency: X}
  c: {name: Office C}
  d: {name: Office D, agency: X}
steps:
  - {id: s1, actor: a}
  - {id: s2, actor: b, next: {all: [s3, s4, s5]}}
  - {id: s3, actor: b, next: s6}
  - {id: s4, actor: b, next: s6}
  - {id: s5, actor: c, next: s6}
  - {id: s6, actor: d, join: all}
  - id: s7
    actor: b
    next: [{to: s1, p: 0.2, when: again}, {to: s2, p: 0.1, when: redo}, {to: s8, p: 0.7}]
  - {id: s8, actor: a, next: [{to: s8, p: 0.1, when: self}, {to: end, p: 0.9}]}
"""
LOOPS = _model(LOOPS_TEXT)


def _layouts() -> list[tuple[str, bpr.Model, Layout]]:
    out = []
    for path in ALL_MODELS:
        model = bpr.load(path)
        out.append((Path(path).name, model, layout_model(model)))
    out.append(("loops", LOOPS, layout_model(LOOPS)))
    return out


@pytest.fixture(scope="module")
def layouts() -> list[tuple[str, bpr.Model, Layout]]:
    return _layouts()


def test_lanes_follow_declaration_with_agencies_together() -> None:
    assert lane_order(LOOPS, ["d", "c", "b", "a"]) == ["a", "b", "d", "c"]
    lay = layout_model(LOOPS)
    assert [lane.actor for lane in lay.lanes] == ["a", "b", "d", "c"]
    assert [(g.agency, g.lanes) for g in lay.groups] == [("X", ("b", "d"))]
    group = lay.groups[0]
    assert group.rect.y == lay.lane("b").rect.y
    assert group.rect.bottom == lay.lane("d").rect.bottom


def test_only_actors_with_steps_get_lanes() -> None:
    model = _model("actors: {a: {name: A}, idle: {name: Idle}}\nsteps: [{id: x, actor: a}]\n")
    assert [lane.actor for lane in layout_model(model).lanes] == ["a"]


def test_lanes_are_stacked_full_width_bands(layouts: list[tuple[str, bpr.Model, Layout]]) -> None:
    for name, _, lay in layouts:
        y = 0.0
        for lane in lay.lanes:
            assert lane.rect.x == 0 and lane.rect.width == pytest.approx(lay.width), name
            assert lane.rect.y == pytest.approx(y), name
            assert lane.label_rect is not None and lane.rect.contains(lane.label_rect), name
            y = lane.rect.bottom
        assert y == pytest.approx(lay.height), name


def test_every_node_lies_in_its_lane_after_the_header(
    layouts: list[tuple[str, bpr.Model, Layout]],
) -> None:
    for name, model, lay in layouts:
        net = flow_net(model)
        assert set(lay.nodes) == {n.id for n in net.nodes}, name
        for node_id, box in lay.nodes.items():
            lane = lay.lane(box.node.lane)
            assert lane.rect.contains(box.rect), (name, node_id)
            assert box.rect.x >= lay.header_width, (name, node_id)
            if box.label is not None:
                assert lane.rect.contains(box.label), (name, node_id)


def test_boxes_do_not_overlap(layouts: list[tuple[str, bpr.Model, Layout]]) -> None:
    for name, _, lay in layouts:
        boxes = list(lay.nodes.values())
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not _overlap(a.rect, b.rect), (name, a.node.id, b.node.id)


def test_sizes_of_the_notation(layouts: list[tuple[str, bpr.Model, Layout]]) -> None:
    for _, _, lay in layouts:
        for box in lay.nodes.values():
            if box.node.kind == "task":
                assert box.rect.height >= TASK_HEIGHT
            elif box.node.kind in ("start", "end"):
                assert (box.rect.width, box.rect.height) == (EVENT_SIZE, EVENT_SIZE)
            else:
                assert (box.rect.width, box.rect.height) == (GATEWAY_SIZE, GATEWAY_SIZE)


def test_routes_run_from_boundary_to_boundary(layouts: list[tuple[str, bpr.Model, Layout]]) -> None:
    for name, model, lay in layouts:
        assert [r.edge for r in lay.edges] == flow_net(model).edges, name
        for route in lay.edges:
            source = lay.nodes[route.edge.source].rect
            target = lay.nodes[route.edge.target].rect
            assert len(route.points) >= 2
            assert _on_boundary(route.points[0], source), (name, route.edge)
            assert _on_boundary(route.points[-1], target), (name, route.edge)


def test_routes_are_orthogonal_and_cross_no_box(
    layouts: list[tuple[str, bpr.Model, Layout]],
) -> None:
    for name, _, lay in layouts:
        for route in lay.edges:
            for a, b in zip(route.points, route.points[1:], strict=False):
                assert a[0] == b[0] or a[1] == b[1], (name, route.edge, a, b)
                for node_id, box in lay.nodes.items():
                    if node_id in (route.edge.source, route.edge.target):
                        continue
                    assert not _crosses(a, b, box.rect), (name, route.edge, node_id)


def test_decision_flows_carry_their_labels(layouts: list[tuple[str, bpr.Model, Layout]]) -> None:
    for name, _, lay in layouts:
        for route in lay.edges:
            if route.edge.p is None:
                assert route.label is None and route.text == ""
            else:
                assert route.text == edge_text(route.edge), name
                assert route.label is not None
                assert route.label.x >= 0 and route.label.right <= lay.width, name
    texts = {r.text for r in layout_model(LOOPS).edges}
    assert {"again 20%", "redo 10%", "70%", "self 10%", "90%"} <= texts


def test_layout_is_deterministic() -> None:
    model = bpr.load(ALL_MODELS[0])
    assert layout_model(model) == layout_model(model)


def test_sizes_override_the_default() -> None:
    model = _model("actors: {a: {name: A}}\nsteps: [{id: x, actor: a}, {id: y, actor: a}]\n")
    lay = layout_model(model, sizes={"x": (200.0, 150.0)})
    assert (lay.nodes["x"].rect.width, lay.nodes["x"].rect.height) == (200.0, 150.0)
    assert lay.nodes["y"].rect.height == TASK_HEIGHT
    assert lay.lane("a").rect.contains(lay.nodes["x"].rect)


def test_one_step_model() -> None:
    model = _model("actors: {a: {name: A}}\nsteps: [{id: only, actor: a}]\n")
    lay = layout_model(model)
    assert list(lay.nodes) == ["event:start", "only", "event:end"]
    xs = [lay.nodes[n].rect.x for n in lay.nodes]
    assert xs == sorted(xs)


def test_parallel_branches_in_one_lane_get_rows() -> None:
    lay = layout_model(LOOPS)
    s3, s4 = lay.nodes["s3"].rect, lay.nodes["s4"].rect
    assert s3.x == s4.x and s3.y != s4.y


def test_fit_rows_keeps_order_and_prefers_wanted_rows() -> None:
    assert _fit_rows([None, None], 2) == [0, 1]
    assert _fit_rows([2], 3) == [2]
    assert _fit_rows([None], 3) == [0]
    assert _fit_rows([1, 1], 3) in ([0, 1], [1, 2])
    assert _fit_rows([None, None, None], 3) == [0, 1, 2]


def test_missing_dot_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ExecutableNotFound, match="apt-get install graphviz"):
        layout_model(LOOPS)


def test_a_large_source_reaches_a_slow_graphviz_whole(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Graphviz is waited on in short steps; a source larger than a pipe holds must still
    reach a program that starts reading late (a big model's neato did not get its end)."""
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nsleep 0.3\nexec cat\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    source = "".join(f"// line {i} of a large DOT source\n" for i in range(40_000))
    assert run_graphviz("dot", [], source, timeout=20) == source.encode()


def test_a_temporary_folder_that_cannot_be_written_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The source reaches Graphviz through a temporary file: where none can be made, the
    message names the folder and the fix (issue 18 #3), not a traceback."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    with pytest.raises(GraphvizError, match=r"missing cannot be written .*set TMPDIR"):
        run_graphviz("dot", ["-Tplain"], "digraph { a }\n")


def _overlap(a: Rect, b: Rect) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def _on_boundary(p: tuple[float, float], r: Rect, tol: float = 0.02) -> bool:
    x, y = p
    inside_x = r.x - tol <= x <= r.right + tol
    inside_y = r.y - tol <= y <= r.bottom + tol
    on_vertical = (abs(x - r.x) <= tol or abs(x - r.right) <= tol) and inside_y
    on_horizontal = (abs(y - r.y) <= tol or abs(y - r.bottom) <= tol) and inside_x
    return on_vertical or on_horizontal


def _crosses(a: tuple[float, float], b: tuple[float, float], r: Rect) -> bool:
    """Whether an axis-parallel segment passes through the inside of a rectangle."""
    x0, x1 = sorted((a[0], b[0]))
    y0, y1 = sorted((a[1], b[1]))
    return x0 < r.right - 0.5 and x1 > r.x + 0.5 and y0 < r.bottom - 0.5 and y1 > r.y + 0.5


def test_unrelated_routes_never_run_along_each_other(
    layouts: list[tuple[str, bpr.Model, Layout]],
) -> None:
    """Lines may merge only where they share a source or a target (a fork or a join)."""
    for name, _, lay in layouts:
        for i, r1 in enumerate(lay.edges):
            for r2 in lay.edges[i + 1 :]:
                if r1.edge.source == r2.edge.source or r1.edge.target == r2.edge.target:
                    continue
                for s in zip(r1.points, r1.points[1:], strict=False):
                    for t in zip(r2.points, r2.points[1:], strict=False):
                        assert not _collinear_overlap(s, t), (name, r1.edge, r2.edge)


Segment = tuple[tuple[float, float], tuple[float, float]]


def _collinear_overlap(s: Segment, t: Segment) -> bool:
    (a, b), (c, d) = s, t
    for axis in (0, 1):
        other = 1 - axis
        if a[axis] == b[axis] == c[axis] == d[axis]:
            lo1, hi1 = sorted((a[other], b[other]))
            lo2, hi2 = sorted((c[other], d[other]))
            return min(hi1, hi2) - max(lo1, lo2) > 0.5
    return False


def test_many_loops_back_to_the_start_stay_fast() -> None:
    """Every check may send the case back to the start: dot took minutes on the flows back
    (150 steps: 30 s; 300: a crash of Graphviz 2.43) until they were left out of the ranking."""
    import time

    steps = []
    for i in range(300):
        after = f"s{i + 1}" if i < 299 else "end"
        steps.append(
            f"  - {{id: s{i}, actor: {'ab'[i % 2]}, next: [{{to: s0, p: 0.01}}, "
            f"{{to: {after}, p: 0.99}}]}}"
        )
    model = _model("actors: {a: {name: A}, b: {name: B}}\nsteps:\n" + "\n".join(steps) + "\n")
    started = time.perf_counter()
    lay = layout_model(model)
    assert time.perf_counter() - started < 10
    xs = [lay.nodes[f"s{i}"].rect.x for i in range(300)]
    assert xs == sorted(xs)  # the loops do not disturb the order of the steps


def _measured(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count how many characters the text metrics measure from now on."""
    calls = [0]
    measure = textmetrics._char_width

    def counting(char: str) -> float:
        calls[0] += 1
        return measure(char)

    monkeypatch.setattr(textmetrics, "_char_width", counting)
    return calls


def test_wrapping_a_word_without_spaces_is_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 5,000-character name took over a minute: every cut re-measured the rest of the word."""
    calls = _measured(monkeypatch)
    work = []
    for n in (300, 1500):
        calls[0] = 0
        lines = wrap("ab" * (n // 2), 116, 9, bold=True)
        work.append(calls[0])
        assert "".join(line.removesuffix("-") for line in lines) == "ab" * (n // 2)
        assert all(text_width(line, 9, bold=True) <= 116 for line in lines)
        calls[0] = 0
        assert truncate("w" * n, 116, 9).endswith("…")
        work.append(calls[0])
    assert work[2] < 7 * work[0] and work[3] < 7 * work[1]  # 5 times the text, 5 times the work


def test_laying_out_a_name_of_5000_characters_is_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    """Step, actor, agency and condition of any length: the measuring grows with the text."""
    calls = _measured(monkeypatch)
    work = []
    for n in (1000, 5000):
        name = "x" * n
        model = _model(
            f"name: {name}\nactors: {{a: {{name: {name}, agency: {name}}}}}\n"
            f"steps: [{{id: s, name: {name}, actor: a, "
            f"next: [{{to: end, p: 0.5, when: {name}}}, {{to: s, p: 0.5}}]}}]\n"
        )
        calls[0] = 0
        lay = layout_model(model)
        work.append(calls[0])
        assert lay.nodes["s"].rect.width == 130
    assert work[1] < 7 * work[0]


def test_wrapping_cuts_only_words_longer_than_a_line() -> None:
    assert wrap("Notarise the contract", 80, 10) == ["Notarise the", "contract"]
    assert wrap("Re-registration of the flat", 40, 10) == ["Re-regi-", "stration", "of the", "flat"]
    lines = wrap("Re-registration of the flat", 40, 10, max_lines=2)
    assert lines == ["Re-regi-", "stratio…"]
    assert all(text_width(line, 10) <= 40 for line in lines)
    assert wrap("W", 5, 10) == ["W"]  # one character wider than the line stays whole


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(st.sampled_from(list("aiWm -é\u0301中\u200d\n")) | st.characters(), max_size=200),
    width=st.floats(min_value=1, max_value=400),
    size=st.sampled_from([7.0, 9.0, 15.0]),
    bold=st.booleans(),
)
def test_wrapped_lines_fit_keep_every_character_and_cost_linear_time(
    text: str, width: float, size: float, bold: bool
) -> None:
    """Any text, any width: every line fits (or is one character too wide to cut), no
    character is lost, and the characters measured grow linearly with the text."""
    measure = textmetrics._char_width
    calls = [0]

    def counting(char: str) -> float:
        calls[0] += 1
        return measure(char)

    textmetrics._char_width = counting  # hypothesis runs examples in one test call
    try:
        lines = wrap(text, width, size, bold=bold)
    finally:
        textmetrics._char_width = measure
    for line in lines:
        assert text_width(line, size, bold=bold) <= width or len(line.removesuffix("-")) <= 1
    kept = "".join(lines).replace("-", "").replace(" ", "")
    assert kept == one_line(text).replace("-", "").replace(" ", "")
    assert calls[0] <= 4 * len(text) + 4


@st.composite
def _random_models(draw: st.DrawFn) -> bpr.Model:
    """A random process: a few actors, steps in sequence, decisions of two or three ways
    (forwards, back to an earlier step, to the end) with labels, some parallel blocks."""
    count = draw(st.integers(min_value=2, max_value=12))
    actors = draw(st.integers(min_value=1, max_value=4))
    lines = ["actors:"] + [f"  a{i}: {{name: Actor {i}}}" for i in range(actors)] + ["steps:"]
    for index in range(count):
        actor = draw(st.integers(min_value=0, max_value=actors - 1))
        line = f"  - {{id: s{index}, actor: a{actor}"
        later = list(range(index + 1, count))
        if later and draw(st.booleans()):
            ways = draw(st.integers(min_value=2, max_value=3))
            others = [f"s{i}" for i in range(index + 1)] + ["end"]
            others += [f"s{i}" for i in later[1:]]
            rest = draw(
                st.lists(st.sampled_from(others), min_size=ways - 1, max_size=ways - 1, unique=True)
            )
            targets = [f"s{later[0]}", *rest]
            share = round(1 / ways, 2)
            ps = [share] * (ways - 1) + [round(1 - share * (ways - 1), 2)]
            conditions = ["complete", "incomplete", "appeal", "rejected after review", "again"]
            words = draw(
                st.lists(st.sampled_from(conditions), min_size=ways, max_size=ways, unique=True)
            )
            branches = ", ".join(
                f"{{to: {t}, p: {p}, when: {w}}}"
                for t, p, w in zip(targets, ps, words, strict=True)
            )
            line += f", next: [{branches}]"
        lines.append(line + "}")
    return _model("\n".join(lines) + "\n")


def _labels(lay: Layout) -> list[tuple[str, Rect]]:
    out = [(f"flow {i}", r.label) for i, r in enumerate(lay.edges) if r.label is not None]
    out += [(f"event {n}", b.label) for n, b in lay.nodes.items() if b.label is not None]
    return out


def _label_problems(lay: Layout) -> list[str]:
    """Labels (of flows and events) over another label or a box, and flow lines through a
    label."""
    problems = []
    labels = _labels(lay)
    for i, (name, rect) in enumerate(labels):
        for other, rect2 in labels[i + 1 :]:
            if _overlap(rect, rect2):
                problems.append(f"{name} overlaps {other}")
        for node_id, box in lay.nodes.items():
            if _overlap(rect, box.rect):
                problems.append(f"{name} overlaps node {node_id}")
        for k, route in enumerate(lay.edges):
            for a, b in zip(route.points, route.points[1:], strict=False):
                if _crosses(a, b, rect):
                    problems.append(f"flow {k} crosses {name}")
    return problems


THREE_WAYS = _model(
    """
actors: {a0: {name: Clerk}}
steps:
  - id: s0
    actor: a0
    next: [{to: s1, p: 0.33, when: complete}, {to: end, p: 0.33, when: incomplete},
           {to: s2, p: 0.34, when: appeal}]
  - {id: s1, actor: a0}
  - id: s2
    actor: a0
    next: [{to: end, p: 0.3, when: complete}, {to: s0, p: 0.4, when: incomplete},
           {to: s1, p: 0.3, when: rejected after review}]
"""
)


@settings(max_examples=150, deadline=None)
@given(_random_models())
def test_no_label_overlaps_another_label_or_a_box(model: bpr.Model) -> None:
    """Branch labels (a three-way decision has three) and event names keep clear of each
    other and of every box, and no flow line runs through one: in render and in the BPMN
    export's diagram, which both draw this layout, at full size and compact (for pages)."""
    assert _label_problems(layout_model(model)) == []
    assert _label_problems(layout_model(model, compact=True)) == []


# A decision whose only stretch is a short run into a step that two other flows also enter
# from a line in the same channel: every place beside that stretch was crossed by the line,
# so the label lay across it. The channel now keeps room for the label left of its lines.
CROWDED_CHANNEL = _model(
    """
actors: {a0: {name: Actor 0}, a1: {name: Actor 1}}
steps:
  - id: s0
    actor: a0
    next: [{to: s1, p: 0.33, when: complete}, {to: s0, p: 0.33, when: incomplete},
           {to: s5, p: 0.34, when: appeal}]
  - {id: s1, actor: a0}
  - {id: s2, actor: a0}
  - {id: s3, actor: a0}
  - {id: s4, actor: a0, next: [{to: s5, p: 0.5, when: complete}, {to: s0, p: 0.5, when: incomplete}]}
  - {id: s5, actor: a0}
  - {id: s6, actor: a1, next: [{to: s7, p: 0.5, when: complete}, {to: s5, p: 0.5, when: incomplete}]}
  - {id: s7, actor: a0}
"""
)


def test_a_label_keeps_clear_of_the_lines_of_a_crowded_channel() -> None:
    lay = layout_model(CROWDED_CHANNEL)
    assert _label_problems(lay) == []
    label = next(r.label for r in lay.edges if r.edge.source == "xor:s4" and r.edge.target == "s5")
    assert label is not None
    lines = [  # the vertical lines in the channel between the decision and s5
        a[0]
        for r in lay.edges
        for a, b in itertools.pairwise(r.points)
        if a[0] == b[0] and lay.nodes["xor:s4"].rect.right < a[0] < lay.nodes["s5"].rect.x
    ]
    assert lines and all(x > label.right for x in lines)
    assert _bpmn_label_problems(CROWDED_CHANNEL) == []


def test_no_flow_line_runs_through_a_label(
    layouts: list[tuple[str, bpr.Model, Layout]],
) -> None:
    for name, _, lay in [*layouts, ("three ways", THREE_WAYS, layout_model(THREE_WAYS))]:
        assert _label_problems(lay) == [], name
    texts = {route.text for route in layout_model(THREE_WAYS).edges}
    assert {"complete 33%", "incomplete 33%", "appeal 34%", "rejected after review 30%"} <= texts


def _bpmn_diagram(
    model: bpr.Model,
) -> tuple[list[Rect], list[Rect], list[list[tuple[float, float]]]]:
    """The BPMN export's diagram: labels of flows and events, boxes of the flow's nodes,
    and the flows' waypoints."""
    import xml.etree.ElementTree as ET

    from bpr.bpmn.export import to_bpmn

    di = "{http://www.omg.org/spec/BPMN/20100524/DI}"
    dc = "{http://www.omg.org/spec/DD/20100524/DC}"
    ddi = "{http://www.omg.org/spec/DD/20100524/DI}"

    def rect(element: ET.Element) -> Rect:
        b = element.find(f"{dc}Bounds")
        assert b is not None
        return Rect(*(float(b.get(k, "0")) for k in ("x", "y", "width", "height")))

    root = ET.fromstring(to_bpmn(model))
    labels, boxes, flows = [], [], []
    for shape in root.iter(f"{di}BPMNShape"):
        element = shape.get("bpmnElement", "")
        if element.startswith(("Task_", "Gateway_", "StartEvent_", "EndEvent_")):
            boxes.append(rect(shape))
        label = shape.find(f"{di}BPMNLabel")
        if label is not None and not element.startswith("DataObject"):
            labels.append(rect(label))
    for edge in root.iter(f"{di}BPMNEdge"):
        if not edge.get("bpmnElement", "").startswith("Flow_"):
            continue
        points = [(float(p.get("x", 0)), float(p.get("y", 0))) for p in edge.iter(f"{ddi}waypoint")]
        flows.append(points)
        label = edge.find(f"{di}BPMNLabel")
        if label is not None:
            labels.append(rect(label))
    return labels, boxes, flows


def _bpmn_label_problems(model: bpr.Model) -> list[str]:
    labels, boxes, flows = _bpmn_diagram(model)
    problems = []
    for i, label in enumerate(labels):
        problems += [
            f"label {i} overlaps label {j}"
            for j in range(i + 1, len(labels))
            if _overlap(label, labels[j])
        ]
        problems += [f"label {i} overlaps a shape" for box in boxes if _overlap(label, box)]
        for points in flows:
            for a, b in itertools.pairwise(points):
                if _crosses(a, b, label):
                    problems.append(f"a flow crosses label {i}")
    return problems


@settings(max_examples=40, deadline=None)
@given(_random_models())
def test_the_bpmn_diagram_keeps_its_labels_clear_too(model: bpr.Model) -> None:
    """The BPMN export's diagram (its flow and event labels, where bpmn.io and Camunda draw
    them) follows the same layout: no label over another label or a shape, and no flow
    through a label."""
    assert _bpmn_label_problems(model) == []


def test_no_flow_of_a_shipped_bpmn_diagram_runs_through_a_label() -> None:
    for path in [*ALL_MODELS]:
        assert _bpmn_label_problems(bpr.load(path)) == [], path
    assert _bpmn_label_problems(THREE_WAYS) == []


def test_a_flow_net_is_ranked_by_dot_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # the process diagram and the comparison of a report, or a page-fit drawing's tries of
    # each orientation, rank the same net: dot is asked once, and the layout is the same
    monkeypatch.setattr(engine, "_PLAIN", OrderedDict())
    runs: list[str] = []

    def counted(program: str, args: list[str], source: str, **kwargs: object) -> bytes:
        runs.append(program)
        return run_graphviz(program, args, source)

    monkeypatch.setattr(engine, "run_graphviz", counted)
    text = LOOPS_TEXT.replace("Office C", "Office C (ranked once)")
    first = layout_model(_model(text))
    again = layout_model(_model(text), sizes={"s1": (130.0, 120.0)})  # other boxes, same net
    assert runs == ["dot"]
    assert again.nodes["s7"].rect.x == first.nodes["s7"].rect.x
    assert layout_model(_model(text)) == first
    layout_model(_model(text.replace("p: 0.1, when: redo", "p: 0.1, when: back")))
    skip = "{id: s1, actor: a, next: [{to: s2, p: 0.5}, {to: s7, p: 0.5}]}"
    layout_model(_model(text.replace("{id: s1, actor: a}", skip)))
    assert runs == ["dot", "dot"]  # a label is not ranked; another flow is


def test_a_task_box_is_made_again_in_another_language_or_for_another_step() -> None:
    model = _model(
        "actors: {a: {name: A}}\n"
        "steps: [{id: x, name: Check, actor: a, channel: in-person, work: 1h, wait: 2d}]\n"
    )
    english = task_box(model, model.first)
    assert task_box(model, model.first) is english
    with use("ru"):
        russian = task_box(model, model.first)
    assert [line.text for line in russian.lines] != [line.text for line in english.lines]
    assert task_box(model, model.first) is english
    badged = task_box(model, model.first, "NEW")
    assert badged.lines[0].text == "NEW"
    renamed = dataclasses.replace(model.first, name="Check the whole file")
    assert [line.text for line in task_box(model, renamed).lines][1] == "Check the whole file"
