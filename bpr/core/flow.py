"""The flow rules of the format, once: reachability, loops, dominators, parallel splits.

Two kinds of callers share this module. The validator, the measures and lint have a
:class:`~bpr.core.model.Model`: they call :func:`analyse` (or :func:`check_flow`). The BPMN
importer has no model yet, only steps and their targets: it describes its flow as a
:class:`FlowGraph` and asks the same predicates (:func:`check_parallel`,
:func:`broken_splits`, :func:`closing_joins`). Graph functions take a successor map, ids to
targets, where :data:`~bpr.core.model.END` stands for the end of a case.

>>> graph = FlowGraph(
...     {"s": ["a", "b"], "a": ["j"], "b": ["j"], "j": [END]},
...     parallel=frozenset({"s"}),
...     joins=frozenset({"j"}),
... )
>>> broken_splits(graph), sorted(closing_joins(graph))
([], ['j'])
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from bpr.core.i18n import domain, number
from bpr.core.model import END, Model
from bpr.core.vocab import ProblemSeverity
from bpr.errors import Problem

_ = domain("validate").gettext

__all__ = [
    "EXIT_TOLERANCE",
    "FlowAnalysis",
    "FlowGraph",
    "FlowIssue",
    "ParallelBlock",
    "ParallelCheck",
    "analyse",
    "broken_splits",
    "check_flow",
    "check_parallel",
    "closing_joins",
    "dominators",
    "flows",
    "immediate_dominators",
    "immediate_postdominators",
    "predecessors",
    "reachable",
    "reaching",
    "strongly_connected_components",
    "trapping_loops",
]

#: A loop whose ways out add up to no more than this per round is refused: a case would
#: repeat it more than a billion times, and the linear system of its measures is singular.
EXIT_TOLERANCE = 1e-9

Successors = Mapping[str, Iterable[str]]
Weighted = Mapping[str, Sequence[tuple[str, float]]]


@dataclass(frozen=True)
class ParallelBlock:
    """A parallel split, the ``join: all`` step that closes it, and the steps of each branch."""

    split: str
    join: str
    branches: dict[str, frozenset[str]]  # branch start -> steps between it and the join

    @property
    def steps(self) -> frozenset[str]:
        return frozenset().union(*self.branches.values())


@dataclass(frozen=True)
class FlowIssue:
    """A broken flow rule in plain terms, before it is located in a file.

    ``code`` is the stable kebab-case name of the rule (``flow-split-not-joined``); ``step``
    the step the problem is shown at and ``field`` its key (``next``, ``join``, ``id``);
    ``splits`` the parallel splits the issue breaks (empty for rules of no split).
    """

    code: str
    step: str
    field: str
    message: str
    severity: ProblemSeverity = "error"
    splits: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class FlowGraph:
    """A flow as plain data: what the parallel-split rules need, with or without a model.

    ``successors`` maps each step id, in file order, to its targets (step ids or ``END``);
    ``parallel`` holds the steps whose ``next`` is a parallel split and ``joins`` the steps
    marked ``join: all``. :meth:`of` makes one from a model.
    """

    successors: Mapping[str, Sequence[str]]
    parallel: frozenset[str] = frozenset()
    joins: frozenset[str] = frozenset()

    @classmethod
    def of(cls, model: Model) -> FlowGraph:
        """The flow graph of a model."""
        return cls(
            {step.id: list(dict.fromkeys(step.next.targets)) for step in model.steps},
            frozenset(s.id for s in model.steps if s.next.kind == "parallel"),
            frozenset(s.id for s in model.steps if s.join == "all"),
        )

    def targets(self, node: str) -> list[str]:
        """The distinct targets of a node, in order (none for ``END`` or an unknown id)."""
        return list(dict.fromkeys(self.successors.get(node, ())))

    @cached_property
    def predecessors(self) -> dict[str, list[str]]:
        """For each node, the nodes with a flow to it (see :func:`predecessors`)."""
        return predecessors(self.successors)


@dataclass
class ParallelCheck:
    """What :func:`check_parallel` found: the blocks, the broken rules, the joins that close."""

    blocks: list[ParallelBlock]  # innermost first
    issues: list[FlowIssue]
    closing: frozenset[str]

    @property
    def broken_splits(self) -> list[str]:
        """The parallel splits that break an error rule, each once, in the order found."""
        found: dict[str, None] = {}
        for issue in self.issues:
            if issue.is_error:
                found.update(dict.fromkeys(issue.splits))
        return list(found)


@dataclass
class FlowAnalysis:
    """What the structural checks found out about a model's flow."""

    successors: dict[str, list[tuple[str, float]]]
    blocks: list[ParallelBlock] = field(default_factory=list)  # innermost first
    problems: list[Problem] = field(default_factory=list)


