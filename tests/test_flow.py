"""bpr.core.flow: the networkx view, flows, parallel blocks, SCCs, and the flow rules."""

from __future__ import annotations

import pytest

import bpr
from bpr.core.flow import (
    FlowGraph,
    analyse,
    broken_splits,
    check_parallel,
    closing_joins,
    dominators,
    flows,
    immediate_dominators,
    immediate_postdominators,
    predecessors,
    reachable,
    reaching,
    strongly_connected_components,
    trapping_loops,
)
from bpr.core.model import END
from tests.conftest import DATA


def example() -> bpr.Model:
    return bpr.load(DATA / "contract-example.yaml")


def test_networkx_graph_of_the_contract_example() -> None:
    graph = example().graph
    assert graph.number_of_nodes() == 8  # 7 steps and end
    assert graph.edges["check", "notarise"]["p"] == 0.2
    assert graph.edges["check", "register"]["when"] == "complete"
    assert graph.edges["register", "issue_extract"]["kind"] == "parallel"
    assert graph.nodes["get_plan"]["wait"] == 120
    assert graph.nodes["notarise"]["agency"] == "Ministry of Justice"
    assert ("receive", "end") in graph.edges


def test_flows_are_distinct_pairs() -> None:
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: v\nactors: {a: {name: A}}\n"
        "steps:\n- {id: x, actor: a, next: [{to: end, p: 0.5, when: a}, {to: end, p: 0.5, when: b}]}\n"
    )
    assert flows(model) == [("x", "end")]
    assert model.graph.edges["x", "end"]["p"] == 1.0


def test_parallel_blocks_innermost_first() -> None:
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: v\nactors: {a: {name: A}}\nsteps:\n"
        "- {id: s, actor: a, next: {all: [a1, t]}}\n"
        "- {id: a1, actor: a, next: j}\n"
        "- {id: t, actor: a, next: {all: [b1, c1]}}\n"
        "- {id: b1, actor: a, next: k}\n"
        "- {id: c1, actor: a, next: k}\n"
        "- {id: k, actor: a, join: all, next: j}\n"
        "- {id: j, actor: a, join: all}\n"
    )
    blocks = analyse(model).blocks
    assert [(b.split, b.join) for b in blocks] == [("t", "k"), ("s", "j")]
    assert blocks[1].branches["t"] == frozenset({"t", "b1", "c1", "k"})


def test_empty_parallel_branch() -> None:
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: v\nactors: {a: {name: A}}\nsteps:\n"
        "- {id: s, actor: a, next: {all: [x, j]}}\n"
        "- {id: x, actor: a, work: 1h, next: j}\n"
        "- {id: j, actor: a, join: all}\n"
    )
    assert analyse(model).blocks[0].branches["j"] == frozenset()
    assert bpr.measure(model).lead_time_days == 1 / 24


def test_scc_order_is_sinks_first() -> None:
    edges = {1: [2], 2: [3, 1], 3: [4], 4: [3], 5: []}
    components = strongly_connected_components([1, 5], lambda n: edges[n])
    assert [sorted(c) for c in components] == [[3, 4], [1, 2], [5]]


# -- the predicates over a plain flow graph, as the BPMN importer uses them --------------------


def par(successors: dict[str, list[str]], splits: str, joins: str) -> FlowGraph:
    return FlowGraph(successors, frozenset(splits.split()), frozenset(joins.split()))


def test_graph_functions_over_a_successor_map() -> None:
    graph = {"a": ["b", "c"], "b": ["d"], "c": ["d", "a"], "d": [END], "x": ["d"]}
    assert reachable(graph, ["a"]) == {"a", "b", "c", "d", END}
    assert reaching(graph, ["a"]) == {"a", "c"}
    assert predecessors(graph)["d"] == ["b", "c", "x"]
    assert immediate_dominators(graph, "a") == {"a": "a", "b": "a", "c": "a", "d": "a", END: "d"}
    assert immediate_postdominators(graph)["a"] == "d"
    assert immediate_postdominators({"a": ["a"], "b": [END]}) == {END: END, "b": END}
    assert dominators(graph, "a")["d"] == frozenset({"a", "d"})


def test_a_closed_split_breaks_no_rule() -> None:
    graph = par({"s": ["a", "b"], "a": ["j"], "b": ["j"], "j": [END]}, "s", "j")
    check = check_parallel(graph)
    assert check.issues == [] and check.broken_splits == []
    assert [(b.split, b.join, b.branches) for b in check.blocks] == [
        ("s", "j", {"a": frozenset({"a"}), "b": frozenset({"b"})})
    ]
    assert closing_joins(graph) == {"j"}


