"""Property tests of the flow rules: every model the validator accepts is sound, and the
graph predicates agree with networkx and with the validator."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bpr
from bpr.analysis.petri import check_soundness
from bpr.core.flow import (
    FlowGraph,
    broken_splits,
    check_flow,
    check_parallel,
    immediate_dominators,
    immediate_postdominators,
    reachable,
    reaching,
    strongly_connected_components,
)
from bpr.core.model import END
from bpr.errors import ModelError
from tests.test_lint import _DOCS, _Builder, random_models

pytest.importorskip("pm4py")

REACHABILITY = {"flow-unreachable-step", "flow-loop-without-exit"}


@st.composite
def random_flows(draw: st.DrawFn) -> str:
    """A model of a few steps with random flows: sequences, choices, splits and joins."""
    count = draw(st.integers(2, 7))
    ids = [f"s{i}" for i in range(count)]
    targets = st.sampled_from([*ids[1:], "end"])
    steps: list[dict[str, Any]] = []
    for step_id in ids:
        step: dict[str, Any] = {"id": step_id, "actor": "a", "work": f"{draw(st.integers(0, 3))}h"}
        kind = draw(st.sampled_from(["fall", "sequence", "choice", "choice", "parallel"]))
        if kind == "sequence":
            step["next"] = draw(targets)
        elif kind == "choice":
            chosen = draw(st.lists(st.sampled_from([*ids, "end"]), min_size=2, max_size=3))
            shares = [1 / len(chosen)] * len(chosen)
            step["next"] = [
                {"to": t, "p": round(p, 6)} for t, p in zip(chosen, shares, strict=True)
            ]
            if len(chosen) == 3:
                step["next"][2]["p"] = round(1 - 2 * round(1 / 3, 6), 6)
        elif kind == "parallel":
            step["next"] = {"all": draw(st.lists(targets, min_size=2, max_size=3, unique=True))}
        if draw(st.integers(0, 3)) == 0:
            step["join"] = "all"
        steps.append(step)
    data = {
        "bpr": 1,
        "service": "random",
        "variant": "v",
        "actors": {"a": {"name": "A"}},
        "steps": steps,
    }
    return yaml.safe_dump(data, sort_keys=False)


class _ChoicesBuilder(_Builder):
    """The lint tests' block-structured models, with choices whose branches meet again: in a
    parallel branch, such a choice may lead straight into the join."""

    def block(self, depth: int, branch: bool) -> tuple[str, list[dict[str, object]]]:
        if depth > 1 or not self.draw(st.booleans()):
            return super().block(depth, branch)
        decide = self.step()
        first, exits = self.sequence(depth + 1, branch)
        q = self.draw(st.sampled_from([0.25, 0.5]))
        if self.draw(st.booleans()):  # one way skips ahead to what follows the choice
            decide["next"] = [{"to": first, "p": q, "when": "more"}, {"to": None, "p": 1 - q}]
            return str(decide["id"]), [*exits, decide]
        other, more = self.sequence(depth + 1, branch)
        decide["next"] = [{"to": first, "p": q}, {"to": other, "p": 1 - q}]
        return str(decide["id"]), [*exits, *more]


@st.composite
def models_with_choices(draw: st.DrawFn) -> str:
    builder = _ChoicesBuilder(draw)
    _, last = builder.sequence(0)
    for open_step in last:
        builder._lead(open_step, "end")
    data = {
        "bpr": 1,
        "service": "random",
        "variant": "v",
        "actors": {a: {"name": a.upper()} for a in ("me", "a", "b", "c")},
        "documents": {d: {"name": d.upper()} for d in _DOCS},
        "steps": builder.steps,
    }
    return yaml.safe_dump(data, sort_keys=False)


def accepted(text: str) -> bpr.Model | None:
    try:
        return bpr.loads(text, "random.yaml")
    except ModelError:
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(random_flows(), random_models(), models_with_choices()))
def test_every_model_the_validator_accepts_is_sound(text: str) -> None:
    model = accepted(text)
    if model is None or any(p.code == "flow-stray-join" for p in model.warnings):
        return  # a stray join is reported (remove it); the net keeps it and may wait there
    verdict = check_soundness(model, woflan=False)
    assert verdict.sound, (verdict.reason, text)
    bpr.measure(model)  # and every accepted model can be measured


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_flows())
def test_the_predicates_say_what_the_validator_says(text: str) -> None:
    try:
        model = bpr.loads(text, "random.yaml")
        problems = list(model.warnings)
    except ModelError as error:
        problems = error.problems
        model = None
    flow_codes = [p.code for p in problems if p.code.startswith("flow-")]
    if model is None and (not flow_codes or set(flow_codes) & REACHABILITY):
        return  # refused before the split rules (or for another reason)
    if model is None:
        raw = yaml.safe_load(text)
        successors = {s["id"]: _targets(s, raw["steps"], i) for i, s in enumerate(raw["steps"])}
        graph = FlowGraph(
            successors,
            frozenset(s["id"] for s in raw["steps"] if isinstance(s.get("next"), dict)),
            frozenset(s["id"] for s in raw["steps"] if s.get("join") == "all"),
        )
    else:
        graph = FlowGraph.of(model)
        assert [p.code for p in check_flow(model)] == flow_codes
    check = check_parallel(graph)
    split_codes = [i.code for i in check.issues]
    # the loader lists problems by line, the rules by split
    assert sorted(c for c in flow_codes if c != "flow-loop-exit-negligible") == sorted(split_codes)
    assert bool(broken_splits(graph)) == any(i.is_error for i in check.issues)


def _targets(step: dict[str, Any], steps: list[dict[str, Any]], index: int) -> list[str]:
    flow = step.get("next")
    if flow is None:
        return [steps[index + 1]["id"] if index + 1 < len(steps) else END]
    if isinstance(flow, str):
        return [flow]
    if isinstance(flow, dict):
        return list(flow["all"])
    return list(dict.fromkeys(branch["to"] for branch in flow))


successor_maps = st.integers(1, 8).flatmap(
    lambda n: st.fixed_dictionaries(
        {
            f"n{i}": st.lists(st.sampled_from([*(f"n{j}" for j in range(n)), END]), max_size=3)
            for i in range(n)
        }
    )
)


@settings(max_examples=300, deadline=None)
@given(successor_maps)
def test_graph_functions_agree_with_networkx(successors: dict[str, list[str]]) -> None:
    graph = nx.DiGraph()
    graph.add_nodes_from([*successors, END])
    graph.add_edges_from((s, t) for s, ts in successors.items() for t in ts)
    assert reachable(successors, ["n0"]) == nx.descendants(graph, "n0") | {"n0"}
    assert reaching(successors, [END]) == nx.ancestors(graph, END) | {END}
    # networkx leaves the start out of its answer (newer versions) or maps it to itself
    nx_idom = {n: d for n, d in nx.immediate_dominators(graph, "n0").items() if n != "n0"}
    assert immediate_dominators(successors, "n0") == {"n0": "n0", **nx_idom}
    to_end = nx.ancestors(graph, END) | {END}
    expected = nx.immediate_dominators(graph.reverse(copy=True).subgraph(to_end).copy(), END)
    expected = {n: d for n, d in expected.items() if n != END}
    assert immediate_postdominators(successors) == {END: END, **expected}
    components = strongly_connected_components(
        list(successors), lambda n: successors.get(str(n), [])
    )
    found = {frozenset(map(str, c)) for c in components} - {frozenset([END])}
    nx_found = {frozenset(c) for c in nx.strongly_connected_components(graph) if END not in c}
    assert found == nx_found
