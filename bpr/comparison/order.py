"""Which steps of a model come before which, and which run in parallel branches.

The redesign classifier reads parallelism and resequencing from it:

>>> from bpr.files.load import loads
>>> text = "bpr: 1\\nservice: s\\nvariant: {}\\nactors: {{a: {{name: A}}}}\\nsteps: [{}]"
>>> def line(variant, *ids):
...     return loads(text.format(variant, ", ".join(f"{{id: {i}, actor: a}}" for i in ids)))
>>> old, new = line("as-is", "x", "y", "z"), line("to-be", "z", "x", "y")
>>> order = StepOrder(old)
>>> order.before("x", "y"), order.before("y", "x"), order.concurrent("x", "y")
(True, False, False)
>>> in_file_order(old, ["y", "x", "y"])
['x', 'y']
>>> order_flips(order, StepOrder(new), ["z", "x", "y"])
[('x', 'z'), ('y', 'z')]

Every question is answered in memory that grows linearly with the model: an order of
100,000 steps holds a few numbers per step, never a table of every pair.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from functools import cached_property

from bpr.core._gc import gc_paused
from bpr.core.flow import analyse, strongly_connected_components
from bpr.core.model import END, Model

__all__ = ["FLIP_CHUNK", "StepOrder", "in_file_order", "order_flips"]

#: How many steps :func:`order_flips` follows at once: each pass holds two bit sets of this
#: many bits per part of the flow, so its memory is about ``steps * FLIP_CHUNK / 4`` bytes
#: (100 MB at 100,000 steps) however many steps there are.
FLIP_CHUNK = 4096


def in_file_order(model: Model, ids: Iterable[str]) -> list[str]:
    """The step ids, each once, in the order of the steps in the model's file."""
    unique = dict.fromkeys(ids)
    return sorted(unique, key=lambda i: model.step(i).index)


class StepOrder:
    """Which steps of a model come before which, and which run in parallel branches.

    The steps are grouped into the strongly connected parts of the flow (a loop is one
    part); ``components`` lists them sinks first, so a part only ever leads to parts with
    lower numbers, and ``down`` holds each part's distinct successors.
    """

    def __init__(self, model: Model) -> None:
        with gc_paused():  # many small objects and no cycles (see bpr.core._gc)
            self._build(model)

    def _build(self, model: Model) -> None:
        self.model = model
        analysis = analyse(model)
        successors = analysis.successors
        onward: dict[Hashable, list[str]] = {
            step: [t for t, _ in targets if t != END] for step, targets in successors.items()
        }
        components = strongly_connected_components([model.first.id], onward.__getitem__)
        self.components = [[str(m) for m in members] for members in components]
        component = self.component = {
            member: number for number, members in enumerate(self.components) for member in members
        }
        self.successors = successors
        self.down: list[list[int]] = []
        for number, part in enumerate(self.components):
            if len(part) == 1:  # most parts: one step, no loop
                targets = {component[t] for t in onward[part[0]] if t in component}
            else:
                targets = {component[t] for m in part for t in onward[m] if t in component}
            targets.discard(number)
            self.down.append(sorted(targets, reverse=True))
        self.branch_of: dict[str, list[tuple[int, str]]] = {}
        for i, block in enumerate(analysis.blocks):
            for start, region in block.branches.items():
                for step_id in region:
                    self.branch_of.setdefault(step_id, []).append((i, start))
        self.blocks = analysis.blocks

    @cached_property
    def _reach(self) -> _Reach:
        """Reachability between parts, made on the first question (many comparisons never
        ask one: no branch to settle step by step, no pair that changed order)."""
        with gc_paused():
            return _Reach(self.down)

    def before(self, a: str, b: str) -> bool:
        """Whether every way from ``a`` to ``b`` goes forward and none comes back."""
        x, y = self.component.get(a), self.component.get(b)
        if x is None or y is None or x == y:
            return False
        return self._reach.reaches(x, y)

    def sequential(self, a: str, b: str) -> bool:
        return self.before(a, b) or self.before(b, a)

    def concurrent(self, a: str, b: str) -> bool:
        """Whether the two steps lie in different branches of one parallel split."""
        mine = self.branch_of.get(a, [])
        theirs = dict(self.branch_of.get(b, []))
        return any(block in theirs and theirs[block] != start for block, start in mine)

    def _after_bits(self, own: dict[int, int]) -> list[int]:
        """For each part, the union of ``own`` over the parts it leads to (its own excluded)."""
        result = [0] * len(self.components)
        if not own:
            return result
        # Only parts numbered above the lowest holder of a bit can lead to one.
        for number in range(min(own), len(self.components)):
            bits = 0
            for other in self.down[number]:
                bits |= result[other] | own.get(other, 0)
            result[number] = bits
        return result

    def _before_bits(self, own: dict[int, int]) -> list[int]:
        """For each part, the union of ``own`` over the parts that lead to it (its own
        excluded)."""
        result = [0] * len(self.components)
        if not own:
            return result
        # Only parts numbered below the highest holder of a bit can be reached from one.
        for number in range(max(own), -1, -1):
            bits = result[number] | own.get(number, 0)
            if bits:
                for other in self.down[number]:
                    result[other] |= bits
        return result