@pytest.mark.parametrize(
    ("successors", "code", "at"),
    [
        (
            {"s": ["a", "b"], "a": ["x"], "b": ["x"], "x": ["j"], "j": [END]},
            "split-not-joined",
            "s",
        ),
        ({"s": ["a", "b"], "a": ["j"], "b": [END], "j": [END]}, "split-not-joined", "s"),
        ({"s": ["a", "b"], "a": ["a"], "b": ["j"], "j": [END]}, "split-not-joined", "s"),
        (
            {"s": ["a", "b"], "a": ["x", "j"], "b": ["x"], "x": ["j"], "j": [END]},
            "branches-share-step",
            "s",
        ),
        (
            {"p": ["s"], "s": ["a", "b"], "a": ["j", "p"], "b": ["j"], "j": [END]},
            "branch-loops-back",
            "s",
        ),
        (
            {"o": ["s", "a"], "s": ["a", "b"], "a": ["j"], "b": ["j"], "j": [END]},
            "branch-entered-from-outside",
            "o",
        ),
        (
            {"o": ["s", "b"], "s": ["a", "j"], "a": ["j"], "b": ["a"], "j": [END]},
            "branch-entered-from-outside",
            "b",
        ),
        (
            {"o": ["s", "j"], "s": ["a", "b"], "a": ["j"], "b": ["j"], "j": [END]},
            "join-entered-from-outside",
            "o",
        ),
    ],
)
def test_each_parallel_rule_names_the_split_it_breaks(
    successors: dict[str, list[str]], code: str, at: str
) -> None:
    check = check_parallel(par(successors, "s", "j"))
    errors = [issue for issue in check.issues if issue.is_error]
    assert [(issue.code, issue.step) for issue in errors][:1] == [(f"flow-{code}", at)]
    assert broken_splits(par(successors, "s", "j")) == ["s"]
    if "outside" not in code:  # blocks are found before their entries are checked
        assert check.blocks == []


def test_a_join_that_closes_nothing_is_a_warning() -> None:
    check = check_parallel(par({"a": ["j"], "j": [END]}, "", "j"))
    assert [(i.code, i.step, i.severity) for i in check.issues] == [
        ("flow-stray-join", "j", "warning")
    ]
    assert check.broken_splits == [] and closing_joins(par({"a": ["j"]}, "", "j")) == set()


def test_nested_blocks_sharing_a_join_are_both_broken_by_an_outside_entry() -> None:
    graph = par(
        {
            "o": ["s", "j"],
            "s": ["a", "t"],
            "t": ["b", "c"],
            "a": ["j"],
            "b": ["j"],
            "c": ["j"],
            "j": [END],
        },
        "s t",
        "j",
    )
    assert set(broken_splits(graph)) == {"s", "t"}


def test_the_model_rules_are_the_graph_rules() -> None:
    text = (
        "bpr: 1\nservice: s\nvariant: v\nactors: {a: {name: A}}\nsteps:\n"
        "- {id: s, actor: a, next: {all: [x, y]}}\n"
        "- {id: x, actor: a, next: [{to: z, p: 0.5}, {to: j, p: 0.5}]}\n"
        "- {id: y, actor: a, next: z}\n"
        "- {id: z, actor: a, next: j}\n"
        "- {id: j, actor: a, join: all}\n"
    )
    with pytest.raises(bpr.ModelError) as caught:
        bpr.loads(text)
    (problem,) = caught.value.problems
    assert problem.code == "flow-branches-share-step"
    assert problem.line == 6 and problem.path == "steps[0].next"


# -- loops -----------------------------------------------------------------------------------


def loop_model(back: str, out: str, length: int = 1) -> str:
    steps = "".join(f"- {{id: s{i}, actor: a}}\n" for i in range(length - 1))
    return (
        "bpr: 1\nservice: s\nvariant: v\nactors: {a: {name: A}}\nsteps:\n"
        + steps
        + f"- {{id: check, actor: a, work: 1h, next: [{{to: {'s0' if length > 1 else 'check'}, "
        f"p: {back}}}, {{to: end, p: {out}}}]}}\n"
    )


@pytest.mark.parametrize("length", [1, 3, 30])
def test_a_loop_whose_way_out_is_numerically_nil_is_refused_at_its_step(length: int) -> None:
    with pytest.raises(bpr.ModelError) as caught:
        bpr.loads(loop_model("1", "0.000001", length), file="loop.yaml")
    (problem,) = caught.value.problems
    assert problem.code == "flow-loop-exit-negligible"
    assert problem.path == f"steps[{length - 1}].next" and problem.line == 5 + length
    assert "probability of only 1e-06 per round" in problem.message
    assert "'check'" in problem.message


def test_a_loop_with_a_small_real_way_out_is_measured() -> None:
    model = bpr.loads(loop_model("0.999", "0.001"))
    assert bpr.measure(model).work_hours == pytest.approx(1000)


def test_a_nil_way_out_of_a_loop_inside_a_parallel_branch_is_refused() -> None:
    text = (
        "bpr: 1\nservice: s\nvariant: v\nactors: {a: {name: A}}\nsteps:\n"
        "- {id: s, actor: a, next: {all: [x, y]}}\n"
        "- {id: x, actor: a, next: [{to: x, p: 1}, {to: j, p: 0.0000001}]}\n"
        "- {id: y, actor: a, next: j}\n"
        "- {id: j, actor: a, join: all, next: [{to: s, p: 0.5}, {to: end, p: 0.5}]}\n"
    )
    with pytest.raises(bpr.ModelError) as caught:
        bpr.loads(text)
    assert [(p.code, p.path) for p in caught.value.problems] == [
        ("flow-loop-exit-negligible", "steps[1].next")
    ]


def test_trapping_loops_over_a_successor_map() -> None:
    assert trapping_loops({"a": [("b", 1.0)], "b": [("a", 1.0), (END, 1e-12)]}) == [["a", "b"]]
    # the step before the loop only leads into it; the loop is what is reported
    assert trapping_loops({"p": [("a", 1.0)], "a": [("a", 1.0), (END, 1e-10)]}) == [["a"]]
    assert trapping_loops({"a": [("a", 0.9), (END, 0.1)]}) == []
    assert trapping_loops({"a": [("a", 1.0), (END, 0.01)]}, tolerance=0.1) == [["a"]]
