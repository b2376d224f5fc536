"""A model in process-notation terms: events, tasks and gateways, as diagrams and BPMN need them.

The model format keeps decisions and parallelism on the steps (``next`` and ``join``);
diagrams and BPMN draw them as separate gateway nodes. This module makes that expansion once,
for the renderer, the BPMN exporter, the Petri-net conversion and the layout alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bpr.core.flow import ParallelBlock, analyse
from bpr.core.model import END, Model

__all__ = ["END_ID", "START_ID", "FlowEdge", "FlowNet", "FlowNode", "flow_net"]

START_ID = "event:start"
END_ID = "event:end"


@dataclass(frozen=True)
class FlowNode:
    """A node of the process notation.

    ``kind`` is ``start``, ``end``, ``task``, ``xor`` (exclusive decision after a step),
    ``and-split`` (parallel split after a step), ``and-join`` (parallel join before a step) or
    ``merge`` (``branch:<start>``, the exclusive merge of the flows of the parallel branch that
    starts at that step, before its join: the join waits once for each branch, whichever way
    a choice inside the branch went).
    ``step`` is the step the node belongs to (None for start and end); ``lane`` the actor id.
    """

    id: str
    kind: str
    lane: str
    step: str | None = None
    label: str = ""


@dataclass(frozen=True)
class FlowEdge:
    """A sequence flow; edges out of a decision carry the branch's label and probability."""

    source: str
    target: str
    label: str | None = None
    p: float | None = None


@dataclass
class FlowNet:
    """Nodes in a stable order (start, then each step's nodes in file order, then end)."""

    nodes: list[FlowNode] = field(default_factory=list)
    edges: list[FlowEdge] = field(default_factory=list)

    def node(self, node_id: str) -> FlowNode:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def lanes(self) -> list[str]:
        """Lane ids in the order of first use."""
        return list(dict.fromkeys(n.lane for n in self.nodes))


def _gateway_id(kind: str, step_id: str) -> str:
    # Step ids never contain ':', so these ids cannot clash with a step's.
    return f"{kind}:{step_id}"


def flow_net(model: Model) -> FlowNet:
    """Expand a model into start and end events, tasks and gateways.

    >>> import bpr
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\n"
    ...     "steps:\\n- {id: x, actor: a, next: [{to: y, p: 0.5, when: ok}, {to: end, p: 0.5}]}\\n"
    ...     "- {id: y, actor: a}\\n"
    ... )
    >>> [(e.source, e.target) for e in flow_net(m).edges]  # doctest: +NORMALIZE_WHITESPACE
    [('event:start', 'x'), ('x', 'xor:x'), ('xor:x', 'y'), ('xor:x', 'event:end'),
     ('y', 'event:end')]
    """
    net = FlowNet()
    first = model.first
    net.nodes.append(FlowNode(START_ID, "start", first.actor, None, "Start"))

    def entry(target: str) -> str:
        """The node a flow into ``target`` arrives at: its join gateway where it has one."""
        if target == END:
            return END_ID
        return _gateway_id("join", target) if model.step(target).join == "all" else target

    net.edges.append(FlowEdge(START_ID, entry(first.id)))
    end_lane: str | None = None
    for step in model.steps:
        if step.join == "all":
            join = _gateway_id("join", step.id)
            net.nodes.append(FlowNode(join, "and-join", step.actor, step.id, ""))
            net.edges.append(FlowEdge(join, step.id))
        net.nodes.append(FlowNode(step.id, "task", step.actor, step.id, step.label))
        flow = step.next
        if flow.kind == "sequence":
            net.edges.append(FlowEdge(step.id, entry(flow.branches[0].to)))
        else:
            kind = "xor" if flow.kind == "choice" else "and-split"
            gateway = _gateway_id(kind if kind == "xor" else "split", step.id)
            net.nodes.append(FlowNode(gateway, kind, step.actor, step.id, ""))
            net.edges.append(FlowEdge(step.id, gateway))
            for branch in flow.branches:
                if flow.kind == "choice":
                    net.edges.append(FlowEdge(gateway, entry(branch.to), branch.when, branch.p))
                else:
                    net.edges.append(FlowEdge(gateway, entry(branch.to)))
        if end_lane is None and END in flow.targets:
            end_lane = step.actor
    net.nodes.append(FlowNode(END_ID, "end", end_lane or model.steps[-1].actor, None, "End"))
    return _merge_branches(model, net)


def _merge_branches(model: Model, net: FlowNet) -> FlowNet:
    """Lead the flows of one parallel branch into its join through one exclusive merge.

    A choice inside a parallel branch can reach the join along several flows, of which a case
    takes one; the join waits for one arrival per branch, so those flows meet first.
    """
    blocks = analyse(model).blocks
    if not blocks:
        return net
    groups: dict[str, dict[str, list[int]]] = {}  # join id -> merge id -> edge positions
    closed_by: dict[str, list[ParallelBlock]] = {}  # join id -> its blocks, in order
    for block in blocks:
        closed_by.setdefault(block.join, []).append(block)
    branch_of: dict[str, dict[str, str]] = {}  # join id -> step -> its branch there
    for position, edge in enumerate(net.edges):
        kind, _, join = edge.target.partition(":")
        if kind != "join":
            continue
        source = edge.source.rpartition(":")[2]  # the step of a task, decision or split
        if join not in branch_of:
            branch_of[join] = _branches(closed_by.get(join, []), join)
        branch = branch_of[join].get(source)
        if branch is not None:
            merge = _gateway_id("branch", branch)  # a branch start is the start of one branch
            groups.setdefault(edge.target, {}).setdefault(merge, []).append(position)
    merges = {
        join: [m for m, positions in found.items() if len(positions) > 1]
        for join, found in groups.items()
    }
    if not any(merges.values()):
        return net
    into = {
        position: merge
        for join, found in groups.items()
        for merge, positions in found.items()
        if merge in merges[join]
        for position in positions
    }
    out = FlowNet()
    for node in net.nodes:
        for merge in merges.get(node.id, ()):
            out.nodes.append(FlowNode(merge, "merge", node.lane, node.step, ""))
        out.nodes.append(node)
    for position, edge in enumerate(net.edges):
        if edge.source in merges:  # the join's own flow into its step: its merges come first
            out.edges.extend(FlowEdge(merge, edge.source) for merge in merges[edge.source])
        via = into.get(position)
        out.edges.append(edge if via is None else FlowEdge(edge.source, via, edge.label, edge.p))
    return out


def _branches(blocks: list[ParallelBlock], join: str) -> dict[str, str]:
    """For each step a flow into ``join`` may come from, the branch (its start) of the
    innermost block closed by ``join`` that such a flow ends; the join itself for a split's
    empty branch. Built once per join, so that each flow into it is a look-up (a join of
    many branches, each ending in several flows, was rescanned branch by branch per flow).

    >>> block = ParallelBlock("s", "j", {"a": frozenset({"a", "b"}), "j": frozenset()})
    >>> _branches([block], "j")
    {'s': 'j', 'a': 'a', 'b': 'a'}
    """
    found: dict[str, str] = {}
    for block in blocks:  # innermost first; in a block the split, then each branch in turn
        if block.join != join:
            continue
        if join in block.branches:
            found.setdefault(block.split, join)
        for start, members in block.branches.items():
            for member in sorted(members):
                found.setdefault(member, start)
    return found
