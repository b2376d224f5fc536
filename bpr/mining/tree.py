"""From the inductive miner's process tree (:mod:`bpr.mining.inductive`) to the steps of a
draft model.

The inductive miner's tree is sound by construction; it is converted recursively into the
format's structure (sequences, exclusive choices with probabilities, parallel blocks, loops).
Where the format needs a step that the log does not have (a parallel split or join that no
activity can carry, a choice at the very start), a zero-time routing step is added; the
routing steps that the format does not need are then folded away.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bpr.core.i18n import N_, domain
from bpr.core.ids import IdMaker
from bpr.core.model import END
from bpr.mining.inductive import Operator, Tree

__all__ = [
    "DraftStep",
    "TreeConverter",
    "probabilities",
    "reading_order",
    "renumber",
    "simplify",
]

_ = domain("mining").gettext


@dataclass
class DraftStep:
    """A step of the draft as discovery builds it: flows by target, durations in hours."""

    id: str
    name: str
    actor: str = ""
    routing: str = ""  # why a routing step was added ("" for an activity)
    next: dict[str, float] = field(default_factory=dict)
    parallel: list[str] | None = None  # branch starts of a parallel split
    join: bool = False
    work: float = 0.0
    wait: float = 0.0
    events: int = 0
    notes: list[str] = field(default_factory=list)


class TreeConverter:
    """Converts a process tree into steps with flows, parallel blocks and loops."""

    def __init__(self, counts: dict[str, int], cases: int, ids: dict[str, str]) -> None:
        self.counts = counts
        self.cases = cases
        self.ids = ids
        self.steps: dict[str, DraftStep] = {}
        self.ids_made = IdMaker(ids.values())
        self.routing_number = 0

    # Estimated executions, bottom up: activities by their events, operators from children.
    def observed(self, node: Tree) -> float | None:
        if not node.children:
            return None if node.label is None else float(self.counts.get(node.label, 0))
        known = [v for v in (self.observed(c) for c in node.children) if v is not None]
        if not known:
            return None
        if node.operator == Operator.XOR:
            return sum(known)
        if node.operator == Operator.LOOP:
            first = self.observed(node.children[0])
            return first if first is not None else max(known)
        return max(known)

    def routing(self, kind: str, reason: str) -> DraftStep:
        """A routing step of ``kind`` (its name), added for ``reason`` (marked with ``N_``;
        the draft's comment says it in the output language)."""
        self.routing_number += 1
        step_id = self.ids_made.make(f"{kind}_{self.routing_number}")
        step = DraftStep(step_id, f"({kind})", routing=_(reason))
        self.steps[step_id] = step
        return step

    def emit(self, node: Tree, cont: dict[str, float], runs: float) -> dict[str, float]:
        """Set the flows inside ``node`` so that it continues to ``cont``; return its entry.

        ``runs`` is the estimated number of times the node runs in the log (for choices).
        """
        if not node.children:
            if node.label is None:
                return dict(cont)
            step_id = self.ids[node.label]
            step = self.steps.setdefault(step_id, DraftStep(step_id, node.label))
            step.next = dict(cont)
            return {step_id: 1.0}
        children = list(node.children)
        operator = node.operator
        if operator == Operator.SEQUENCE:
            entry = cont
            for child in reversed(children):
                entry = self.emit(child, entry, runs)
            return entry
        if operator == Operator.XOR:
            return self.emit_choice(children, cont, runs)
        if operator == Operator.LOOP:
            return self.emit_loop(children[0], children[1:], cont, runs)
        return self.emit_parallel(children, cont, runs)

    def weights(self, children: list[Tree], runs: float) -> list[float]:
        known = [self.observed(c) for c in children]
        covered = sum(v for v in known if v is not None)
        silent = [i for i, v in enumerate(known) if v is None]
        rest = max(runs - covered, 0.0)
        weights = [v if v is not None else rest / len(silent) for v in known]
        total = sum(weights)
        if total <= 0:
            return [1 / len(children)] * len(children)
        # a branch the estimate gives nothing still happened in the log (or is a skip)
        floor = 0.001
        weights = [max(w / total, floor) for w in weights]
        total = sum(weights)
        return [w / total for w in weights]

    def emit_choice(
        self, children: list[Tree], cont: dict[str, float], runs: float
    ) -> dict[str, float]:
        entry: dict[str, float] = {}
        for child, weight in zip(children, self.weights(children, runs), strict=True):
            for target, p in self.emit(child, cont, runs * weight).items():
                entry[target] = entry.get(target, 0.0) + weight * p
        return entry

    def emit_loop(
        self, body: Tree, redo: list[Tree], cont: dict[str, float], runs: float
    ) -> dict[str, float]:
        done = self.observed(body)
        rounds = max(done if done is not None else runs, runs)
        redone = [self.observed(r) for r in redo]
        if any(r is not None for r in redone):
            # every run of the body is followed by a run of the redo part or by the exit
            repeats = sum(r for r in redone if r is not None)
            again = max(repeats / (repeats + runs) if runs > 0 else 0.5, 0.001)
        else:
            again = 0.0 if rounds <= 0 else (rounds - runs) / rounds
        again = min(again, 0.95)
        # The loop's head is a routing step at first; simplify() folds it into the steps that
        # lead to it wherever the format allows.
        head = self.routing("loop", N_("the head of a loop (cases come back here)"))
        back = {head.id: 1.0}
        if len(redo) == 1:
            repeat = self.emit(redo[0], back, rounds * again)
        else:
            repeat = self.emit_choice(redo, back, rounds * again)
        after = {t: again * p for t, p in repeat.items()}
        for target, p in cont.items():
            after[target] = after.get(target, 0.0) + (1 - again) * p
        head.next = self.emit(body, after, rounds)
        return {head.id: 1.0}

    def emit_parallel(
        self, children: list[Tree], cont: dict[str, float], runs: float
    ) -> dict[str, float]:
        join = self.routing(
            "join", N_("the parallel branches meet here (the format joins at a step)")
        )
        join.join = True
        join.next = dict(cont)
        starts = []
        for child in children:
            entry = self.emit(child, {join.id: 1.0}, runs)
            entry = {t: p for t, p in entry.items() if p > 1e-12}
            if len(entry) == 1:
                starts.append(next(iter(entry)))
                continue
            branch = self.routing(
                "branch",
                N_("a parallel branch that starts with a choice (a branch starts at a step)"),
            )
            branch.next = entry
            starts.append(branch.id)
        split = self.routing(
            "split", N_("the parallel branches start here (the format splits at a step)")
        )
        split.parallel = list(dict.fromkeys(starts))
        return {split.id: 1.0}


def simplify(steps: dict[str, DraftStep], first: str) -> str:
    """Remove routing steps that the format does not need; returns the (new) first step."""
    changed = True
    while changed:
        changed = False
        predecessors: dict[str, list[str]] = {s: [] for s in steps}
        for step in steps.values():
            for target in step.parallel or step.next:
                if target in predecessors:
                    predecessors[target].append(step.id)
        for step in list(steps.values()):
            if not step.routing or step.join:
                if step.routing and step.join and _merge_join(steps, step, predecessors):
                    changed = True
                    break
                continue
            sources = [s for s in predecessors[step.id] if s != step.id]
            if step.parallel is not None:
                if (
                    len(sources) == 1
                    and step.id != first
                    and steps[sources[0]].parallel is None
                    and not steps[sources[0]].join
                    and list(steps[sources[0]].next) == [step.id]
                ):
                    source = steps[sources[0]]
                    source.parallel, source.next = step.parallel, {}
                    del steps[step.id]
                    changed = True
                    break
                continue
            if step.id == first:
                targets = [t for t in step.next if t != step.id]
                if (
                    len(targets) == 1
                    and targets[0] != END
                    and not steps[targets[0]].join
                    and all(steps[s].parallel is None for s in sources)
                ):
                    # the head of a loop at the very start: the steps that come back to it
                    # come back to its one target instead
                    (target,) = targets
                    for source_id in sources:
                        source = steps[source_id]
                        weight = source.next.pop(step.id)
                        source.next[target] = source.next.get(target, 0.0) + weight
                    first = target
                    del steps[step.id]
                    changed = True
                    break
                continue
            if any(steps[s].parallel is not None for s in sources):
                continue
            onward = {t: p for t, p in step.next.items() if t != step.id}
            total = sum(onward.values())
            if total <= 0:
                continue
            for source_id in sources:
                source = steps[source_id]
                weight = source.next.pop(step.id)
                for target, p in onward.items():
                    source.next[target] = source.next.get(target, 0.0) + weight * p / total
            del steps[step.id]
            changed = True
            break
    return first


def renumber(steps: dict[str, DraftStep], first: str) -> tuple[dict[str, DraftStep], str]:
    """Number the routing steps that remain in reading order: split_1, join_1, loop_1, ..."""
    order = reading_order(steps, first)
    taken = IdMaker(s.id for s in steps.values() if not s.routing)
    counters: dict[str, int] = {}
    names: dict[str, str] = {}
    for step_id in order:
        step = steps[step_id]
        if not step.routing:
            names[step_id] = step_id
            continue
        kind = step.name.strip("()")
        counters[kind] = counters.get(kind, 0) + 1
        names[step_id] = taken.make(f"{kind}_{counters[kind]}")
    renamed: dict[str, DraftStep] = {}
    for step_id in order:
        step = steps[step_id]
        step.id = names[step_id]
        step.next = {names.get(t, t): p for t, p in step.next.items()}
        if step.parallel is not None:
            step.parallel = [names[t] for t in step.parallel]
        renamed[step.id] = step
    return renamed, names[first]


def _merge_join(
    steps: dict[str, DraftStep], join: DraftStep, predecessors: dict[str, list[str]]
) -> bool:
    """Let the activity right after a routing join be the join itself."""
    if join.parallel is not None or list(join.next) == [] or len(join.next) != 1:
        return False
    (target,) = join.next
    if target == END or target == join.id:
        return False
    after = steps[target]
    if after.routing or after.join or predecessors[target] != [join.id]:
        return False
    after.join = True
    for source_id in predecessors[join.id]:
        source = steps[source_id]
        if source.parallel is not None:
            source.parallel = [target if t == join.id else t for t in source.parallel]
        if join.id in source.next:
            source.next[target] = source.next.get(target, 0.0) + source.next.pop(join.id)
    del steps[join.id]
    return True


def probabilities(flow: dict[str, float]) -> list[tuple[str, float]]:
    """Branches with probabilities rounded to 4 places that still add up to exactly 1."""
    flow = {t: p for t, p in flow.items() if p > 1e-12} or flow
    total = sum(flow.values())
    items = sorted(flow.items(), key=lambda kv: -kv[1])
    rounded = [(t, max(round(p / total, 4), 0.0001)) for t, p in items]
    excess = round(sum(p for _, p in rounded) - 1.0, 4)
    target, p = rounded[0]
    rounded[0] = (target, round(p - excess, 4))
    return rounded


def reading_order(steps: dict[str, DraftStep], first: str) -> list[str]:
    """Steps in the order a reader follows them: depth first along the likeliest flows."""
    order: list[str] = []
    seen: set[str] = set()
    stack = [first]
    while stack:
        step_id = stack.pop()
        if step_id in seen or step_id == END:
            continue
        seen.add(step_id)
        order.append(step_id)
        step = steps[step_id]
        targets = step.parallel or [t for t, _ in sorted(step.next.items(), key=lambda kv: -kv[1])]
        stack.extend(reversed(targets))
    order.extend(s for s in steps if s not in seen)
    return order
