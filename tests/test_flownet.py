"""bpr.analysis.flownet: the model as events, tasks and gateways, and why its joins agree with
the validator."""

from __future__ import annotations

import pytest

import bpr
from bpr.analysis.flownet import END_ID, START_ID, flow_net
from bpr.analysis.petri import check_soundness
from bpr.bpmn import import_bpmn, to_bpmn
from tests.conftest import DATA


def example() -> bpr.Model:
    return bpr.load(DATA / "contract-example.yaml")


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


# A choice inside a parallel branch whose two ways both end the branch at the join.
CHOICE_IN_BRANCH = """\
bpr: 1
service: s
variant: v
actors: {a: {name: A}, b: {name: B}}
steps:
  - {id: s, actor: a, work: 1h, next: {all: [x, y]}}
  - {id: x, actor: a, work: 1h, next: [{to: z, p: 0.5, when: more}, {to: j, p: 0.5, when: done}]}
  - {id: z, actor: b, work: 2h, next: j}
  - {id: y, actor: b, work: 3h, next: j}
  - {id: j, actor: a, join: all, work: 1h}
"""


def test_the_flows_of_one_branch_meet_before_the_join() -> None:
    net = flow_net(bpr.loads(CHOICE_IN_BRANCH))
    merge = net.node("branch:x")
    assert (merge.kind, merge.lane, merge.step) == ("merge", "a", "j")
    pairs = [(e.source, e.target) for e in net.edges]
    assert ("xor:x", "branch:x") in pairs and ("z", "branch:x") in pairs
    into_join = [s for s, t in pairs if t == "join:j"]
    assert into_join == ["y", "branch:x"]  # one flow per parallel branch
    decision = [(e.target, e.p, e.label) for e in net.edges if e.source == "xor:x"]
    assert decision == [("z", 0.5, "more"), ("branch:x", 0.5, "done")]
    ids = [n.id for n in net.nodes]
    assert ids.index("branch:x") == ids.index("join:j") - 1


def test_validate_soundness_bpmn_and_measures_agree_on_a_choice_in_a_branch() -> None:
    pytest.importorskip("pm4py")
    model = bpr.loads(CHOICE_IN_BRANCH)
    assert model.warnings == []
    verdict = check_soundness(model)
    assert verdict.sound, verdict.reason
    measures = bpr.measure(model)
    # s (1h), then the slower of x + half of z (2h expected) and y (3h), then j (1h)
    assert measures.lead_time_days * 24 == pytest.approx(5)
    assert measures.work_hours == pytest.approx(7)
    xml = to_bpmn(model, diagram=False).decode()
    assert '<bpmn:exclusiveGateway id="Gateway_branch_x">' in xml
    again = bpr.loads(import_bpmn(to_bpmn(model)).text)
    assert bpr.measure(again).as_dict() == measures.as_dict()


def test_a_model_without_choices_in_branches_gets_no_merge() -> None:
    kinds = {n.kind for n in flow_net(example()).nodes}
    assert "merge" not in kinds


def test_nested_splits_sharing_a_join_keep_one_flow_per_branch() -> None:
    pytest.importorskip("pm4py")
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: v\nactors: {a: {name: A}}\nsteps:\n"
        "- {id: s, actor: a, next: {all: [a1, t]}}\n"
        "- {id: a1, actor: a, next: [{to: a2, p: 0.5}, {to: j, p: 0.5}]}\n"
        "- {id: a2, actor: a, next: j}\n"
        "- {id: t, actor: a, next: {all: [b1, c1]}}\n"
        "- {id: b1, actor: a, next: [{to: j, p: 0.5}, {to: j, p: 0.5}]}\n"
        "- {id: c1, actor: a, next: j}\n"
        "- {id: j, actor: a, join: all}\n"
    )
    net = flow_net(model)
    into_join = sorted(e.source for e in net.edges if e.target == "join:j")
    assert into_join == ["branch:a1", "branch:b1", "c1"]
    assert check_soundness(model).sound


def test_a_join_of_many_branches_gets_one_merge_per_branch_with_a_choice() -> None:
    # 40 branches, each a choice whose two ways both end at the join, and one empty branch
    # straight from the split: each flow into the join is found in its own branch
    n = 40
    starts = ", ".join(f"c{i}" for i in range(n))
    lines = [
        "bpr: 1\nservice: s\nvariant: v\nactors: {a: {name: A}}\nsteps:\n",
        f"- {{id: s, actor: a, next: {{all: [{starts}, j]}}}}\n",
    ]
    for i in range(n):
        lines.append(f"- {{id: c{i}, actor: a, next: [{{to: d{i}, p: 0.5}}, {{to: j, p: 0.5}}]}}\n")
        lines.append(f"- {{id: d{i}, actor: a, next: j}}\n")
    lines.append("- {id: j, actor: a, join: all}\n")
    model = bpr.loads("".join(lines))
    assert model.warnings == []
    net = flow_net(model)
    into_join = [e.source for e in net.edges if e.target == "join:j"]
    assert into_join == ["split:s", *(f"branch:c{i}" for i in range(n))]
    for i in range(n):
        into_merge = sorted(e.source for e in net.edges if e.target == f"branch:c{i}")
        assert into_merge == [f"d{i}", f"xor:c{i}"]
