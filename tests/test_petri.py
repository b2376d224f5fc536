"""bpr.analysis.petri: the model as a workflow net, and Woflan's verdict with a reason."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import Any

import pytest

import bpr
from bpr.analysis.flownet import FlowEdge, FlowNet, FlowNode, flow_net

pytest.importorskip("pm4py")

from bpr.analysis.petri import (
    _compact,
    _reduce,
    _translate,
    _walk,
    check_soundness,
    workflow_net,
)

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
    sound, reason = _walk(model, net, _translate(net))
    assert sound is False
    assert "two tokens of one case reach" in reason and "'w'" in reason


def _net(nodes: list[tuple[str, str]], edges: list[tuple[str, str]]) -> FlowNet:
    return FlowNet(
        [FlowNode(i, k, "a", i if k == "task" else None, i) for i, k in nodes],
        [FlowEdge(s, t) for s, t in edges],
    )


def test_a_loop_without_way_out_is_explained() -> None:
    net = _net(
        [
            ("event:start", "start"),
            ("x", "task"),
            ("y", "task"),
            ("xor:y", "xor"),
            ("event:end", "end"),
        ],
        [("event:start", "x"), ("x", "y"), ("y", "xor:y"), ("xor:y", "x"), ("xor:y", "y")],
    )
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\n"
        "steps: [{id: x, actor: a}, {id: y, actor: a}]\n"
    )
    sound, reason = _walk(model, net, _translate(net))
    assert sound is False and "loop forever" in reason


def test_a_step_that_can_never_run_is_named() -> None:
    net = _net(
        [("event:start", "start"), ("x", "task"), ("split:x", "and-split"), ("y", "task"),
         ("join:z", "and-join"), ("z", "task"), ("w", "task"), ("event:end", "end")],
        [("event:start", "x"), ("x", "split:x"), ("split:x", "y"), ("split:x", "join:z"),
         ("y", "join:z"), ("join:z", "z"), ("z", "event:end"), ("w", "event:end")],
    )  # fmt: skip
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\n"
        "steps: [{id: x, actor: a}, {id: y, actor: a}, {id: z, actor: a}, {id: w, actor: a}]\n"
    )
    sound, reason = _walk(model, net, _translate(net))
    assert sound is False and reason == "step 'w' can never run"


def test_woflan_agrees_and_can_be_skipped() -> None:
    stray = bpr.load(DATA / "bpmn" / "stray-join.yaml")
    forced = check_soundness(stray, woflan=True)
    assert not forced.sound and "differs" not in forced.reason
    assert forced.diagnostics and "Woflan not run" not in forced.diagnostics[0]
    skipped = check_soundness(stray, woflan=False)
    assert not skipped.sound and skipped.reason == forced.reason
    assert skipped.diagnostics[0].startswith("Woflan not run")


def _parallel(branches: int, extra: str = "") -> bpr.Model:
    """A split into ``branches`` branches of two steps each, joined again."""
    lines = [
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\nsteps:",
        f"  - {{id: s, actor: a, next: {{all: [{', '.join(f'b{i}' for i in range(branches))}]}}}}",
    ]
    for i in range(branches):
        lines += [f"  - {{id: b{i}, actor: a}}", f"  - {{id: c{i}, actor: a, next: j}}"]
    lines.append("  - {id: j, actor: a, join: all}")
    return bpr.loads("\n".join(lines) + "\n" + extra)


def test_many_parallel_branches_are_decided_in_seconds() -> None:
    """14 branches interleave in 4.8 million states, more than the walk visits, and Woflan
    took minutes from 5 branches on: the reduced net decides, Woflan is left out."""
    import time

    started = time.perf_counter()
    verdict = check_soundness(_parallel(14))
    assert time.perf_counter() - started < 30
    assert verdict.sound, verdict.reason
    assert verdict.diagnostics[0].startswith("Woflan not run: the walk met")
    small = check_soundness(_parallel(2))
    assert "Woflan not run" not in small.diagnostics[0]


def test_the_reduced_net_keeps_every_verdict() -> None:
    """Murata's rules keep soundness: sound models stay sound, unsound ones unsound."""

    models = [bpr.load(p) for p in MODEL_FILES]
    models += [_parallel(4), bpr.load(DATA / "bpmn" / "stray-join.yaml")]
    # branches b and c of one split meet at c without a join: the validator refuses such a
    # file, so the model is put together here to check the net's own verdict on it
    valid = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\nsteps:\n"
        "  - {id: s, actor: a, next: {all: [b, c, e]}}\n  - {id: b, actor: a, next: j}\n"
        "  - {id: c, actor: a, next: j}\n  - {id: e, actor: a, next: j}\n"
        "  - {id: j, actor: a, join: all}\n"
    )
    into_c = dataclasses.replace(valid.step("b"), next=bpr.Flow("sequence", (bpr.Branch("c"),)))
    steps = tuple(into_c if step.id == "b" else step for step in valid.steps)
    models.append(bpr.Model(valid.service, valid.variant, valid.actors, steps))
    verdicts = []
    for model in models:
        fnet = flow_net(model)
        net = _translate(fnet)
        reduced = _reduce(net)
        assert len(reduced.transitions) <= len(net.transitions)
        verdicts.append(_walk(model, fnet, net)[0])
        assert _walk(model, fnet, reduced)[0] == verdicts[-1], model.service
    assert verdicts[-2:] == [False, False] and all(verdicts[:-2])
    assert len(_reduce(_translate(flow_net(_parallel(14)))).transitions) == 1
    loop = _net(
        [("event:start", "start"), ("x", "task"), ("y", "task"), ("xor:y", "xor"),
         ("event:end", "end")],
        [("event:start", "x"), ("x", "y"), ("y", "xor:y"), ("xor:y", "x"), ("xor:y", "y")],
    )  # fmt: skip
    model = models[-1]
    assert _walk(model, loop, _reduce(_translate(loop)))[0] is False