def order_flips(old: StepOrder, new: StepOrder, ids: Sequence[str]) -> list[tuple[str, str]]:
    """The pairs ``(a, b)`` of ``ids`` where ``a`` comes before ``b`` in the ``old`` order and
    after it in the ``new`` one; by the position of ``a`` in ``ids``, then of ``b``.

    ``ids`` are steps of both models. The ids are followed :data:`FLIP_CHUNK` at a time, so the
    memory grows with the model, while the pairs found may be as many as the pairs of ids.
    """
    with gc_paused():
        return _flips(old, new, ids)


def _flips(old: StepOrder, new: StepOrder, ids: Sequence[str]) -> list[tuple[str, str]]:
    if _one_order(old, new, ids):
        return []
    found: dict[int, list[int]] = {}
    old_parts = [old.component[i] for i in ids]
    new_parts = [new.component[i] for i in ids]
    for low in range(0, len(ids), FLIP_CHUNK):
        high = min(low + FLIP_CHUNK, len(ids))
        old_own: dict[int, int] = {}
        new_own: dict[int, int] = {}
        for position in range(low, high):
            bit = 1 << (position - low)
            old_own[old_parts[position]] = old_own.get(old_parts[position], 0) | bit
            new_own[new_parts[position]] = new_own.get(new_parts[position], 0) | bit
        after = old._after_bits(old_own)
        before = new._before_bits(new_own)
        for position, (x, y) in enumerate(zip(old_parts, new_parts, strict=True)):
            both = after[x] & before[y]
            if both:
                found.setdefault(position, []).extend(low + j for j in _set_bits(both))
        del after, before
    return [(ids[a], ids[b]) for a in sorted(found) for b in found[a]]


def _one_order(old: StepOrder, new: StepOrder, ids: Sequence[str]) -> bool:
    """Whether one sequence of all parts of both flows follows both (so no pair of ``ids`` can
    change order); False also where this quick test cannot tell.

    Each id joins its part in ``old`` with its part in ``new``; where that pairs the parts one
    to one, a pair that changed order would close a cycle through the joined parts, so a
    topological sort of both flows together that succeeds proves there is none.
    """
    paired: dict[int, int] = {}  # a part of new -> the part of old it is joined with
    joined: dict[int, int] = {}
    for step_id in ids:
        x, y = old.component[step_id], new.component[step_id]
        if paired.setdefault(y, x) != x or joined.setdefault(x, y) != y:
            return False
    first = len(old.components)

    def node(part: int) -> int:  # a part of new as a node of the joint graph
        return paired.get(part, first + part)

    def onward(number: int) -> list[int]:
        if number >= first:
            return [node(p) for p in new.down[number - first]]
        targets = list(old.down[number])
        if number in joined:
            targets += (node(p) for p in new.down[joined[number]])
        return targets

    count = first + len(new.components)
    incoming = [0] * count
    for number in range(count):
        if number < first or number - first not in paired:
            for target in onward(number):
                incoming[target] += 1
    ready = [
        n for n in range(count) if incoming[n] == 0 and not (n >= first and n - first in paired)
    ]
    done = 0
    while ready:
        number = ready.pop()
        done += 1
        for target in onward(number):
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    return done == count - len(paired)