# -- graphs ---------------------------------------------------------------------------------


def reachable(successors: Successors, starts: Iterable[str]) -> set[str]:
    """The nodes reached from ``starts`` (included) along the flows.

    >>> sorted(reachable({"a": ["b"], "b": [END], "c": ["a"]}, ["a"]))
    ['a', 'b', 'end']
    """
    return _reach(starts, lambda node: successors.get(node, ()))


def predecessors(successors: Successors) -> dict[str, list[str]]:
    """For each node (targets and ``END`` included), the nodes with a flow to it, in order.

    >>> predecessors({"a": ["b", END], "b": [END]})
    {'a': [], 'b': ['a'], 'end': ['a', 'b']}
    """
    found: dict[str, list[str]] = {node: [] for node in successors}
    found.setdefault(END, [])
    for source, targets in successors.items():
        for target in dict.fromkeys(targets):
            found.setdefault(target, []).append(source)
    return found


def reaching(successors: Successors, targets: Iterable[str]) -> set[str]:
    """The nodes from which one of ``targets`` (included) can be reached.

    >>> sorted(reaching({"a": ["b"], "b": ["b"], "c": [END]}, [END]))
    ['c', 'end']
    """
    back = predecessors(successors)
    return _reach(targets, lambda node: back.get(node, ()))


def immediate_dominators(successors: Successors, start: str) -> dict[str, str]:
    """Each node reachable from ``start`` -> the last node every path from ``start`` passes.

    ``start`` maps to itself (Cooper, Harvey and Kennedy's iterative algorithm).

    >>> immediate_dominators({"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": [END]}, "a")
    {'a': 'a', 'c': 'a', 'b': 'a', 'd': 'a', 'end': 'd'}
    """
    back = predecessors(successors)
    return _idoms(start, lambda n: successors.get(n, ()), lambda n: back.get(n, ()))


def immediate_postdominators(successors: Successors, exit_node: str = END) -> dict[str, str]:
    """Each node that can reach ``exit_node`` -> the first node every path from it passes.

    ``exit_node`` maps to itself; nodes that cannot reach it are left out.

    >>> immediate_postdominators({"s": ["a", "b"], "a": ["j"], "b": ["j"], "j": [END]})["s"]
    'j'
    """
    return _postdominators(successors, predecessors(successors), exit_node)


def _postdominators(
    successors: Successors, back: Mapping[str, Iterable[str]], exit_node: str = END
) -> dict[str, str]:
    return _idoms(exit_node, lambda n: back.get(n, ()), lambda n: successors.get(n, ()))


def dominators(successors: Successors, start: str) -> dict[str, frozenset[str]]:
    """Each node reachable from ``start`` -> every node a case passes before it (itself too).

    >>> sorted(dominators({"a": ["b"], "b": ["a", END]}, "a")[END])
    ['a', 'b', 'end']
    """
    idom = immediate_dominators(successors, start)
    found: dict[str, frozenset[str]] = {start: frozenset([start])}

    def of(node: str) -> frozenset[str]:
        chain = []
        while node not in found:
            chain.append(node)
            node = idom[node]
        known = found[node]
        for member in reversed(chain):
            known = found[member] = known | {member}
        return known

    for node in idom:
        of(node)
    return found


