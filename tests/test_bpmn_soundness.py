"""bpr.bpmn.petri: the model as a workflow net, and Woflan's verdict with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

import bpr
from bpr.flownet import FlowEdge, FlowNet, FlowNode

pytest.importorskip("pm4py")

from bpr.bpmn.petri import _explain, _translate, check_soundness, workflow_net

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
MODEL_FILES = [*sorted((ROOT / "models").glob("*/*.yaml")), DATA / "contract-example.yaml"]


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shipped_models_are_sound(path: Path) -> None:
    verdict = check_soundness(bpr.load(path))
    assert verdict.sound, verdict.reason
    assert "every case can always reach the end" in verdict.reason
    assert verdict.diagnostics, "Woflan's own messages are kept"


def test_choice_into_a_join_is_not_sound() -> None:
    model = bpr.load(DATA / "bpmn" / "stray-join.yaml")
    # The validator lets it through with a warning only ...
    assert any("closes no parallel split" in p.message for p in model.warnings)
    # ... the soundness check says why a case gets stuck.
    verdict = check_soundness(model)
    assert not verdict.sound
    assert "stuck at the join before step 'decide'" in verdict.reason
    assert verdict.as_dict()["sound"] is False


def test_workflow_net_of_a_small_model() -> None:
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\n"
        "steps:\n"
        "  - {id: split, actor: a, next: {all: [left, right]}}\n"
        "  - {id: left, name: Left work, actor: a, next: meet}\n"
        "  - {id: right, actor: a, next: [{to: right, p: 0.3}, {to: meet, p: 0.7}]}\n"
        "  - {id: meet, actor: a, join: all}\n"
    )
    net, initial, final = workflow_net(model)
    labels = sorted(t.label for t in net.transitions if t.label is not None)
    assert labels == ["Left work", "meet", "right", "split"]
    # One place per flow, the source and the sink, and the entry of 'right' (reached twice).
    # start>split, split>gateway, gateway>left, gateway>right, left>join, right>decision,
    # decision>right, decision>join, join>meet, meet>end
    flows = 10
    assert len(net.places) == flows + 2 + 1
    assert [p.name for p in initial] == ["source"] and [p.name for p in final] == ["sink"]
    assert check_soundness(model).sound


def test_branches_meeting_without_join_are_explained() -> None:
    """A flow net the validator would refuse: two branches of a split meet at a task."""
    net = FlowNet(
        [
            FlowNode("event:start", "start", "a"),
            FlowNode("x", "task", "a", "x", "x"),
            FlowNode("split:x", "and-split", "a", "x"),
            FlowNode("y", "task", "a", "y", "y"),
            FlowNode("z", "task", "a", "z", "z"),
            FlowNode("w", "task", "a", "w", "w"),
            FlowNode("event:end", "end", "a"),
        ],
        [
            FlowEdge("event:start", "x"),
            FlowEdge("x", "split:x"),
            FlowEdge("split:x", "y"),
            FlowEdge("split:x", "z"),
            FlowEdge("y", "w"),
            FlowEdge("z", "w"),
            FlowEdge("w", "event:end"),
        ],
    )
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\n"
        "steps: [{id: x, actor: a}, {id: y, actor: a}, {id: z, actor: a}, {id: w, actor: a}]\n"
    )
    reason = _explain(model, net, _translate(net))
    assert "two tokens of one case reach" in reason and "'w'" in reason