class _Reach:
    """Whether one part of a flow leads to another, over parts numbered sinks first.

    Each part keeps four numbers from two depth-first walks (GRAIL's labels): a part that
    leads to another has an interval of finishing times around the other's, so most
    questions are answered at once; the rest by a search that skips every part whose
    intervals rule it out. The memory is linear in the flow.
    """

    def __init__(self, down: list[list[int]]) -> None:
        self.down = down
        count = len(down)
        self.enter = [0] * count  # preorder number in the first walk
        self.leave = [0] * count  # the highest preorder number in its subtree of that walk
        self.labels: list[tuple[list[int], list[int]]] = []
        for walk in (0, 1):
            finish = [0] * count
            self._walk(walk, finish)
            # lowest finishing time of any part reached; successors have lower numbers
            lowest = [0] * count
            for number in range(count):
                value = finish[number]
                for other in down[number]:
                    value = min(value, lowest[other])
                lowest[number] = value
            self.labels.append((lowest, finish))

    def _walk(self, walk: int, finish: list[int]) -> None:
        """A depth-first walk from the highest part (the first step's), children in
        descending order (walk 1) or ascending (walk 0, which also numbers the tree).

        The walk keeps plain numbers only (no tuple or iterator per part), so that Python's
        garbage collector, which scans the whole model each time enough containers have been
        made, has nothing to do here.
        """
        down, count = self.down, len(self.down)
        seen = [False] * count
        # children of a part are visited from position[part] on, counting down in walk 0
        position = [len(children) - 1 if walk == 0 else 0 for children in down]
        clock = preorder = 0
        for root in range(count - 1, -1, -1):
            if seen[root]:
                continue
            seen[root] = True
            if walk == 0:
                self.enter[root] = preorder
                preorder += 1
            stack = [root]
            while stack:
                node = stack[-1]
                children = down[node]
                at = position[node]
                child = -1
                while 0 <= at < len(children):
                    candidate = children[at]
                    at = at - 1 if walk == 0 else at + 1
                    if not seen[candidate]:
                        child = candidate
                        break
                position[node] = at
                if child >= 0:
                    seen[child] = True
                    if walk == 0:
                        self.enter[child] = preorder
                        preorder += 1
                    stack.append(child)
                else:
                    stack.pop()
                    finish[node] = clock
                    clock += 1
                    if walk == 0:
                        self.leave[node] = preorder - 1

    def _may(self, x: int, y: int) -> bool:
        """False where the labels prove that part ``x`` does not lead to part ``y``."""
        for lowest, finish in self.labels:
            if lowest[y] < lowest[x] or finish[y] > finish[x]:
                return False
        return True

    def _holds(self, x: int, y: int) -> bool:
        """Whether ``y`` lies under ``x`` in the first walk's tree (so ``x`` leads to it)."""
        return self.enter[x] <= self.enter[y] <= self.leave[x]

    def reaches(self, x: int, y: int) -> bool:
        """Whether part ``x`` leads to part ``y`` (``x != y``)."""
        if y >= x or not self._may(x, y):
            return False
        if self._holds(x, y):
            return True
        seen = {x}
        stack = [x]
        while stack:
            for other in self.down[stack.pop()]:
                if other == y:
                    return True
                if other < y or other in seen:
                    continue
                seen.add(other)
                if self._holds(other, y):
                    return True
                if self._may(other, y):
                    stack.append(other)
        return False


def _set_bits(mask: int) -> list[int]:
    """Positions of the set bits of ``mask``, lowest first."""
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found
