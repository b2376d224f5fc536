"""The flow graph: the networkx view, flows, parallel blocks, SCCs, and the flow net."""

from __future__ import annotations

import bpr
from bpr.analysis.flownet import END_ID, START_ID, flow_net
from bpr.core.flow import analyse, flows, strongly_connected_components
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


def test_flow_net_of_the_contract_example() -> None:
    net = flow_net(example())
    kinds = {n.id: n.kind for n in net.nodes}
    assert kinds[START_ID] == "start" and kinds[END_ID] == "end"
    assert kinds["xor:check"] == "xor"
    assert kinds["split:register"] == "and-split"
    assert kinds["join:receive"] == "and-join"
    pairs = [(e.source, e.target) for e in net.edges]
    assert ("notify_tax", "join:receive") in pairs
    assert ("join:receive", "receive") in pairs
    assert ("receive", END_ID) in pairs
    decision = [e for e in net.edges if e.source == "xor:check"]
    assert [(e.target, e.p, e.label) for e in decision] == [
        ("register", 0.8, "complete"),
        ("notarise", 0.2, "incomplete"),
    ]
    assert net.lanes() == ["cadastre", "notary", "tax", "applicant"]
    assert net.node(END_ID).lane == "applicant"
