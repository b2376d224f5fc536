"""The flow rules of a model: reachability, parallel blocks, strongly connected parts."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from bpr.core.model import END, Model
from bpr.errors import Problem

__all__ = [
    "FlowAnalysis",
    "ParallelBlock",
    "analyse",
    "check_flow",
    "flows",
    "strongly_connected_components",
]


@dataclass(frozen=True)
class ParallelBlock:
    """A parallel split, the ``join: all`` step that closes it, and the steps of each branch."""

    split: str
    join: str
    branches: dict[str, frozenset[str]]  # branch start -> steps between it and the join

    @property
    def steps(self) -> frozenset[str]:
        return frozenset().union(*self.branches.values())


@dataclass
class FlowAnalysis:
    """What the structural checks found out about a model's flow."""

    successors: dict[str, list[tuple[str, float]]]
    blocks: list[ParallelBlock] = field(default_factory=list)  # innermost first
    problems: list[Problem] = field(default_factory=list)


def flows(model: Model) -> list[tuple[str, str]]:
    """Every flow of the model as ``(from step, to step or end)``, each distinct pair once."""
    seen: dict[tuple[str, str], None] = {}
    for step in model.steps:
        for target in step.next.targets:
            seen.setdefault((step.id, target), None)
    return list(seen)


def check_flow(model: Model) -> list[Problem]:
    """The flow rules: every step reachable, the end reachable, parallel splits closed."""
    return analyse(model).problems


def analyse(model: Model) -> FlowAnalysis:
    """Check the flow of a model and find its parallel blocks (computed once per model)."""
    cached = model.__dict__.get("_analysis")
    if cached is not None:
        return cached
    analysis = _Analyser(model).run()
    model.__dict__["_analysis"] = analysis
    return analysis