def strongly_connected_components(
    nodes: Iterable[Hashable], successors: Callable[[Hashable], Iterable[Hashable]]
) -> list[list[Hashable]]:
    """Tarjan's algorithm without recursion; components come sinks first (reverse topological).

    >>> graph = {"a": ["b"], "b": ["a", "c"], "c": []}
    >>> [sorted(c) for c in strongly_connected_components(["a"], graph.__getitem__)]
    [['c'], ['a', 'b']]
    """
    index: dict[Hashable, int] = {}
    low: dict[Hashable, int] = {}
    on_stack: set[Hashable] = set()
    stack: list[Hashable] = []
    components: list[list[Hashable]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(successors(root)))]
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors(child))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def trapping_loops(successors: Weighted, *, tolerance: float = EXIT_TOLERANCE) -> list[list[str]]:
    """Loops a case leaves with a probability of at most ``tolerance`` per round.

    ``successors`` maps each step to ``(target, p)`` pairs (choices; a parallel split
    collapsed into one flow to its join). Each loop found is a set of steps that keep all but
    ``tolerance`` of their probability among themselves, in the map's order; a case that
    enters it in practice never comes out, and the measures' linear system is singular.

    >>> trapping_loops({"a": [("b", 1.0)], "b": [("a", 1.0), (END, 1e-12)]})
    [['a', 'b']]
    >>> trapping_loops({"a": [("b", 1.0)], "b": [("a", 0.5), (END, 0.5)]})
    []
    """
    inside = {node for node in successors if node != END}
    back: dict[str, list[tuple[str, float]]] = {}
    kept: dict[str, float] = {}  # each node's probability of staying among the nodes inside
    for source, targets in successors.items():
        kept[source] = 0.0
        for target, p in targets:
            back.setdefault(target, []).append((source, p))
            if target in inside:
                kept[source] += p
    threshold = 1 - tolerance
    queue = deque(node for node in inside if kept[node] <= threshold)
    while queue:  # the greatest set in which every node keeps its probability
        node = queue.popleft()
        if node not in inside:
            continue
        inside.discard(node)
        for source, p in back.get(node, ()):
            if source in inside:
                kept[source] -= p
                if kept[source] <= threshold:
                    queue.append(source)
    order = {node: i for i, node in enumerate(successors)}
    loops = []
    roots: list[str] = sorted(inside, key=order.__getitem__)
    for component in strongly_connected_components(
        roots,
        lambda n: [t for t, p in successors[str(n)] if t in inside and p],
    ):
        members = {str(m) for m in component}
        leaves = any(
            t not in members for m in members for t, p in successors[m] if t in inside and p
        )
        if not leaves:  # a loop at the bottom; the steps before it only lead into it
            loops.append(sorted(members, key=order.__getitem__))
    loops.sort(key=lambda loop: order[loop[0]])
    return loops


def _reach(starts: Iterable[str], neighbours: Callable[[str], Iterable[str]]) -> set[str]:
    seen = set(starts)
    queue = deque(seen)
    while queue:
        node = queue.popleft()
        for nxt in neighbours(node):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _idoms(
    root: str,
    children: Callable[[str], Iterable[str]],
    parents: Callable[[str], Iterable[str]],
) -> dict[str, str]:
    """Immediate dominators of the nodes reached from ``root`` along ``children``."""
    order: list[str] = []  # postorder from the root
    visited = {root}
    stack = [(root, iter(children(root)))]
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if child not in visited:
                visited.add(child)
                stack.append((child, iter(children(child))))
                break
        else:
            stack.pop()
            order.append(node)
    number = {node: i for i, node in enumerate(order)}
    idom = {root: root}
    changed = True
    while changed:
        changed = False
        for node in reversed(order[:-1]):
            candidates = [s for s in parents(node) if s in idom]
            new = candidates[0]
            for other in candidates[1:]:
                a, b = other, new
                while a != b:
                    while number[a] < number[b]:
                        a = idom[a]
                    while number[b] < number[a]:
                        b = idom[b]
                new = a
            if idom.get(node) != new:
                idom[node] = new
                changed = True
    return idom