# -- the one net for conformance -----------------------------------------------------------------

CONTRACT = DATA / "contract-example.yaml"
CONTRACT_TRACE = [
    "get_plan",
    "notarise",
    "check",
    "register",
    "notify_tax",
    "issue_extract",
    "receive",
]


def _replay(net: Any, initial: Any, final: Any, trace: list[str]) -> dict[str, Any]:
    import pandas as pd
    import pm4py

    frame = pd.DataFrame(
        {
            "case:concept:name": ["c"] * len(trace),
            "concept:name": trace,
            "time:timestamp": pd.date_range("2000-01-01", periods=len(trace), freq="s", tz="UTC"),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (result,) = pm4py.conformance_diagnostics_token_based_replay(frame, net, initial, final)
    return result


def test_the_labels_name_the_steps_transitions_and_leave_the_others_silent() -> None:
    model = bpr.load(CONTRACT)
    labels = {"check": "Check it", "receive": None}
    net, _, _ = workflow_net(model, labels)
    named = {
        t.name: t.label for t in net.transitions if t.name in ("t:check", "t:receive", "t:register")
    }
    assert named == {"t:check": "Check it", "t:receive": None, "t:register": None}


def test_the_compact_net_has_a_place_per_step_entry_and_replays_a_case_token_by_token() -> None:
    model = bpr.load(CONTRACT)
    labels = {s.id: s.id for s in model.steps}
    net, initial, final = workflow_net(model, labels, compact=True)
    # tasks, and one silent transition per branch of the one choice
    assert sorted(str(t.label) for t in net.transitions) == sorted([*labels, "None", "None"])
    # the source (the first step's entry), the entries of the other five steps and of the two
    # branches into the join, the decision's place, the sink
    assert len(net.places) == 1 + 5 + 2 + 1 + 1
    assert [p.name for p in initial] == ["source"] and [p.name for p in final] == ["sink"]
    result = _replay(net, initial, final, CONTRACT_TRACE)
    assert result["trace_is_fit"]
    # 8 steps' and the choice's firings plus the final marking: the join takes two tokens
    assert (result["consumed_tokens"], result["produced_tokens"]) == (10, 10)
    full = _replay(*workflow_net(model, labels), CONTRACT_TRACE)
    assert full["trace_is_fit"] and full["consumed_tokens"] > 10


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_compact_net_is_sound_too(path: Path) -> None:
    model = bpr.load(path)
    fnet = flow_net(model)
    assert _walk(model, fnet, _compact(_translate(fnet), fnet)) == (True, "")