class _Analyser:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.successors: dict[str, list[tuple[str, float]]] = {}
        for step in model.steps:
            merged: dict[str, float] = {}
            for branch in step.next.branches:
                merged[branch.to] = merged.get(branch.to, 0.0) + branch.p
            self.successors[step.id] = list(merged.items())
        self.successors[END] = []
        self.predecessors: dict[str, list[tuple[str, float]]] = {n: [] for n in self.successors}
        for source, targets in self.successors.items():
            for target, p in targets:
                self.predecessors[target].append((source, p))
        self.problems: list[Problem] = []

    def problem(self, step_id: str, field_name: str, message: str, severity: str = "error") -> None:
        step = self.model.step(step_id)
        path: tuple[str | int, ...] = ("steps", step.index, field_name)
        if self.model.source is None:
            self.problems.append(Problem(message, self.model.file, path=f"steps[{step.index}]"))
        else:
            self.problems.append(self.model.source.problem(path, message, severity=severity))

    def run(self) -> FlowAnalysis:
        model, successors = self.model, self.successors
        first = model.first.id
        reached = _reach([first], lambda n: (t for t, _ in successors[n]))
        for step in model.steps:
            if step.id not in reached:
                self.problem(
                    step.id,
                    "id",
                    f"step '{step.id}' cannot be reached from the first step '{first}'; "
                    "lead a 'next' to it or remove it",
                )
        predecessors = self.predecessors
        finishing = _reach([END], lambda n: (s for s, p in predecessors[n] if p > 0))
        for step in model.steps:
            if step.id in reached and step.id not in finishing:
                self.problem(
                    step.id,
                    "next",
                    f"no way leads from step '{step.id}' to the end: the case is caught in a "
                    "loop; give the loop a branch out with a probability above 0",
                )
        analysis = FlowAnalysis(successors, problems=self.problems)
        if self.problems:
            return analysis
        analysis.blocks = self.parallel_blocks()
        return analysis

    def parallel_blocks(self) -> list[ParallelBlock]:
        model, successors = self.model, self.successors
        splits = [s for s in model.steps if s.next.kind == "parallel"]
        joins = {s.id for s in model.steps if s.join == "all"}
        if not splits:
            for join in sorted(joins, key=lambda j: model.step(j).index):
                self.problem(join, "join", _stray_join(join), "warning")
            return []
        postdominator = _immediate_postdominators(successors, self.predecessors, END)
        blocks = []
        closed: set[str] = set()
        for split in splits:
            join = postdominator[split.id]
            if join == END or join not in joins:
                where = (
                    f"they first meet at '{join}', which has no 'join: all'"
                    if join != END
                    else "they never meet before the end"
                )
                self.problem(
                    split.id,
                    "next",
                    f"the parallel split at step '{split.id}' is not closed: its branches must "
                    f"all meet at one step marked 'join: all' ({where})",
                )
                continue
            branches: dict[str, frozenset[str]] = {}
            for start in split.next.targets:
                if start == join:  # an empty branch: the split leads straight to its join
                    branches[start] = frozenset()
                    continue
                region = _reach([start], _onward_until(successors, join))
                if split.id in region:
                    self.problem(
                        split.id,
                        "next",
                        f"branch '{start}' of the parallel split at '{split.id}' loops back "
                        f"before the split; a loop must stay inside its branch or go around the "
                        f"whole split and join '{join}'",
                    )
                branches[start] = frozenset(region)
            self.check_separate(split.id, join, branches)
            blocks.append(ParallelBlock(split.id, join, branches))
            closed.add(join)
        for join in sorted(joins - closed, key=lambda j: model.step(j).index):
            self.problem(join, "join", _stray_join(join), "warning")
        if any(p.is_error for p in self.problems):
            return []
        blocks.sort(key=lambda b: (len(b.steps), model.step(b.split).index))
        self.check_entries(blocks)
        return blocks

    def check_separate(self, split: str, join: str, branches: dict[str, frozenset[str]]) -> None:
        """Parallel branches share no step: a shared step would run once per branch."""
        owner: dict[str, str] = {}
        for start, region in branches.items():
            for step_id in sorted(region, key=lambda s: self.model.step(s).index):
                first = owner.setdefault(step_id, start)
                if first != start:
                    self.problem(
                        split,
                        "next",
                        f"step '{step_id}' lies on two branches of the parallel split at "
                        f"'{split}' (from '{first}' and from '{start}'): each branch must reach "
                        f"the join '{join}' on its own; let both branches lead to the join, or "
                        "make the shared step part of one branch",
                    )
                    return

    def check_entries(self, blocks: list[ParallelBlock]) -> None:
        """A block is entered only through its split, and its join only from its branches."""
        predecessors = self.predecessors
        feeds: dict[str, set[str]] = {}
        for block in blocks:
            inside = block.steps
            feeds.setdefault(block.join, set()).update(inside | {block.split})
            for step_id in inside:
                for source, _ in predecessors[step_id]:
                    if source != block.split and source not in inside:
                        self.problem(
                            source,
                            "next",
                            f"the flow from '{source}' to '{step_id}' enters a branch of the "
                            f"parallel split at '{block.split}' from outside; a case may enter "
                            "a parallel block only through its split",
                        )
        for join, sources in feeds.items():
            for source, _ in predecessors[join]:
                if source not in sources:
                    self.problem(
                        source,
                        "next",
                        f"the flow from '{source}' reaches '{join}', which joins parallel "
                        "branches and would wait for them forever; lead it to another step",
                    )


def _onward_until(
    successors: dict[str, list[tuple[str, float]]], stop: str
) -> Callable[[str], Iterable[str]]:
    def onward(node: str) -> Iterable[str]:
        return (t for t, _ in successors[node] if t != stop)

    return onward


def _stray_join(join: str) -> str:
    return f"step '{join}' has 'join: all' but closes no parallel split; remove the join"


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


def _immediate_postdominators(
    successors: dict[str, list[tuple[str, float]]],
    predecessors: dict[str, list[tuple[str, float]]],
    exit_node: str,
) -> dict[str, str]:
    """Immediate postdominators (Cooper, Harvey and Kennedy's iterative algorithm)."""
    order: list[str] = []  # postorder of the reversed graph from the exit
    visited = {exit_node}
    stack = [(exit_node, iter(s for s, _ in predecessors[exit_node]))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in visited:
                visited.add(child)
                stack.append((child, iter(s for s, _ in predecessors[child])))
                break
        else:
            stack.pop()
            order.append(node)
    number = {node: i for i, node in enumerate(order)}
    idom = {exit_node: exit_node}
    changed = True
    while changed:
        changed = False
        for node in reversed(order[:-1]):
            candidates = [s for s, _ in successors[node] if s in idom]
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


def strongly_connected_components(
    nodes: Iterable[Hashable], successors: Callable[[Hashable], Iterable[Hashable]]
) -> list[list[Hashable]]:
    """Tarjan's algorithm without recursion; components come sinks first (reverse topological)."""
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