# -- the parallel-split rules ---------------------------------------------------------------


def check_parallel(graph: FlowGraph) -> ParallelCheck:
    """The format's rules for parallel splits, over a plain flow graph.

    Each split closes at its immediate postdominator, which must be a ``join: all`` step; no
    branch loops back before the split; branches share no step; a block is entered only
    through its split and its join only from its branches. A join that closes no split is a
    warning. ``blocks`` is filled only where no error rule is broken.

    >>> graph = FlowGraph(
    ...     {"s": ["a", "b"], "a": ["x", "j"], "b": ["x"], "x": ["j"], "j": [END]},
    ...     parallel=frozenset({"s"}),
    ...     joins=frozenset({"j"}),
    ... )
    >>> [issue.code for issue in check_parallel(graph).issues]
    ['flow-branches-share-step']
    """
    return _ParallelChecker(graph).run()


def broken_splits(graph: FlowGraph) -> list[str]:
    """The parallel splits of ``graph`` that break a rule of :func:`check_parallel`."""
    return check_parallel(graph).broken_splits


def closing_joins(graph: FlowGraph) -> frozenset[str]:
    """The ``join: all`` steps that close a parallel split (its immediate postdominator)."""
    if not graph.parallel:
        return frozenset()
    ipdom = _postdominators(graph.successors, graph.predecessors)
    return frozenset(ipdom[s] for s in graph.parallel if s in ipdom) & graph.joins


