"""Diagrams draw each phase as a labelled group around the boxes of its steps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import bpr
from bpr.core.model import Model
from bpr.layout.engine import Layout, Rect, layout_model
from bpr.layout.phases import PhaseBox, phase_boxes
from bpr.render import process_dot, process_pages
from tests.conftest import DATA

MODEL = DATA / "render" / "phases.yaml"
_NODE = re.compile(
    r'^\s*"([^"]+)" \[pos="([-\d.]+),([-\d.]+)", width="([\d.]+)", height="([\d.]+)"'
)


def _overlaps(a: Rect, b: Rect) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def _dot_rects(dot: str) -> dict[str, Rect]:
    """Every node of DOT text as a rectangle (Graphviz's y upwards, which keeps containment)."""
    out = {}
    for line in dot.splitlines():
        match = _NODE.match(line)
        if match:
            name, cx, cy, w, h = match.groups()
            width, height = float(w) * 72, float(h) * 72
            out[name] = Rect(float(cx) - width / 2, float(cy) - height / 2, width, height)
    return out


def _without_phases(path: Path, tmp_path: Path) -> Model:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^phases:\n(?:  .*\n)+", "", text)
    text = re.sub(r"(?m)^    phase: .*\n", "", text)
    assert "phase:" not in text and "\nphases:" not in text
    plain = tmp_path / "plain.yaml"
    plain.write_text(text, encoding="utf-8")
    return bpr.load(plain)


@pytest.fixture(scope="module")
def model() -> Model:
    return bpr.load(MODEL)


@pytest.fixture(scope="module")
def layout(model: Model) -> Layout:
    return layout_model(model)


def test_one_group_per_phase_with_its_name(model: Model) -> None:
    dot = process_dot(model)
    assert dot.count('"phase_apply" [') == 1
    assert dot.count('"phase_review" [') == 1
    assert len(re.findall(r'^\s*"phase_[a-z]+" \[', dot, re.M)) == 2
    assert re.search(r'"phase_label_apply" \[.*<B>Application</B>', dot)
    assert re.search(r'"phase_label_review" \[.*<B>Review and decision</B>', dot)
    assert 'tooltip="Phase: Review and decision"' in dot


def test_each_group_encloses_exactly_its_steps(model: Model, layout: Layout) -> None:
    boxes = {box.phase: box for box in phase_boxes(model, layout)}
    assert list(boxes) == ["apply", "review"]
    tasks = {b.node.step: b.rect for b in layout.nodes.values() if b.node.kind == "task"}
    members = {"apply": {"fill", "submit"}, "review": {"check", "decide"}}
    for phase, steps in members.items():
        rect = boxes[phase].rect
        for step, box in tasks.items():
            if step in steps:
                assert rect.contains(box), (phase, step)
            else:
                assert not _overlaps(rect, box), (phase, step)
    # The same in the DOT text, in Graphviz's coordinates.
    drawn = _dot_rects(process_dot(model, layout))
    for phase, steps in members.items():
        rect = drawn[f"phase_{phase}"]
        for step in tasks:
            inside = rect.contains(drawn[step], tolerance=0.02)
            assert inside == (step in steps), (phase, step)
            if step not in steps:
                assert not _overlaps(rect, drawn[step])


def test_geometry_by_hand(model: Model, layout: Layout) -> None:
    """Application: fill (x 344, y 20) and submit (x 514, 130 x 70) with 10 points at the
    sides and the bottom and 18 above for the name."""
    apply = phase_boxes(model, layout)[0]
    assert apply.nodes == ("fill", "submit")
    assert apply.rect == Rect(334.0, 2.0, 320.0, 98.0)
    assert (apply.label_rect.x, apply.label_rect.y, apply.label_rect.height) == (338.0, 3.0, 14.0)


def _clear_of_everything(box: PhaseBox, layout: Layout, phases: list[PhaseBox]) -> None:
    label = box.label_rect
    assert box.rect.contains(label)
    for node in layout.nodes.values():
        assert not _overlaps(label, node.rect)
        if node.label is not None:
            assert not _overlaps(label, node.label)
    for route in layout.edges:
        if route.label is not None and route.text:
            assert not _overlaps(label, route.label)
        for (x1, y1), (x2, y2) in zip(route.points, route.points[1:], strict=False):
            segment = Rect(min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1))
            assert not _overlaps(label, segment), (box.phase, route.edge)
    for other in phases:
        if other is not box:
            assert not _overlaps(label, other.label_rect)


def test_names_cross_no_box_label_or_flow(model: Model, layout: Layout) -> None:
    phases = phase_boxes(model, layout)
    for box in phases:
        _clear_of_everything(box, layout, phases)
    # The loop back to "Fill in the form" runs along the top of Review from the decision
    # (x 879) to the left, and its label "incomplete" stands right of it: the name moves
    # past both.
    review = phases[1]
    loop = next(r for r in layout.edges if r.text.startswith("incomplete"))
    assert loop.label is not None
    assert review.label_rect.x >= loop.label.right


def test_page_bands_draw_the_phases_of_their_steps(model: Model) -> None:
    scenes = process_pages(model, page="A4", orientation="landscape")
    dots = [scene.to_dot() for scene in scenes]
    text = "".join(dots)
    assert "<B>Application</B>" in text and "<B>Review and decision</B>" in text
    # Every phase label is inside its own group on each page.
    for dot in dots:
        drawn = _dot_rects(dot)
        for name, rect in drawn.items():
            if "phase_label_" in name:
                group = name.replace("phase_label_", "phase_")
                assert drawn[group].contains(rect, tolerance=0.02)


def test_a_model_without_phases_draws_as_before(model: Model, tmp_path: Path) -> None:
    """Phases only add their groups: everything else in the DOT is what the same model
    without phases gives, and that has no group at all."""
    plain = process_dot(_without_phases(MODEL, tmp_path))
    assert "phase_" not in plain
    phased = process_dot(model)
    kept = [line for line in phased.splitlines(keepends=True) if '"phase_' not in line]
    assert "".join(kept) == plain
    assert phase_boxes(_without_phases(MODEL, tmp_path), layout_model(model)) == []
