"""Which steps of a model come before which, and which run in parallel branches.

The redesign classifier reads parallelism and resequencing from it:

>>> from bpr.files.load import loads
>>> model = loads(
...     "bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\n"
...     "steps: [{id: x, actor: a}, {id: y, actor: a}]"
... )
>>> order = StepOrder(model)
>>> order.before("x", "y"), order.before("y", "x"), order.concurrent("x", "y")
(True, False, False)
>>> in_file_order(model, ["y", "x", "y"])
['x', 'y']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bpr.core.flow import analyse, strongly_connected_components
from bpr.core.model import END, Model

__all__ = ["StepOrder", "in_file_order", "set_bits"]


def in_file_order(model: Model, ids: Iterable[str]) -> list[str]:
    """The step ids, each once, in the order of the steps in the model's file."""
    unique = dict.fromkeys(ids)
    return sorted(unique, key=lambda i: model.step(i).index)


class StepOrder:
    """Which steps of a model come before which, and which run in parallel branches."""

    def __init__(self, model: Model) -> None:
        self.model = model
        analysis = analyse(model)
        successors = analysis.successors
        components = strongly_connected_components(
            [model.first.id], lambda n: (t for t, _ in successors[str(n)] if t != END)
        )
        self.component: dict[str, int] = {}
        for number, members in enumerate(components):
            for member in members:
                self.component[str(member)] = number
        self.components = [[str(m) for m in members] for members in components]
        self.successors = successors
        self.reach = self._propagate({n: 1 << n for n in range(len(components))}, forward=True)
        self.branch_of: dict[str, list[tuple[int, str]]] = {}
        for i, block in enumerate(analysis.blocks):
            for start, region in block.branches.items():
                for step_id in region:
                    self.branch_of.setdefault(step_id, []).append((i, start))
        self.blocks = analysis.blocks

    def _propagate(self, own: dict[int, int], *, forward: bool) -> list[int]:
        """For each component, the union of ``own`` over the components it reaches (``forward``)
        or that reach it; a component's own bits are not included.

        Components come sinks first, so walking them in that order (or the reverse, backward)
        finds every neighbour's result before it is needed.
        """
        neighbours: list[set[int]] = [set() for _ in self.components]
        for number, members in enumerate(self.components):
            for member in members:
                for target, _ in self.successors[member]:
                    other = self.component.get(target)
                    if other is None or other == number:
                        continue
                    if forward:
                        neighbours[number].add(other)
                    else:
                        neighbours[other].add(number)
        result = [0] * len(self.components)
        order = range(len(self.components))
        for number in order if forward else reversed(order):
            bits = 0
            for other in neighbours[number]:
                bits |= result[other] | own.get(other, 0)
            result[number] = bits
        return result

    def masks(self, ids: Sequence[str]) -> tuple[dict[str, int], dict[str, int]]:
        """Bit sets over positions in ``ids``: for each id, the ids after it and before it."""
        own: dict[int, int] = {}
        for position, step_id in enumerate(ids):
            number = self.component[step_id]
            own[number] = own.get(number, 0) | 1 << position
        after = self._propagate(own, forward=True)
        before = self._propagate(own, forward=False)
        return (
            {i: after[self.component[i]] for i in ids},
            {i: before[self.component[i]] for i in ids},
        )

    def before(self, a: str, b: str) -> bool:
        """Whether every way from ``a`` to ``b`` goes forward and none comes back."""
        x, y = self.component.get(a), self.component.get(b)
        if x is None or y is None or x == y:
            return False
        return bool(self.reach[x] >> y & 1)

    def sequential(self, a: str, b: str) -> bool:
        return self.before(a, b) or self.before(b, a)

    def concurrent(self, a: str, b: str) -> bool:
        """Whether the two steps lie in different branches of one parallel split."""
        mine = self.branch_of.get(a, [])
        theirs = dict(self.branch_of.get(b, []))
        return any(block in theirs and theirs[block] != start for block, start in mine)

    def concurrent_pairs(self) -> list[tuple[str, str]]:
        pairs: dict[tuple[str, str], None] = {}
        for block in self.blocks:
            regions = list(block.branches.values())
            for i, first in enumerate(regions):
                for second in regions[i + 1 :]:
                    for a in first - second:
                        for b in second - first:
                            pairs[_ordered(self.model, a, b)] = None
        return sorted(
            pairs, key=lambda p: (self.model.step(p[0]).index, self.model.step(p[1]).index)
        )


def set_bits(mask: int) -> list[int]:
    """Positions of the set bits of ``mask``, lowest first."""
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found


def _ordered(model: Model, a: str, b: str) -> tuple[str, str]:
    return (a, b) if model.step(a).index <= model.step(b).index else (b, a)