class _ParallelChecker:
    def __init__(self, graph: FlowGraph) -> None:
        self.graph = graph
        self.order = {node: i for i, node in enumerate(graph.successors)}
        self.issues: list[FlowIssue] = []

    def issue(
        self, code: str, step: str, field_name: str, message: str, *splits: str, warn: bool = False
    ) -> None:
        severity: ProblemSeverity = "warning" if warn else "error"
        self.issues.append(FlowIssue(code, step, field_name, message, severity, splits))

    def position(self, node: str) -> int:
        return self.order.get(node, len(self.order))

    def stray(self, joins: Iterable[str]) -> None:
        for join in sorted(joins, key=self.position):
            self.issue(
                "flow-stray-join",
                join,
                "join",
                _(
                    "step '{join}' has 'join: all' but closes no parallel split; remove the join"
                ).format(join=join),
                warn=True,
            )

    def run(self) -> ParallelCheck:
        graph = self.graph
        splits = [node for node in graph.successors if node in graph.parallel]
        if not splits:
            self.stray(graph.joins)
            return ParallelCheck([], self.issues, frozenset())
        postdominator = _postdominators(graph.successors, graph.predecessors)
        blocks = []
        closed: set[str] = set()
        for split in splits:
            join = postdominator.get(split)
            if join is None or join == END or join not in graph.joins:
                if join is None:
                    message = _(
                        "the parallel split at step '{split}' is not closed: its branches must "
                        "all meet at one step marked 'join: all' (they never reach the end)"
                    )
                elif join == END:
                    message = _(
                        "the parallel split at step '{split}' is not closed: its branches must "
                        "all meet at one step marked 'join: all' (they never meet before the end)"
                    )
                else:
                    message = _(
                        "the parallel split at step '{split}' is not closed: its branches must "
                        "all meet at one step marked 'join: all' (they first meet at '{join}', "
                        "which has no 'join: all')"
                    )
                self.issue(
                    "flow-split-not-joined",
                    split,
                    "next",
                    message.format(split=split, join=join),
                    split,
                )
                continue
            branches: dict[str, frozenset[str]] = {}
            for start in graph.targets(split):
                if start == join:  # an empty branch: the split leads straight to its join
                    branches[start] = frozenset()
                    continue
                region = _reach([start], _onward_until(graph, join))
                if split in region:
                    self.issue(
                        "flow-branch-loops-back",
                        split,
                        "next",
                        _(
                            "branch '{start}' of the parallel split at '{split}' loops back "
                            "before the split; a loop must stay inside its branch or go around "
                            "the whole split and join '{join}'"
                        ).format(start=start, split=split, join=join),
                        split,
                    )
                branches[start] = frozenset(region)
            self.check_separate(split, join, branches)
            blocks.append(ParallelBlock(split, join, branches))
            closed.add(join)
        self.stray(graph.joins - closed)
        if any(issue.is_error for issue in self.issues):
            return ParallelCheck([], self.issues, frozenset(closed))
        blocks.sort(key=lambda b: (len(b.steps), self.position(b.split)))
        self.check_entries(blocks)
        return ParallelCheck(blocks, self.issues, frozenset(closed))

    def check_separate(self, split: str, join: str, branches: dict[str, frozenset[str]]) -> None:
        """Parallel branches share no step: a shared step would run once per branch."""
        owner: dict[str, str] = {}
        for start, region in branches.items():
            for step_id in sorted(region, key=self.position):
                first = owner.setdefault(step_id, start)
                if first != start:
                    self.issue(
                        "flow-branches-share-step",
                        split,
                        "next",
                        _(
                            "step '{step}' lies on two branches of the parallel split at "
                            "'{split}' (from '{first}' and from '{start}'): each branch must "
                            "reach the join '{join}' on its own; let both branches lead to the "
                            "join, or make the shared step part of one branch"
                        ).format(step=step_id, split=split, first=first, start=start, join=join),
                        split,
                    )
                    return

    def check_entries(self, blocks: list[ParallelBlock]) -> None:
        """A block is entered only through its split, and its join only from its branches."""
        back = self.graph.predecessors
        feeds: dict[str, set[str]] = {}
        splits_of: dict[str, list[str]] = {}
        for block in blocks:
            inside = block.steps
            feeds.setdefault(block.join, set()).update(inside | {block.split})
            splits_of.setdefault(block.join, []).append(block.split)
            for step_id in inside:
                for source in back[step_id]:
                    if source != block.split and source not in inside:
                        self.issue(
                            "flow-branch-entered-from-outside",
                            source,
                            "next",
                            _(
                                "the flow from '{source}' to '{step}' enters a branch of the "
                                "parallel split at '{split}' from outside; a case may enter "
                                "a parallel block only through its split"
                            ).format(source=source, step=step_id, split=block.split),
                            block.split,
                        )
        for join, sources in feeds.items():
            for source in back[join]:
                if source not in sources:
                    self.issue(
                        "flow-join-entered-from-outside",
                        source,
                        "next",
                        _(
                            "the flow from '{source}' reaches '{join}', which joins parallel "
                            "branches and would wait for them forever; lead it to another step"
                        ).format(source=source, join=join),
                        *splits_of[join],
                    )


def _onward_until(graph: FlowGraph, stop: str) -> Callable[[str], Iterable[str]]:
    def onward(node: str) -> Iterable[str]:
        return (t for t in graph.targets(node) if t != stop)

    return onward


# -- a model's flow -------------------------------------------------------------------------


def flows(model: Model) -> list[tuple[str, str]]:
    """Every flow of the model as ``(from step, to step or end)``, each distinct pair once."""
    seen: dict[tuple[str, str], None] = {}
    for step in model.steps:
        for target in step.next.targets:
            seen.setdefault((step.id, target), None)
    return list(seen)


def check_flow(model: Model) -> list[Problem]:
    """The flow rules: every step reachable, the end reachable, parallel splits closed,
    every loop left with a probability above :data:`EXIT_TOLERANCE`."""
    return analyse(model).problems


def analyse(model: Model) -> FlowAnalysis:
    """Check the flow of a model and find its parallel blocks (computed once per model)."""
    cached = model.__dict__.get("_analysis")
    if cached is not None:
        return cached
    analysis = _analyse(model)
    model.__dict__["_analysis"] = analysis
    return analysis


def _analyse(model: Model) -> FlowAnalysis:
    successors: dict[str, list[tuple[str, float]]] = {}
    for step in model.steps:
        merged: dict[str, float] = {}
        for branch in step.next.branches:
            merged[branch.to] = merged.get(branch.to, 0.0) + branch.p
        successors[step.id] = list(merged.items())
    successors[END] = []
    graph = FlowGraph.of(model)
    issues = _reachability(model, graph, successors)
    analysis = FlowAnalysis(successors)
    if not issues:
        check = check_parallel(graph)
        issues = check.issues
        analysis.blocks = check.blocks
        if not any(issue.is_error for issue in issues):
            issues += _loop_exits(model, successors, check.blocks)
    analysis.problems = [_locate(model, issue) for issue in issues]
    return analysis


def _reachability(
    model: Model, graph: FlowGraph, successors: dict[str, list[tuple[str, float]]]
) -> list[FlowIssue]:
    issues = []
    first = model.first.id
    reached = reachable(graph.successors, [first])
    for step in model.steps:
        if step.id not in reached:
            issues.append(
                FlowIssue(
                    "flow-unreachable-step",
                    step.id,
                    "id",
                    _(
                        "step '{step}' cannot be reached from the first step '{first}'; "
                        "lead a 'next' to it or remove it"
                    ).format(step=step.id, first=first),
                )
            )
    if any(p <= 0 for targets in successors.values() for _, p in targets):
        taken = {n: [t for t, p in ts if p > 0] for n, ts in successors.items()}
        finishing = reaching(taken, [END])
    else:
        back = graph.predecessors
        finishing = _reach([END], lambda node: back.get(node, ()))
    for step in model.steps:
        if step.id in reached and step.id not in finishing:
            issues.append(
                FlowIssue(
                    "flow-loop-without-exit",
                    step.id,
                    "next",
                    _(
                        "no way leads from step '{step}' to the end: the case is caught in a "
                        "loop; give the loop a branch out with a probability above 0"
                    ).format(step=step.id),
                )
            )
    return issues


def _loop_exits(
    model: Model,
    successors: dict[str, list[tuple[str, float]]],
    blocks: list[ParallelBlock],
) -> list[FlowIssue]:
    """Loops whose way out is numerically nil, as the measures see them (blocks collapsed)."""
    collapsed = dict(successors)
    for block in blocks:
        collapsed[block.split] = [(block.join, 1.0)]
    issues = []
    for loop in trapping_loops(collapsed):
        members = set(loop)
        exits = {m: sum(p for t, p in collapsed[m] if t not in members and p > 0) for m in loop}
        at = max(loop, key=lambda m: (exits[m], -loop.index(m)))
        stay = sum(p for t, p in collapsed[at] if t in members)
        shown = " -> ".join(f"'{m}'" for m in loop[:5]) + (", ..." if len(loop) > 5 else "")
        if len(loop) > 1:
            message = _(
                "the loop at step '{step}' (through {loop}) is left with a probability of only "
                "{exit} per round (its branches back add up to {stay}): a case would repeat it "
                "about forever and its measures cannot be computed; lower the p of the branch "
                "back so that the p of this choice add up to 1 with a real way out"
            )
        else:
            message = _(
                "the loop at step '{step}' is left with a probability of only {exit} per round "
                "(its branches back add up to {stay}): a case would repeat it about forever and "
                "its measures cannot be computed; lower the p of the branch back so that the p "
                "of this choice add up to 1 with a real way out"
            )
        text = message.format(
            step=at, loop=shown, exit=number(exits[at], ".3g"), stay=number(stay, ".10g")
        )
        issues.append(FlowIssue("flow-loop-exit-negligible", at, "next", text))
    return issues


def _locate(model: Model, issue: FlowIssue) -> Problem:
    step = model.step(issue.step)
    if model.source is None:
        return Problem(
            issue.message,
            model.file,
            path=f"steps[{step.index}]",
            severity=issue.severity,
            code=issue.code,
        )
    path: tuple[str | int, ...] = ("steps", step.index, issue.field)
    return model.source.problem(path, issue.message, severity=issue.severity, code=issue.code)
